# Two commands for a newcomer: `make run` shows the tool working, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean demo

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hicp needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## run: install, then score and plan the example clinic and show the guided assessment's first step
run: $(STAMP)
	@$(BIN)/hicp score examples/small-clinic.yaml
	@echo
	@$(BIN)/hicp plan examples/small-clinic.yaml --top 3
	@echo
	@echo "Try it on your own organization:  $(BIN)/hicp size   then   $(BIN)/hicp init my-org.yaml --size small   and   $(BIN)/hicp assess my-org.yaml"

## test: install, lint, type-check and run the whole test suite
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
