#!/bin/sh
# Build and run the vmath.h checks: vectorisation report, accuracy (>= 10 million
# points per function and precision, every ISA variant), mpmath spot check of the
# worst cases, throughput against glibc and NumPy.
#
#   benchmarks/vmath/run.sh [--quick] [--exhaustive-float] [--no-bench]
#
#   --quick             5% of the points (a few seconds), for iterating
#   --exhaustive-float  float functions on all 2^32 inputs instead of the point
#                       sets (about 15 minutes more)
#   --no-bench          skip the throughput tables
#
# Environment: CC (default gcc), PYTHON (default python3), BUILD (default
# benchmarks/vmath/build).  Exit status is non-zero when any check fails.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
INC="$ROOT/src/native"
CC=${CC:-gcc}
PYTHON=${PYTHON:-python3}
BUILD=${BUILD:-$HERE/build}
CHECK_ARGS=""
BENCH=1
for arg in "$@"; do
    case "$arg" in
    --quick) CHECK_ARGS="$CHECK_ARGS --quick" ;;
    --exhaustive-float) CHECK_ARGS="$CHECK_ARGS --exhaustive-float" ;;
    --no-bench) BENCH=0 ;;
    *) echo "usage: $0 [--quick] [--exhaustive-float] [--no-bench]" >&2; exit 2 ;;
    esac
done
mkdir -p "$BUILD"

# The flags the kernels use (plus warnings).  GNU C mode: FMA contraction on.
FLAGS="-O3 -fno-math-errno -fno-trapping-math -std=gnu11 -Wall -Wextra -I$INC"

echo "== machine"
"$CC" --version | head -1
grep -m1 'model name' /proc/cpuinfo 2>/dev/null || true
for f in avx2 fma avx512f avx512dq avx512bw avx512vl; do
    grep -qw "$f" /proc/cpuinfo 2>/dev/null && printf ' %s' "$f"
done
echo

# variant name, flags
build() {
    "$CC" $FLAGS $2 -DVARIANT="$1" -c "$HERE/vm_loops.c" -o "$BUILD/$1.o" \
        -fopt-info-vec-optimized 2>"$BUILD/$1.vec"
}
build base "-march=x86-64"
build v3 "-march=x86-64-v3"
build v4 "-march=x86-64-v4"
build tc3 "-march=x86-64 -DLK_LOOP_TARGET=\"arch=x86-64-v3\""
build tc4 "-march=x86-64 -DLK_LOOP_TARGET=\"arch=x86-64-v4\""
build clones "-march=x86-64 -DLK_LOOP_CLONES"
"$CC" -O2 -Wall -Wextra "$HERE/check_vmath.c" "$BUILD/base.o" "$BUILD/v3.o" "$BUILD/v4.o" \
    "$BUILD/tc3.o" "$BUILD/tc4.o" -lm -o "$BUILD/check_vmath"

echo
echo "== vectorisation (gcc -O3 -fno-math-errno -fno-trapping-math -fopt-info-vec-optimized)"
echo "   vector widths GCC reports per loop (bytes; a loop that is not vectorised shows '-')"
printf '%-12s' loop
for v in base v3 v4 tc3 tc4 clones; do printf ' %-14s' "$v"; done
echo
VEC_FAIL=0
# loops are the LOOP(...) and BLOCKED(...) lines of vm_loops.c
grep -n '^LOOP(\|^BLOCKED(' "$HERE/vm_loops.c" | while IFS=: read -r line text; do
    name=$(echo "$text" | sed 's/^[A-Z]*(\([a-z0-9_]*\),.*/\1/')
    printf '%-12s' "$name"
    for v in base v3 v4 tc3 tc4 clones; do
        w=$(grep "vm_loops.c:$line:" "$BUILD/$v.vec" | grep -o 'using [0-9]* byte' |
            awk '{print $2}' | sort -rn | uniq | tr '\n' '/' | sed 's#/$##')
        printf ' %-14s' "${w:--}"
    done
    echo
done
# every loop must be vectorised in every variant (and in all three clones)
for v in base v3 v4 tc3 tc4; do
    n=$(grep -c '^LOOP(\|^BLOCKED(' "$HERE/vm_loops.c")
    got=$(grep -o 'vm_loops.c:[0-9]*:.*loop vectorized' "$BUILD/$v.vec" | cut -d: -f2 | sort -u | wc -l)
    [ "$got" -eq "$n" ] || { echo "NOT VECTORISED: $v ($got of $n loops)"; VEC_FAIL=1; }
done
for w in 16 32 64; do
    n=$(grep -c '^LOOP(\|^BLOCKED(' "$HERE/vm_loops.c")
    got=$(grep "using $w byte" "$BUILD/clones.vec" | cut -d: -f2 | sort -u | wc -l)
    [ "$got" -eq "$n" ] || { echo "NOT VECTORISED: a target_clones clone ($w-byte vectors: $got of $n loops)"; VEC_FAIL=1; }
done
calls=$(objdump -d "$BUILD/base.o" "$BUILD/v3.o" "$BUILD/v4.o" "$BUILD/tc3.o" "$BUILD/tc4.o" | grep -c 'call' || true)
echo "calls in the loop functions (libm or other): $calls"
[ "$calls" -eq 0 ] || VEC_FAIL=1
if [ "$VEC_FAIL" -eq 0 ]; then echo "vectorisation: PASS"; else echo "vectorisation: FAIL"; fi

echo
echo "== accuracy"
STATUS=0
# shellcheck disable=SC2086
"$BUILD/check_vmath" $CHECK_ARGS --worst "$BUILD/worst.txt" || STATUS=1

echo
echo "== mpmath (50 digits) on the worst arguments found"
"$PYTHON" "$HERE/mpcheck.py" "$BUILD/worst.txt" || STATUS=1

echo
echo "== for comparison: NumPy's own accuracy"
"$PYTHON" "$HERE/numpy_accuracy.py"

if [ "$BENCH" -eq 1 ]; then
    echo
    echo "== throughput: vmath.h and glibc"
    "$BUILD/check_vmath" --bench
    echo
    echo "== throughput: NumPy"
    "$PYTHON" "$HERE/bench_numpy.py"
fi

[ "$VEC_FAIL" -eq 0 ] || STATUS=1
echo
if [ "$STATUS" -eq 0 ]; then echo "run.sh: PASS"; else echo "run.sh: FAIL"; fi
exit "$STATUS"
