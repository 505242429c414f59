# glue-provisioner: run `make help` for the list of targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
NODE_STAMP := node_modules/.installed
VENV_STAMP := $(VENV)/.installed
# Glue 6.0's PySpark 4.1.1 on Python 3.13, beside the 5.x one in $(VENV).
PYTHON_SPARK4 ?= $(shell scripts/find-python313.sh)
VENV_SPARK4 := .venv-spark4
VENV_SPARK4_STAMP := $(VENV_SPARK4)/.installed
# The job's tests on 4.1.1: by default those that run it end to end (paths and Glue modes), the
# contract and drift, to keep `make test` within its time; JOB_TESTS_SPARK4=glue-job/tests runs
# every one of them (about as long again as the 3.5.4 suite).
JOB_TESTS_SPARK4 ?= glue-job/tests/test_job_end_to_end.py glue-job/tests/test_job_glue.py \
	glue-job/tests/test_contract.py glue-job/tests/test_drift.py

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

$(VENV_SPARK4_STAMP): requirements-spark4.txt
	@test -n "$(PYTHON_SPARK4)" || { echo "no Python 3.13 found (see scripts/find-python313.sh); set PYTHON_SPARK4=PATH" >&2; exit 1; }
	$(PYTHON_SPARK4) -m venv $(VENV_SPARK4)
	$(VENV_SPARK4)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_SPARK4)/bin/python -m pip install --quiet -r requirements-spark4.txt
	@touch $@

.PHONY: install
install: $(NODE_STAMP) $(VENV_STAMP) $(VENV_SPARK4_STAMP) ## Install Node and Python dependencies (both PySparks: 3.5.4 for Glue 5.x, 4.1.1 for 6.0)

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
test-job: $(VENV_STAMP) $(VENV_SPARK4_STAMP) ## Glue job tests on local Spark: PySpark 3.5.4 (Glue 5.x), then 4.1.1 (Glue 6.0)
	$(VENV_PY) -m pytest -q glue-job/tests
	$(VENV_SPARK4)/bin/python -m pytest -q $(JOB_TESTS_SPARK4)

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

.PHONY: bench-contract
bench-contract: install build ## Benchmark the data contract's check of rawdata/ against the upload of the same files, with and without a realistic link
	$(VENV_PY) bench/contract_bench.py $(BENCH_ARGS)

.PHONY: clean
clean: ## Remove build output and installed dependencies
	rm -rf dist dist-check node_modules $(VENV) $(VENV_SPARK4) .venv-bench
