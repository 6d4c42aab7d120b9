"""Re-check the worst cases found by check_vmath against mpmath at 50 digits.

Run: python3 benchmarks/vmath/mpcheck.py WORST_FILE

WORST_FILE is written by `check_vmath --worst FILE`: one line per function,
precision and variant: name, "double"/"float", variant, argument (hex float),
result (hex float), ulp error reported by the checker (long double / double
reference).  Prints the error recomputed with mpmath and flags any line where the
two references disagree by more than 0.01 ulp, or where the error exceeds 1 ulp.
"""

from __future__ import annotations

import sys

import mpmath as mp

mp.mp.dps = 50

FUNCS = {"exp": mp.exp, "expm1": mp.expm1, "log": mp.log, "log1p": mp.log1p}
# (precision p, minimum normal exponent)
FORMATS = {"double": (53, -1022), "float": (24, -126)}


def ulp_error(name, prec, x, y):
    p, emin = FORMATS[prec]
    if mp.isnan(y) or mp.isinf(y):
        return None
    ref = FUNCS[name](x)
    if ref == 0:
        return abs(y) / mp.mpf(2) ** (emin - p + 1)
    e = max(int(mp.floor(mp.log(abs(ref), 2))), emin)
    return abs(y - ref) / mp.mpf(2) ** (e - p + 1)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    bad = 0
    print(f"{'function':14s} {'variant':7s} {'x':>26s} {'checker':>8s} {'mpmath':>8s}")
    with open(sys.argv[1]) as fh:
        for line in fh:
            name, prec, variant, xs, ys, err = line.split()
            x, y = mp.mpf(float.fromhex(xs)), mp.mpf(float.fromhex(ys))
            e = ulp_error(name, prec, x, y)
            if e is None:
                print(f"{name + '_' + prec[0]:14s} {variant:7s} {xs:>26s} {float(err):8.4f} {'(inf/nan)':>8s}")
                continue
            flag = ""
            if abs(e - float(err)) > 0.01:
                flag = "  <- references disagree"
                bad += 1
            if e > 1:
                flag += "  <- above 1 ulp"
                bad += 1
            print(f"{name + '_' + prec[0]:14s} {variant:7s} {xs:>26s} {float(err):8.4f} {float(e):8.4f}{flag}")
    print("mpmath spot check:", "FAIL" if bad else "PASS")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
