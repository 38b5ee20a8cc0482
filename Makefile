# The course in two commands:  `make lab`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
COURSE := $(VENV)/.course-installed
TESTS  := $(VENV)/.tests-installed
LAB_ARGS ?=
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)  # Jupyter refuses root without it (containers)

.PHONY: lab test test-unit test-notebooks test-browser install install-test notebooks data results bench clean

$(COURSE): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(TESTS): $(COURSE) requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(COURSE)       ## the course: pinned dependencies + il_helpers (editable)
install-test: $(TESTS)   ## plus pytest, nbval, playwright

lab: $(COURSE)           ## open the course in JupyterLab
	$(PY) -m jupyter lab --notebook-dir=notebooks $(ROOT_ARGS) $(LAB_ARGS)

test: $(TESTS)           ## unit tests + every notebook through nbval, in fast mode
	IL_FAST=1 $(PY) -m pytest -m "not browser" tests notebooks

test-unit: $(TESTS)
	IL_FAST=1 $(PY) -m pytest -m "not browser" tests

test-notebooks: $(TESTS)
	IL_FAST=1 $(PY) -m pytest notebooks

test-browser: $(TESTS)   ## JupyterLab in headless Chromium (needs Debian's chromium: apt-get install chromium)
	IL_FAST=1 $(PY) -m pytest -m browser tests -s

notebooks: $(COURSE)     ## re-execute every notebook in full mode and save its outputs
	$(PY) -m jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=1200 notebooks/*.ipynb

data: $(COURSE)          ## regenerate the shipped demonstrations and data/MANIFEST.sha256
	$(PY) -m il_helpers.data

results: $(COURSE)       ## regenerate the README's experts and results tables from the bench CLI
	$(PY) benchmarks/results.py

bench: $(COURSE)         ## speed figures (printed, never asserted)
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/widget_callbacks.py
	$(PY) benchmarks/maxent_irl_speed.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
