# runninghub-video: every task a developer, QA or CI runs. `make help` lists them.
# Only Python 3.11+ and Node 20 are assumed; `make setup` installs the rest from lock files.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
PYTHON    ?= python3
UPSTREAM  := openapi/upstream
OVERLAY   := openapi/overlay.yaml
SPEC      := openapi/runninghub.yaml
PRISM     := node_modules/.bin/prism
REDOCLY   := node_modules/.bin/redocly
MOCK_PORT ?= 4010
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help setup lock import-spec spec generate check-generated deviation-table mock contract unasync lint docs test test-unit dist-check demo bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/$$(MOCK_PORT)/$(MOCK_PORT)/g' \
		| awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# ------------------------------------------------------------------ setup
setup: $(VENV)/.synced node_modules/.synced ## Python deps from requirements.lock, Node tools with npm ci (idempotent)

$(VENV)/.synced: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --editable .
	@touch $@

node_modules/.synced: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lock: $(VENV)/.synced ## Re-resolve requirements.lock from pyproject.toml (maintainers)
	$(BIN)/uv pip compile pyproject.toml --group dev --extra sandbox --universal --generate-hashes --quiet -o requirements.lock
	$(BIN)/uv pip compile --group pyproject.toml:bench -c requirements.lock --universal --generate-hashes --python-version 3.11 --quiet -o benchmarks/requirements.lock

# ------------------------------------------------------------------ the spec and the generated client
# $(call quoted,VAR): VAR's value exactly as given (no make expansion of `$`), single-quoted for
# the shell (so `$`, backticks, spaces and quotes in a file name stay text, never run).
quoted = '$(subst ','\'',$(value $(1)))'

import-spec: $(VENV)/.synced ## Add or update one vendor doc page in openapi/upstream/: make import-spec PAGE=page.md
	@test -n $(call quoted,PAGE) || { echo "usage: make import-spec PAGE=<vendor doc page .md>"; exit 2; }
	$(PY) scripts/import_page.py $(call quoted,PAGE) $(call quoted,UPSTREAM)

spec: $(VENV)/.synced ## Merge every page of openapi/upstream/ with the overlays -> openapi/runninghub.yaml (atomic)
	$(PY) scripts/build_spec.py $(UPSTREAM) $(OVERLAY) $(SPEC)

# scripts/generate.py builds the spec and the client in a temporary folder and swaps both in
# only when everything succeeded (custom templates: openapi/templates/).
generate: $(VENV)/.synced ## Regenerate openapi/runninghub.yaml and generated/runninghub_client (atomic)
	$(PY) scripts/generate.py

check-generated: $(VENV)/.synced ## Fail, naming files, if openapi/runninghub.yaml or generated/ are stale (every page)
	$(PY) scripts/generate.py --check

deviation-table: $(VENV)/.synced ## Rewrite the deviation tables of docs/deviations.md (generic rules and overlays)
	$(PY) scripts/deviations.py --write docs/deviations.md

# ------------------------------------------------------------------ mock, contract, lint, tests
mock: node_modules/.synced ## Run the Prism mock of the merged spec on 127.0.0.1:$(MOCK_PORT) (Ctrl-C stops it)
	exec $(PRISM) mock $(SPEC) --host 127.0.0.1 --port $(MOCK_PORT)

contract: setup ## schemathesis CLI against a Prism mock it starts and stops (schemathesis.toml)
	$(PY) -m tests.contract.run_cli

unasync: $(VENV)/.synced ## Regenerate _sync_client.py from _async_client.py (the client is written once)
	$(PY) scripts/unasync.py

lint: setup ## ruff, mypy --strict (examples/typed_client.py too), import layers, unasync check, OpenAPI validation, redocly
	$(PY) scripts/unasync.py --check
	$(BIN)/ruff check wrapper tests scripts benchmarks examples
	$(BIN)/ruff format --check wrapper tests scripts benchmarks examples
	$(BIN)/mypy
	PYTHONPATH=. $(BIN)/lint-imports --no-cache
	$(BIN)/openapi-spec-validator $(SPEC)
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1 \
		$(REDOCLY) lint --config openapi/redocly.yaml --format stylish $(SPEC)
	$(PY) scripts/deviations.py --check docs/deviations.md

# Offline: no plugin fetches anything (Material's built-in search only). NO_MKDOCS_2_WARNING=1
# silences the notice Material prints on every build (its end of life, May 2027; not a warning
# of the build, so --strict does not see it).
docs: $(VENV)/.synced ## Build the docs site (docs/, mkdocs.yml) into site/ with --strict: any warning fails
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

test: setup ## The README's test command: lint, docs, check-generated, the whole test suite (4 workers: most tests wait on sockets and processes)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory docs
	$(MAKE) --no-print-directory check-generated
	$(BIN)/pytest -n 4 --dist loadfile
	$(MAKE) --no-print-directory dist-check

# Needs only the venv: no node_modules, and no ffmpeg, Prism or CLI process is started (a unit test
# that tries fails, naming what it tried: tests/support/lanes.py). Each worker takes whole files
# (--dist loadfile): the fuzz and stateful files' last tests read what the others recorded.
test-unit: $(VENV)/.synced ## The fast unit lane (under a minute; 4 workers: many tests wait on sockets): no Node, no ffmpeg, no subprocess, loopback only
	RUNNINGHUB_FUZZ_SCALE=0.25 $(BIN)/pytest -m "not integration" -n 4 --dist loadfile

dist-check: setup ## Build the wheel, install it in clean venvs (with/without [sandbox]), use it from outside the repo
	$(PY) scripts/dist_check.py

demo: setup ## The main job: examples/sample.png -> out/demo.mp4 via the sandbox, no key needed
	$(PY) -m scripts.demo

bench: setup ## Benchmarks vs baselines measured in the same run (~5 min); tables into benchmarks/README.md
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r benchmarks/requirements.lock
	$(PY) -m benchmarks.run

clean: ## Remove the venv, node_modules, caches and the built docs site
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis site
