# Two commands do all the set-up from a fresh clone:
#   make lab    create .venv if absent, install, open JupyterLab on the index
#   make test   same set-up, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
# Threads: the book's arrays are small; one BLAS thread per process is faster
# and keeps two processes (pytest-xdist, a kernel) from fighting over 2 cores.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export MPLBACKEND ?= Agg
export PYDEVD_DISABLE_FILE_VALIDATION = 1
# Parallel test workers (notebooks are kept whole on one worker).
JOBS   ?= 2
PORT   ?= 8888

.PHONY: lab test install notebooks lint clean bench bench-torch

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) notebooks/00_index.ipynb

test: $(STAMP)
	$(BIN)/ruff check dlkit tests benchmarks notebooks/build
	$(PY) -m pytest -n $(JOBS) --dist loadfile tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

# Rebuild every notebook from notebooks/build/*.py and execute it top to bottom
# in a clean kernel (what gets committed).
notebooks: $(STAMP)
	$(PY) notebooks/build/nbbuild.py

# Speed as ratios measured in one run (see benchmarks/bench.py); PyTorch is optional:
# `make bench-torch` installs the CPU build pinned in benchmarks/requirements-torch.txt.
bench: $(STAMP)
	$(PY) benchmarks/bench.py --json benchmarks/results.json

bench-torch: $(STAMP)
	$(PY) -m pip install --quiet -r benchmarks/requirements-torch.txt

lint: $(STAMP)
	$(BIN)/ruff check dlkit tests benchmarks notebooks/build

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# The one-page recap of the sheet as standalone HTML pages, one per language
# (build/recap/recap-en.html, recap-fr.html, recap-es.html; no network needed).
RECAP_DIR ?= build/recap
.PHONY: recap
recap: $(STAMP)
	$(PY) -m dlkit.recap --out $(RECAP_DIR)
