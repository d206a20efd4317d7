# Every target creates what it needs from a clean clone: .venv from requirements/constraints.txt,
# tools/node_modules from tools/package-lock.json. Nothing is taken from the host but python3 and npm.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
NODE_STAMP := tools/node_modules/.installed

# `make conformance` against a deployment instead of the emulator (see README).
BASE_URL ?=
MERCHANT_ID ?=
SECRET_KEY ?=
# WRITE=1: against a deployment, also run the operations that create orders or move money. SEED=n: reproduce a run.
# PROXY=1: run through the validating proxy (`cpay-emulator proxy`), which adds its reports to reports/proxy/.
# STRICT=1: fail when the emulator serves an operation statelessly from the spec or never fills a response field.
# OPERATIONS=id,id: only these operationIds. MAX_EXAMPLES=n: test cases per operation and phase.
WRITE ?=
SEED ?=
PROXY ?=
STRICT ?=
OPERATIONS ?=
MAX_EXAMPLES ?=
# `make generate BUMP=1`: record the release the change report proposes (BUMP=minor|major: at least that level).
# `make generate BASE=<git ref>`: report against openapi.yaml at that ref instead of the latest release.
# `make generate OVERLAY=overlay.yaml`: first apply that Overlay 1.0 document to openapi.yaml (`cpay-emulator spec
# apply`, which adds its rows to docs/spec-notes.md), e.g. one `cpay-emulator spec suggest` wrote from recorded traffic.
BUMP ?=
BASE ?=
OVERLAY ?=

.PHONY: help venv node chromium test pytest lint generate check-generated docs conformance bench emulator lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements/dev.in requirements/constraints.txt pyproject.toml sdk/pyproject.toml emulator/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -c requirements/constraints.txt -r requirements/dev.in
	$(PY) -m pip uninstall --quiet --yes cpay-openapi cpay-emulator cpay-client >/dev/null 2>&1 || true
	$(PY) -m pip install --quiet --no-deps -e generated -e sdk -e emulator
	touch $@

venv: $(STAMP)  ## create .venv with the pinned development environment

$(NODE_STAMP): tools/package.json tools/package-lock.json
	cd tools && npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: $(NODE_STAMP)  ## install the pinned Node tools (Redocly CLI, Prism, the docs site's iframe-worker shim)

test: $(STAMP) lint check-generated pytest  ## everything CI runs: lint, generated-client drift, unit/e2e/conformance tests

# The Node tools too: tests/e2e/test_prism_proxy.py runs Prism's validating proxy in front of the emulator, and
# tests/e2e/test_docs_browser.py builds the API references with Redocly CLI (and the docs site its iframe-worker shim).
# On PYTEST_WORKERS processes (pytest-xdist; 1 runs them in this process). tests/conftest.py keeps a module's
# tests on one worker when they share a module or session fixture, and spreads the others test by test.
PYTEST_WORKERS ?= 2
pytest: $(STAMP) $(NODE_STAMP) chromium
	$(BIN)/pytest $(if $(filter-out 1,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadgroup) --cov=cpay --cov-branch --cov-report=term-missing

# The browser tests (tests/e2e/test_*_browser.py: the cashier page, the API references) drive Debian's Chromium;
# they skip, saying why, only where the packages are missing and cannot be installed (not root, or no apt-get).
chromium:  ## install Debian's chromium and chromium-driver for the browser tests when they are missing
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and chromium-driver (Debian packages) for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "chromium/chromedriver missing and not installable here (needs root and apt-get): the browser test skips"; \
	fi

lint: $(STAMP) $(NODE_STAMP)  ## ruff, mypy --strict, the import contracts (import-linter), openapi-spec-validator, Redocly
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy tests/conftest.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/openapi-spec-validator openapi.yaml
	tools/node_modules/.bin/redocly lint openapi.yaml --config redocly.yaml

generate: $(STAMP)  ## regenerate generated/ from openapi.yaml, print the change report; BUMP=1 records the release; OVERLAY=file applies an overlay first
	$(if $(OVERLAY),$(BIN)/cpay-emulator spec apply '$(OVERLAY)' --spec openapi.yaml --notes docs/spec-notes.md)
	$(PY) generator/generate.py $(if $(BUMP),--bump $(if $(filter 1 yes true,$(BUMP)),proposed,$(BUMP))) $(if $(BASE),--base '$(BASE)')

# Then mypy --strict over all of generated/ (generator/mypy.ini: the repo's own config skips generated code).
check-generated: $(STAMP)  ## fail if generated/ is not what openapi.yaml generates, breaks callers under the same major, or fails mypy --strict
	$(PY) generator/generate.py --check
	$(BIN)/mypy --config-file generator/mypy.ini generated/cpay_client

# The references are single HTML files and the site a folder of pages (mkdocs.yml), all working offline
# (docs/reference/build.py says how); the emulator serves them at /docs, /docs/site and /_emulator/docs.
docs: $(STAMP) $(NODE_STAMP)  ## build the docs site (reports/docs/site/) and the HTTP references (openapi.yaml, the control API) into reports/docs/
	$(PY) docs/reference/build.py --output reports/docs

# Credentials reach the runner through the environment, so make never echoes the secret.
ifneq ($(MERCHANT_ID),)
conformance: export CPAY_MERCHANT_ID = $(MERCHANT_ID)
endif
ifneq ($(SECRET_KEY),)
conformance: export CPAY_SECRET_KEY = $(SECRET_KEY)
endif
conformance: $(STAMP)  ## Schemathesis vs the emulator [STRICT=1] [SEED=n] [OPERATIONS=id,id] [PROXY=1]; or BASE_URL=... MERCHANT_ID=... SECRET_KEY=... [WRITE=1]
	PYTHONPATH=tests/conformance$${PYTHONPATH:+:$$PYTHONPATH} $(PY) -m cpay_conformance $(if $(BASE_URL),--base-url '$(BASE_URL)') $(if $(WRITE),--write) $(if $(SEED),--seed $(SEED)) $(if $(PROXY),--proxy) \
		$(if $(filter 1 yes true,$(STRICT)),--strict) $(if $(OPERATIONS),--operations '$(OPERATIONS)') $(if $(MAX_EXAMPLES),--max-examples $(MAX_EXAMPLES))

emulator: $(STAMP)  ## run the C-Pay emulator on 127.0.0.1:8000 (ARGS='--port 0 --db :memory: ...'; see --help)
	$(BIN)/cpay-emulator serve $(ARGS)

bench: $(STAMP) $(NODE_STAMP)  ## print the speed figures (signing vs bare HMAC, client vs raw httpx, emulator vs Prism, proxy, ...)
	$(PY) bench/bench_signing.py
	$(PY) bench/bench_client.py
	$(PY) bench/bench_emulator.py
	$(PY) bench/bench_proxy.py
	$(PY) bench/bench_conformance.py

lock:  ## re-resolve requirements/dev.in into requirements/constraints.txt
	rm -rf /tmp/cpay-lock-venv && $(PYTHON) -m venv /tmp/cpay-lock-venv
	/tmp/cpay-lock-venv/bin/pip install --quiet -r requirements/dev.in
	{ sed -n '1,2p' requirements/constraints.txt; /tmp/cpay-lock-venv/bin/pip freeze --exclude-editable; } > requirements/constraints.new
	mv requirements/constraints.new requirements/constraints.txt

clean:  ## remove the virtual environment, Node tools and reports
	rm -rf $(VENV) tools/node_modules reports .pytest_cache .mypy_cache .ruff_cache
