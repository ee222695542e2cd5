# winnow — every task a user or CI runs. `make help` lists them.
# The two set-up commands of the README: `make serve` and `make test`.

PYTHON  ?= $(shell command -v python3.11 || command -v python3)
VENV    ?= .venv
BIN     := $(VENV)/bin
SHARED  ?= ../shared/corpora
CORPORA ?= data/labels
MODEL   ?= models/default
DATA    ?= $(SHARED)
HOST    ?= 127.0.0.1
PORT    ?= 8000

.DEFAULT_GOAL := help
.PHONY: help serve test lint format train default-model eval bench bench-serve label clean-page browser lock

help:  ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/.stamp-run: requirements/run.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/run.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(BIN)/.stamp-dev: $(BIN)/.stamp-run requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

browser:  ## install headless Chromium for the browser tests (Debian packages)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null \
	  || echo "warning: could not install chromium; the browser tests will be skipped"; }

serve: $(BIN)/.stamp-run  ## run the service with the committed model (gunicorn, $(HOST):$(PORT))
	WINNOW_HOST=$(HOST) WINNOW_PORT=$(PORT) $(BIN)/winnow serve

test: $(BIN)/.stamp-dev browser lint  ## lint, then the whole test suite
	$(BIN)/python -m pytest

lint: $(BIN)/.stamp-dev  ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.stamp-dev  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

train: $(BIN)/.stamp-run  ## train from CORPORA (default data/labels), write models/<name>/
	$(BIN)/winnow train $(CORPORA)

default-model: $(BIN)/.stamp-run  ## reproduce the committed default model (needs ../shared)
	$(BIN)/winnow train data/labels $(SHARED) --name default --force

eval: $(BIN)/.stamp-dev  ## precision/recall report of MODEL on DATA into reports/
	$(BIN)/winnow eval --model $(MODEL) $(DATA)

bench: $(BIN)/.stamp-dev  ## speed and memory of clean(), batch cleaning and training
	$(BIN)/winnow bench $(SHARED)

bench-serve: $(BIN)/.stamp-dev  ## load test of the service on loopback
	$(BIN)/python -m winnow.serve.loadtest

label: $(BIN)/.stamp-run  ## open the labelling tool on loopback
	$(BIN)/winnow label

lock:  ## re-pin requirements/*.txt from a fresh resolve (review the diff)
	rm -rf /tmp/winnow-lock && $(PYTHON) -m venv /tmp/winnow-lock
	/tmp/winnow-lock/bin/pip install --quiet numpy pandas scipy scikit-learn lightgbm "lleaves>=1.3" "llvmlite<0.45" "numba<0.62" joblib flask gunicorn prometheus-client rich
	{ echo "# Pinned runtime dependencies (the service, clean, train). Regenerate: make lock."; /tmp/winnow-lock/bin/pip freeze; } > requirements/run.txt
	/tmp/winnow-lock/bin/pip install --quiet pytest hypothesis ruff playwright matplotlib pyspark pyarrow openapi-spec-validator
	{ echo "# Pinned development dependencies: tests, lint, eval plots, browser and Spark tests."; echo "-r run.txt"; \
	  /tmp/winnow-lock/bin/pip freeze | grep -vxFf requirements/run.txt; } > requirements/dev.txt
