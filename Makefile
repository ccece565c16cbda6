# Two commands for a fresh machine (only Python 3.11+ and pip needed):
#   make lab    set up .venv and open the collection in JupyterLab
#   make test   set up .venv and run every test (unit tests, notebooks via papermill, nbval)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
# Jupyter refuses to run as root unless told; containers and CI often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test unit notebooks outputs bench clean help

help:
	@echo "make lab | test | notebooks | outputs | site | student | gan-data | browser-test | bench | clean"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m pip install --no-deps -e .
	$(BIN)/python tools/check_no_cuda.py
	touch $(STAMP)

# JupyterLab on localhost only, with token authentication left on (the URL with the token is printed).
lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks $(ROOT_FLAG)

# Every test: nbval over the notebooks in quick mode (`pytest --nbval-lax`, two at once; each run keeps its
# metrics), then rlcore's unit tests and each notebook run by papermill in quick mode with its claims
# asserted; the determinism test compares papermill's run with nbval's run of the same seed.
test: $(STAMP)
	RLCORE_QUIET=1 RLCORE_QUICK=1 $(BIN)/python tools/nbval_shards.py --metrics-dir build/nbval-metrics
	RLCORE_QUIET=1 RLCORE_SAME_SEED_METRICS=build/nbval-metrics $(BIN)/python -m pytest tests

unit: $(STAMP)
	RLCORE_QUIET=1 $(BIN)/python -m pytest tests -m "not notebook"

# Execute every notebook in full mode into build/notebooks/ and render HTML next to it.
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --out build/notebooks --html

# Re-execute the committed notebooks in place in full mode (refreshes the outputs a reader sees on GitHub).
outputs: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --in-place

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_notebooks.py

clean:
	rm -rf build .pytest_cache

.PHONY: site browser-test student gan-data

# Lesson 08's stored GAN runs (rlcore/data/gan_runs.npz and gan_sharp.npz; tests retrain one seed's prefix and
# compare): regenerate them after changing the GAN or its setups (about 10 + 10 minutes on 2 cores).
gan-data: $(STAMP)
	RLCORE_QUIET=1 $(BIN)/python tools/precompute_gan.py
	RLCORE_QUIET=1 $(BIN)/python -m rlcore.analysis.gan_sharp

# Student copies of the lessons in build/student/: cells tagged `solution` removed, outputs cleared
# (nbconvert's TagRemovePreprocessor), for courses that hand the lessons out as problem sets.
student: $(STAMP)
	$(BIN)/python tools/student.py --out build/student

# A static, read-only HTML site of the executed lessons in build/site/ (index.html lists every lesson).
site: notebooks
	$(BIN)/python tools/site.py --source build/notebooks --out build/site

# Every lesson run in JupyterLab in headless Chromium (Debian's /usr/bin/chromium; skips if it is missing),
# quick mode; screenshots in build/screenshots/.
browser-test: $(STAMP)
	$(BIN)/python -m pip install -q -r requirements-browser.txt
	$(BIN)/python -m pytest -p no:cacheprovider -v -s tests/browser/check_lab.py
