# The two commands in the README: `make site` builds the site, `make test` lints the code and runs
# every test. Both set up a virtual environment in .venv first, so a fresh clone needs nothing else
# but Python 3.11+, Node.js (for the HTML checker), Java 17 and Chromium (for the browser tests).
# Python packages are installed at the versions requirements-ci.txt locks (`make lock` renews it).
VENV ?= .venv
PYTHON := $(VENV)/bin/python

.PHONY: site check serve test test-no-browser lock setup setup-test clean

site: setup
	$(PYTHON) build.py

check: setup
	$(PYTHON) build.py check

serve: setup
	$(PYTHON) build.py serve

test: setup-test
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest

test-no-browser: setup-test
	$(PYTHON) -m ruff check .
	$(PYTHON) -m pytest -m "not browser"

# Every package the tests need, at the versions installed now (the project itself left out).
lock: setup-test
	{ echo "# What CI installs, at these versions (pip install -c requirements-ci.txt). Renew: make lock"; \
	  $(PYTHON) -m pip freeze --exclude-editable | grep -v '^ap-directory'; } > requirements-ci.txt

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test node_modules/.installed

$(VENV)/.installed: pyproject.toml requirements-ci.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -c requirements-ci.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements-ci.txt $(VENV)/.installed
	$(PYTHON) -m pip install --quiet -c requirements-ci.txt -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf _site _site.* .pytest_cache
