# hotline: make install · make run · make test  (each idempotent, on a fresh machine)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
PIP_VERSION := 26.3
UV_VERSION  := 0.13.10

# npm's packages, and the workbench built from web/ into the folder the Python package serves at /.
NPM_STAMP   := node_modules/.installed-by-make
WORKBENCH   := src/hotline/entrypoints/web/static/workbench/index.html
WEB_SOURCES := $(shell find web -type f -not -path '*/node_modules/*' 2>/dev/null)
API_TYPES   := web/src/api/schema.d.ts

.PHONY: install lock run test lint lint-web pytest pytest-postgres test-web test-slow e2e screenshots \
        check-api-types clean

install: $(STAMP) $(NPM_STAMP) $(WORKBENCH)

# Python packages come from requirements.lock (exact versions with their hashes), never from
# whatever is newest on the day of the install; the project itself is installed without
# dependencies on top. `make lock` re-resolves the lock (docs/decisions/0028).
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'pip==$(PIP_VERSION)'
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# The newest versions pyproject.toml allows, resolved for every platform, with hashes. Review the
# difference, run `make test`, commit requirements.lock.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'uv==$(UV_VERSION)'
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes --upgrade --quiet --custom-compile-command "make lock" -o requirements.lock

# Divisions, boundaries, Swagger UI and the workbench's build tools come from npm into
# node_modules, never into git.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# Rebuilt when any file under web/ changes (sources, config, index.html), not only the lockfile.
$(WORKBENCH): $(NPM_STAMP) $(WEB_SOURCES) package-lock.json
	npm run --silent web:build
	test -f $(WORKBENCH)

# The demo city (docs/decisions/0033): migrate, seed, build the demo on an empty database or
# catch it up to today (a real centre's database is left alone), store the latest editions, then
# the server and the worker together; Ctrl-C stops both. HOTLINE_ENV=demo unless set (production
# refuses). DEMO_ARGS go to `hotline demo` (e.g. "--months 2 --per-day 10"), RUN_ARGS to
# `hotline run` (e.g. "--live").
DEMO_ARGS ?=
RUN_ARGS  ?=
run: export HOTLINE_ENV ?= demo
run: install
	$(BIN)/hotline db upgrade
	$(BIN)/hotline seed --demo-users
	$(BIN)/hotline demo --skip-real $(DEMO_ARGS)
	$(BIN)/hotline run --host $(HOST) --port $(PORT) $(RUN_ARGS)

lint: install lint-web check-api-types
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

lint-web: install
	npm run --silent web:typecheck
	npm run --silent web:lint

# The committed API types must be what the API's OpenAPI document gives today.
check-api-types: install
	@tmp=$$(mktemp --suffix=.d.ts) && trap 'rm -f "$$tmp"' EXIT && \
	node web/scripts/gen-api.mjs "$$tmp" >/dev/null && \
	if ! cmp -s "$$tmp" $(API_TYPES); then \
	  echo "$(API_TYPES) is stale: the API changed since it was generated." >&2; \
	  echo "Run 'npm run web:gen-api' and commit the result. Difference (the file → the API now):" >&2; \
	  diff -u $(API_TYPES) "$$tmp" | head -n 40 >&2; \
	  exit 1; \
	fi

# The whole Python suite (browser tests included, on SQLite) except tests marked slow.
pytest: install
	$(BIN)/pytest

pytest-postgres: install
	HOTLINE_TEST_DATABASE_URL=$${HOTLINE_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(BIN)/pytest

test-web: install
	npm run --silent web:test

test: lint pytest test-web

# Long suites, kept out of `make test`. Exit status 5 is pytest's "nothing selected". Then
# mutation testing of src/hotline/domain/ (docs/testing.md): MUTANTS='hotline.domain.sla.*' runs
# one module; the core rule modules must keep MUTATION_FLOOR of their mutants killed.
MUTANTS        ?=
MUTATION_FLOOR ?= 0.80
test-slow: install
	$(BIN)/pytest -m slow -p no:cacheprovider || [ $$? -eq 5 ]
	$(BIN)/mutmut run $(MUTANTS)
	$(BIN)/python -m tests.mutation_score --floor $(MUTATION_FLOOR)

# Only the browser tests (Debian's chromium at /usr/bin/chromium); screenshots in var/screenshots/.
e2e: install
	$(BIN)/pytest -m e2e tests/e2e

# The browser tests, with the README's key screenshots copied into docs/screenshots/.
screenshots: install
	HOTLINE_DOCS_SCREENSHOTS=1 $(BIN)/pytest -m e2e tests/e2e

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache \
	       src/hotline/entrypoints/web/static/workbench
