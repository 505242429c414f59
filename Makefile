# glue-provisioner: run `make help` for the list of targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
NODE_STAMP := node_modules/.installed
VENV_STAMP := $(VENV)/.installed

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(VENV_STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --quiet --upgrade pip
	$(VENV_PY) -m pip install --quiet -r requirements.txt
	@touch $@

.PHONY: install
install: $(NODE_STAMP) $(VENV_STAMP) ## Install Node and Python dependencies

.PHONY: build
build: $(NODE_STAMP) ## Bundle the CLI into dist/ (esbuild; `make typecheck` checks the types)
	npm run --silent build

.PHONY: docs
docs: $(NODE_STAMP) ## Write README.md's list of options from the option tables
	node scripts/options-doc.mjs

.PHONY: typecheck
typecheck: $(NODE_STAMP) ## Type-check sources and tests
	npm run --silent typecheck

.PHONY: lint
lint: $(NODE_STAMP) ## Lint the TypeScript, and check that imports only point down the layers (docs/architecture.md)
	npm run --silent lint

.PHONY: lint-python
lint-python: $(VENV_STAMP) ## Lint and type-check the Python (Glue job, scripts, benchmarks)
	$(VENV)/bin/ruff check glue-job scripts bench
	$(VENV)/bin/mypy

.PHONY: test-unit
test-unit: $(NODE_STAMP) ## Unit tests (mocked AWS SDK); the report's page is also checked in headless chromium
	scripts/ensure-chromium.sh
	npm run --silent test:unit

.PHONY: test-integration
test-integration: install build ## Integration tests against a local moto server
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm run --silent test:integration

.PHONY: test-job
test-job: $(VENV_STAMP) ## Glue job tests on local Spark
	$(VENV_PY) -m pytest -q glue-job/tests

.PHONY: test
test: install typecheck lint lint-python test-unit test-integration test-job image-test ## Everything CI runs

.PHONY: demo
demo: install build ## Run the whole pipeline on a local emulator, then tear it down
	scripts/demo.sh

.PHONY: bench
bench: $(VENV_STAMP) ## Benchmark the Glue job against a DuckDB peer over 3M and 12M rows, fresh and with history
	$(VENV_PY) bench/job_bench.py

.PHONY: image
image: ## Build the container image (docker if an engine runs, else buildah)
	scripts/image-build.sh

.PHONY: image-test
image-test: build ## Build the image and run it against a local moto server
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" scripts/image-test.sh

.PHONY: bench-sync
bench-sync: install build ## Benchmark up against aws s3 sync on a local emulator
	$(VENV_PY) bench/sync_bench.py

.PHONY: bench-transfer
bench-transfer: install build ## Benchmark up's transfers against aws s3 cp/sync and rclone, with and without latency
	$(VENV_PY) bench/transfer_bench.py $(BENCH_ARGS)

.PHONY: clean
clean: ## Remove build output and installed dependencies
	rm -rf dist dist-check node_modules $(VENV) .venv-bench
