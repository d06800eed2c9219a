# risk-register: the two commands are `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
SCALE ?= 1

.PHONY: install run serve migrate demo test test-sqlite lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## Set up, migrate the embedded SQLite database, load the demo estate (once) and serve on $(HOST):$(PORT).
run: install migrate demo
	RISK_REGISTER_DEMO_MODE=true $(BIN)/risk-register serve --host $(HOST) --port $(PORT)

migrate: install
	$(BIN)/risk-register migrate

demo: install
	$(BIN)/risk-register demo load --scale $(SCALE)

## Set up and run the whole suite (SQLite; PostgreSQL too when RISK_REGISTER_TEST_POSTGRES_URL is set).
test: install
	$(BIN)/pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check risk_register tests benchmarks
	$(BIN)/ruff format --check risk_register tests benchmarks
	$(BIN)/mypy

format: install
	$(BIN)/ruff format risk_register tests benchmarks
	$(BIN)/ruff check --fix risk_register tests benchmarks

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
