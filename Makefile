# The course in two commands:  `make lab`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
COURSE := $(VENV)/.course-installed
TESTS  := $(VENV)/.tests-installed
LAB_ARGS ?=
PRESENT_ARGS ?=
LINT_PATHS := conftest.py il_helpers tests benchmarks tools notebooks book
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)  # Jupyter refuses root without it (containers)

.PHONY: lab present book serve-book test test-unit test-notebooks test-browser install install-test lint notebooks notebook-times data results bench clean

$(COURSE): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(TESTS): $(COURSE) requirements-test.txt requirements-book.txt
	$(PY) -m pip install --quiet -r requirements-test.txt -r requirements-book.txt
	touch $@

install: $(COURSE)       ## the course: pinned dependencies + il_helpers (editable)
install-test: $(TESTS)   ## plus pytest, nbval, playwright, and Sphinx for make book

# the server's root is the repository, so the notebooks' links to ../README.md resolve; Lab opens on notebooks/.
# JupyterLab draws widgets and HTML outputs only in notebooks it trusts (a fresh clone's are not):
# `jupyter trust` signs the course's own notebooks for this user, so their saved widgets show.
lab: $(COURSE)           ## open the course in JupyterLab
	$(PY) -m jupyter trust notebooks/*.ipynb
	$(PY) -m jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(ROOT_ARGS) $(LAB_ARGS)

# make present NB=01: the notebook whose name starts with NB (its two-digit prefix), checked before anything runs
ifneq ($(filter present,$(MAKECMDGOALS)),)
  PRESENT_NB := $(if $(strip $(NB)),$(wildcard notebooks/$(strip $(NB))*.ipynb))
  NOTEBOOK_NAMES := $(notdir $(wildcard notebooks/*.ipynb))
  ifeq ($(strip $(NB)),)
    $(error make present needs NB, a notebook's two-digit prefix: make present NB=01 (notebooks: $(NOTEBOOK_NAMES)))
  else ifeq ($(words $(PRESENT_NB)),0)
    $(error make present: no notebook matches NB=$(NB); NB is a notebook's two-digit prefix (notebooks: $(NOTEBOOK_NAMES)))
  else ifneq ($(words $(PRESENT_NB)),1)
    $(error make present: NB=$(NB) matches $(words $(PRESENT_NB)) notebooks ($(notdir $(PRESENT_NB))); give the one you mean)
  endif
endif

# il_helpers.present is Voila's command line with a fix for a hang (see its docstring)
present: $(COURSE)       ## one notebook's widgets and plots without its code (Voila on 127.0.0.1): make present NB=01
	@echo "Presenting $(PRESENT_NB) (fast mode: IL_FAST=$${IL_FAST:-0}); open the URL with the token that Voila prints below."
	$(PY) -m il_helpers.present $(PRESENT_NB) --Voila.ip=127.0.0.1 --no-browser --token $(PRESENT_ARGS)

# TEST_WORKERS pytest-xdist processes (one test file or notebook at a time each; see conftest.py); 0 = no xdist
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadscope)
test: lint               ## lint, then unit tests + every notebook through nbval, in fast mode
	IL_FAST=1 $(PY) -m pytest $(XDIST) -m "not browser" tests notebooks

lint: $(TESTS)           ## ruff (rules in pyproject.toml) over the package, tests, benchmarks, tools and notebooks
	$(PY) -m ruff check $(LINT_PATHS)

test-unit: $(TESTS)
	IL_FAST=1 $(PY) -m pytest -m "not browser" tests

test-notebooks: $(TESTS)
	IL_FAST=1 $(PY) -m pytest notebooks

# the course website: the committed notebooks with their outputs (never re-executed), the README as the
# front page; offline (MathJax from the site); a warning fails the build
book: $(TESTS)           ## the course as a static website in build/book (Sphinx + MyST-NB, config in book/)
	$(PY) -m sphinx -b html -c book -E -W --keep-going -q . build/book
	@echo "Built build/book (front page build/book/index.html); make serve-book to look at it."

serve-book: book         ## serve build/book on http://127.0.0.1:8000
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory build/book

test-browser: $(TESTS)   ## JupyterLab, make present and the website (make book) in headless Chromium (needs Debian's chromium: apt-get install chromium)
	IL_FAST=1 $(PY) -m pytest -m browser tests -s

notebooks: $(COURSE)     ## write the headers, re-execute every notebook in full mode (one at a time), save outputs and times
	$(PY) tools/run_notebooks.py

notebook-times: $(COURSE)  ## time every notebook in fast mode (IL_FAST=1, on a copy: nothing saved) for the README
	$(PY) tools/run_notebooks.py --fast

# graded assignments (nbgrader): notebooks/ is the instructor's source; the course directory is build/nbgrader
# (its gradebook.db holds the tests, hidden ones too: keep it while you grade that release)
assignments: $(TESTS)    ## the student release in release/ (solutions replaced by stubs, hidden tests removed)
	$(PY) tools/assignments.py release

SUBMISSIONS ?= submitted
GRADES ?= build/nbgrader/grades.csv
autograde: $(TESTS)      ## grade SUBMISSIONS/<student>/<assignment>/*.ipynb (make assignments first); a CSV in GRADES
	IL_FAST=$${IL_FAST:-1} $(PY) tools/assignments.py autograde $(SUBMISSIONS) --csv $(GRADES)

data: $(COURSE)          ## regenerate the shipped demonstrations and data/MANIFEST.sha256
	$(PY) -m il_helpers.core.data

results: $(COURSE)       ## regenerate the README's experts and results tables from the bench CLI
	$(PY) benchmarks/results.py

bench: $(COURSE)         ## speed figures (printed, never asserted)
	$(PY) benchmarks/speed.py
	$(PY) benchmarks/widget_callbacks.py
	$(PY) benchmarks/maxent_irl_speed.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
