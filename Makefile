# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up .venv and the npm packages, check the data, run the notebooks, build _build/html
#   make test   the same set-up plus the browser, then the lint (make lint) and the tests
# and, for those who want them:
#   make audit  Lighthouse on every page of the built book, against the thresholds of issue 16
#   make bench  time clean and incremental builds against Jupyter Book 1
#   make bench-scale  time run matrices of 17, 50 and 200 runs and one-value rebuilds
#   make pdf    the book as one PDF, linked from every page of _build/html
#   make lock   compile requirements.txt from pyproject.toml again (pip-tools)
#   make lint   ruff, and the import contract of the layers (import-linter)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Each install is keyed on the content of what it installs from, so it reruns exactly when
# that file changed since the last install (a fresh clone's mtimes say nothing).
INSTALL_KEY := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(INSTALL_KEY)
# npm packages, each from its committed lock file: world-atlas (Natural Earth boundaries for the
# overview's map, read at build time) and axe-core (the accessibility audit of the browser tests).
GEO_DIR := tools/geo
GEO_STAMP := $(GEO_DIR)/node_modules/.installed-$(shell cat $(GEO_DIR)/package-lock.json | sha256sum | cut -c1-16)
AXE_DIR := tools/axe
AXE_STAMP := $(AXE_DIR)/node_modules/.installed-$(shell cat $(AXE_DIR)/package-lock.json | sha256sum | cut -c1-16)
# The outside judges of tests/test_judges.py and `make audit`: Lighthouse (12.2.3, the last
# major on Node 20) and the Nu HTML Checker (vnu.jar, run with Java 17).
LIGHTHOUSE_DIR := tools/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE_DIR)/node_modules/.installed-$(shell cat $(LIGHTHOUSE_DIR)/package-lock.json | sha256sum | cut -c1-16)
VNU_DIR := tools/vnu
VNU_STAMP := $(VNU_DIR)/node_modules/.installed-$(shell cat $(VNU_DIR)/package-lock.json | sha256sum | cut -c1-16)
# The browser tests drive Debian's Chromium through chromedriver (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
export CHROMIUM CHROMEDRIVER  # tests/browser.py reads them

.PHONY: book test lint lock check screenshots bench bench-scale browser audit clean pdf

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# requirements.txt: the exact version of everything .venv holds, compiled by pip-tools from
# pyproject.toml's dependencies and its dev extra (the tests, the lint, pip-tools itself). The
# versions it already pins are kept unless pyproject.toml asks for others; the package itself is
# installed from the folder, after it (above). Run after editing the dependencies.
lock: $(STAMP)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --extra dev --strip-extras \
		--no-emit-index-url --no-emit-find-links --output-file requirements.txt pyproject.toml

# npm ci from the lock file in the target's folder; Debian's npm is installed first when it is
# missing and make runs as root (as in CI), otherwise make stops and says how to install it.
define npm_ci
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Debian's npm"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@command -v npm >/dev/null || { echo "make: npm is missing (needed for $(1)). Install it with:"; \
		echo "make:     sudo apt-get install -y npm   (then run make again)"; exit 1; }
	npm ci --prefix $(dir $(@D)) --no-audit --no-fund --loglevel=error
	rm -f $(@D)/.installed-*
	touch $@
endef

$(GEO_STAMP): $(GEO_DIR)/package-lock.json $(GEO_DIR)/package.json
	$(call npm_ci,the overview map's boundaries)

$(AXE_STAMP): $(AXE_DIR)/package-lock.json $(AXE_DIR)/package.json
	$(call npm_ci,the accessibility audit)

$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE_DIR)/package-lock.json $(LIGHTHOUSE_DIR)/package.json
	$(call npm_ci,Lighthouse)

$(VNU_STAMP): $(VNU_DIR)/package-lock.json $(VNU_DIR)/package.json
	$(call npm_ci,the HTML checker)

# Chromium and chromedriver from Debian: installed here when missing and make runs as root
# (as in CI); otherwise the command to run is printed, and the browser tests then fail and
# say what is missing (they are never skipped).
browser: $(AXE_STAMP) $(LIGHTHOUSE_STAMP) $(VNU_STAMP)
	@if command -v java >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Debian's Java runtime for the HTML checker"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	else \
		echo "make: the HTML checker needs Java 17. Install it with:"; \
		echo "make:     sudo apt-get install -y default-jre-headless"; \
	fi
	@if [ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Debian's chromium and chromium-driver for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "make: the browser tests need Chromium and chromedriver from Debian. Install them with:"; \
		echo "make:     sudo apt-get update && sudo apt-get install -y chromium chromium-driver"; \
		echo "make: until then the browser tests in tests/test_browser.py fail."; \
	fi

book: $(STAMP) $(GEO_STAMP)
	$(BIN)/amudarya build

check: $(STAMP)
	$(BIN)/amudarya check

# The PDF edition of the whole book, printed offline by Chromium from _build/html into
# _build/html/_downloads/pdf/, and a link to it added to every page (see amudarya/render/pdf.py).
pdf: book browser
	$(BIN)/python -m amudarya.render.pdf

# ruff over the code, tests, bench, tools and notebooks (rules in pyproject.toml, [tool.ruff]):
# the lint rules, then the format check, which fails on a file `ruff format` would change (run
# `ruff format src tests bench tools notebooks` to fix it); then the layers of src/amudarya/
# import only downward, and the package never imports the tests (the contracts in
# pyproject.toml, [tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench tools notebooks
	$(BIN)/lint-imports --no-logo

# The tests run in two processes (pytest-xdist), a test file to each at a time, so that one
# builds a book while the other drives the browser: one session book serves both, and the
# Lighthouse tests run alone (see tests/conftest.py). TEST_WORKERS=1 runs them in one process.
TEST_WORKERS ?= 2
test: lint $(STAMP) $(GEO_STAMP) browser
	$(BIN)/python -m pytest --numprocesses $(TEST_WORKERS) --dist loadfile

# Full-page screenshots of every page of _build/html (run `make book` first) at desktop and
# phone widths, into _build/screenshots/, to look at.
screenshots: $(STAMP) browser
	$(BIN)/python tools/screenshots.py

# Lighthouse on every page of _build/html (run `make book` first); fails if a page falls short.
audit: $(STAMP) browser
	$(BIN)/python tools/audit.py

# Rebuild times against Jupyter Book 1, written to bench/results.md (about 12 minutes).
bench: $(STAMP) $(GEO_STAMP)
	$(BIN)/python bench/bench.py

# Run matrices of the book's own runs, 50 and 200, and rebuilds after one changed value, into
# bench/results.md (about 25 minutes on 2 quiet cores). SCALE_ARGS="--sizes 17 --no-write" checks
# the bench itself in a few minutes; SCALE_ARGS="--engines 05eda42,93e9104" also times the
# home-made pool against Dask on the book of 05eda42 (see bench/scale.py).
SCALE_ARGS ?=
bench-scale: $(STAMP) $(GEO_STAMP)
	$(BIN)/python bench/scale.py $(SCALE_ARGS)

clean:
	rm -rf _build book/_generated book/_toc.yml
