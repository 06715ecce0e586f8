# Two commands do all the set-up from a fresh clone:
#   make lab    create .venv if absent, install, open JupyterLab on the index
#   make test   same set-up, then the whole test suite
# (make screenshots: the README's widget pictures, images/NN_name_widget.png)
# For instructors (nbgrader, in its own venv .venv-grade; see the README):
#   make student                  the student version of every chapter
#   make grade SUBMISSIONS=dir    autograde a folder of submissions -> gradebook.csv
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
# JupyterLab defaults shipped with the project (no news or update pop-ups), laid
# in the venv's overrides.d: they apply to `make lab` and to the browser test,
# and leave the reader's own ~/.jupyter settings alone and in force.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/dlkit.json
# Threads: the book's arrays are small; one BLAS thread per process is faster
# and keeps two processes (pytest-xdist, a kernel) from fighting over 2 cores.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION = 1
# Parallel test workers (notebooks are kept whole on one worker).
JOBS   ?= 2
PORT   ?= 8888

# The grading extra (nbgrader) lives in a venv of its own: see the README.
GRADE_VENV  ?= .venv-grade
GRADE_PY    := $(GRADE_VENV)/bin/python
GRADE_STAMP := $(GRADE_VENV)/.installed
GRADE_REQS  := notebooks/course/requirements-grading.txt
SUBMISSIONS ?= submitted
GRADEBOOK   ?= gradebook.csv
TIMEOUT     ?= 60

.PHONY: lab test install notebooks lint clean bench bench-torch screenshots student grade

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(GRADE_STAMP): requirements.txt $(GRADE_REQS) pyproject.toml
	test -x $(GRADE_PY) || $(PYTHON) -m venv $(GRADE_VENV)
	$(GRADE_PY) -m pip install --quiet --upgrade pip
	$(GRADE_PY) -m pip install --quiet -r $(GRADE_REQS)
	$(GRADE_PY) -m pip install --quiet --no-deps -e .
	touch $(GRADE_STAMP)

$(LAB_SETTINGS): .jupyter/lab-overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp .jupyter/lab-overrides.json $@

install: $(STAMP) $(LAB_SETTINGS)

# (as root, e.g. in a container, Jupyter needs --allow-root)
lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_index.ipynb

test: $(STAMP) $(LAB_SETTINGS) $(GRADE_STAMP)
	$(BIN)/ruff check dlkit tests benchmarks notebooks/build notebooks/course
	$(PY) -m pytest -n $(JOBS) --dist loadfile tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600

# Screenshots of each chapter's first widget, taken by the browser test in
# JupyterLab (headless Debian chromium), into images/NN_name_widget.png.
screenshots: $(STAMP) $(LAB_SETTINGS)
	DLKIT_SCREENSHOTS=images $(PY) -m pytest -p no:cacheprovider tests/test_browser.py

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
	$(BIN)/ruff check dlkit tests benchmarks notebooks/build notebooks/course

# The student version of every chapter (nbgrader generate_assignment), in
# build/course/release/<chapter>/<chapter>.ipynb; build/ is not committed.
student: $(GRADE_STAMP)
	$(GRADE_PY) notebooks/course/course.py release

# Autograde $(SUBMISSIONS)/<student>/<chapter>.ipynb with nbgrader, $(TIMEOUT) s a cell;
# writes $(GRADEBOOK) (student, chapter, points, max_points, status), a per-exercise
# CSV beside it, and nbgrader's HTML feedback under build/course/feedback/.
grade: $(GRADE_STAMP)
	$(GRADE_PY) notebooks/course/course.py grade $(SUBMISSIONS) --out $(GRADEBOOK) --timeout $(TIMEOUT) --feedback

clean:
	rm -rf $(VENV) $(GRADE_VENV) build *.egg-info .pytest_cache

# The one-page recap of the sheet as standalone HTML pages, one per language
# (build/recap/recap-en.html, recap-fr.html, recap-es.html; no network needed).
RECAP_DIR ?= build/recap
.PHONY: recap
recap: $(STAMP)
	$(PY) -m dlkit.recap --out $(RECAP_DIR)
