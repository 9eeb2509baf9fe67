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

## run: install, then start the web app at http://127.0.0.1:8000 with a demo organization
run: $(STAMP)
	@echo "Starting the web app with a demo organization (sample data, clearly marked)."
	@echo "The command line works too: $(BIN)/hicp --help"
	@$(BIN)/hicp serve --demo

## demo: the command-line tour: score and plan the example clinic
demo: $(STAMP)
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
