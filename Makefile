# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up .venv, check the data, run the notebooks, build _build/html
#   make test   set up .venv, run the tests
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The install is keyed on the content of what it installs from, so it reruns exactly when
# requirements.txt or pyproject.toml changed since the last install.
INSTALL_KEY := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(INSTALL_KEY)
# The overview's map reads Natural Earth boundaries from the npm package world-atlas, installed
# into tools/geo/node_modules from the committed lock file and, like the venv, again only when
# that file changed. Nothing is fetched when the book is built.
GEO_DIR := tools/geo
GEO_KEY := $(shell cat $(GEO_DIR)/package-lock.json | sha256sum | cut -c1-16)
GEO_STAMP := $(GEO_DIR)/node_modules/.installed-$(GEO_KEY)

.PHONY: book test check clean

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(GEO_STAMP): $(GEO_DIR)/package-lock.json $(GEO_DIR)/package.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Debian's npm for the map boundaries (world-atlas)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@command -v npm >/dev/null || { echo "make: the overview map needs the npm package world-atlas, and npm is missing. Install it with:"; \
		echo "make:     sudo apt-get install -y npm   (then run make again)"; exit 1; }
	npm ci --prefix $(GEO_DIR) --no-audit --no-fund --loglevel=error
	rm -f $(GEO_DIR)/node_modules/.installed-*
	touch $(GEO_STAMP)

book: $(STAMP) $(GEO_STAMP)
	$(BIN)/amudarya build

check: $(STAMP)
	$(BIN)/amudarya check

test: $(STAMP) $(GEO_STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf _build book/_generated book/_toc.yml
