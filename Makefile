# The two commands in the README: `make site` builds the site, `make test` runs every test.
# Both set up a virtual environment in .venv first, so a fresh clone needs nothing else but
# Python 3.11+, Node.js (for the HTML checker), Java 17 and Chromium (for the browser tests).
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: site check serve test setup setup-test clean

site: setup
	$(PYTHON) build.py

check: setup
	$(PYTHON) build.py check

serve: setup
	$(PYTHON) build.py serve

test: setup-test
	$(PYTHON) -m pytest

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test node_modules/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf _site _site.* .pytest_cache
