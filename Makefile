# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up .venv, check the data, run the notebooks, build _build/html
#   make test   set up .venv, run the tests
#   make bench  time clean and incremental builds against Jupyter Book 1
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The install is keyed on the content of what it installs from, so it reruns exactly when
# requirements.txt or pyproject.toml changed since the last install.
INSTALL_KEY := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(INSTALL_KEY)

.PHONY: book test check bench clean

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/amudarya build

check: $(STAMP)
	$(BIN)/amudarya check

test: $(STAMP)
	$(BIN)/python -m pytest

# Rebuild times against Jupyter Book 1, written to bench/results.md (a few minutes).
bench: $(STAMP)
	$(BIN)/python bench/bench.py

clean:
	rm -rf _build book/_generated book/_toc.yml
