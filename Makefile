# The two commands of the README. Both create .venv and install what they need.
#   make demo   the guided tour of losskit (installs the demo extra: matplotlib, scikit-learn, pyarrow)
#   make test   lint and every test (installs the test extra: torch, scikit-learn, hypothesis, ...)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

# Where a C compiler and Python's headers exist the kernels must build: an install that fell
# back to the reference path would pass make test with every native test skipped (setup.py).
NATIVE_EXPECTED := $(shell $(PYTHON) -c 'import os, shutil, sysconfig as s; \
	cc = (s.get_config_var("CC") or "cc").split()[0]; \
	print(int(bool(shutil.which(cc)) and os.path.exists(os.path.join(s.get_paths()["include"], "Python.h"))))' 2>/dev/null)
export LOSSKIT_REQUIRE_NATIVE ?= $(NATIVE_EXPECTED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install when the project's metadata changes.
$(VENV)/.installed-demo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

# ... and when the kernels' sources change (the editable install builds them).
$(VENV)/.installed-test: pyproject.toml setup.py $(wildcard src/native/*.c src/native/*.h) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(BIN)/losskit demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks setup.py
	$(BIN)/ruff format --check src tests benchmarks setup.py

# pytest exits 5 when it collects no test: make treats every non-zero exit as a failure.
test: lint
	$(BIN)/python -m pytest

# The benchmark suite of issue 7 (benchmarks/README.md); not part of test. It measures import
# time too. make bench BENCH_ARGS="--quick" for a short run.
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .ruff_cache
