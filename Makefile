# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up .venv, check the data, run the notebooks, build _build/html
#   make test   set up .venv and the browser tools, run the tests
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The install is keyed on the content of what it installs from, so it reruns exactly when
# requirements.txt or pyproject.toml changed since the last install.
INSTALL_KEY := $(shell cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(INSTALL_KEY)
# axe-core (the accessibility audit in tests/test_browser.py) comes from npm, installed from
# tools/axe/package-lock.json and, like the venv, again only when that file changed.
AXE_DIR := tools/axe
AXE_KEY := $(shell cat $(AXE_DIR)/package-lock.json | sha256sum | cut -c1-16)
AXE_STAMP := $(AXE_DIR)/node_modules/.installed-$(AXE_KEY)
# The browser tests drive Debian's Chromium through chromedriver (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
CHROMEDRIVER ?= /usr/bin/chromedriver
export CHROMIUM CHROMEDRIVER  # tests/browser.py reads them

.PHONY: book test check screenshots browser clean

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(AXE_STAMP): $(AXE_DIR)/package-lock.json $(AXE_DIR)/package.json
	@if ! command -v npm >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Debian's npm for axe-core"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	fi
	@if command -v npm >/dev/null; then \
		npm ci --prefix $(AXE_DIR) --no-audit --no-fund --loglevel=error && \
		rm -f $(AXE_DIR)/node_modules/.installed-* && touch $(AXE_STAMP); \
	else \
		echo "make: the accessibility audit needs axe-core from npm, and npm is missing. Install it with:"; \
		echo "make:     sudo apt-get install -y npm && npm ci --prefix $(AXE_DIR)"; \
		echo "make: until then the browser tests in tests/test_browser.py fail."; \
	fi

# Chromium and chromedriver from Debian: installed here when missing and make runs as root
# (as in CI); otherwise the command to run is printed, and the browser tests then fail and
# say what is missing (they are never skipped).
browser: $(AXE_STAMP)
	@if [ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "make: installing Debian's chromium and chromium-driver for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "make: the browser tests need Chromium and chromedriver from Debian. Install them with:"; \
		echo "make:     sudo apt-get update && sudo apt-get install -y chromium chromium-driver"; \
		echo "make: until then the browser tests in tests/test_browser.py fail."; \
	fi

book: $(STAMP)
	$(BIN)/amudarya build

check: $(STAMP)
	$(BIN)/amudarya check

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Full-page screenshots of every page of _build/html (run `make book` first) at desktop and
# phone widths, into _build/screenshots/, to look at.
screenshots: $(STAMP) browser
	$(BIN)/python tools/screenshots.py

clean:
	rm -rf _build book/_generated book/_toc.yml
