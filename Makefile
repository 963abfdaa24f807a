# The two set-up commands: `make run` and `make test`. Everything else builds on them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SERVICES_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_test REDIS_URL=redis://127.0.0.1:6379/1
BENCH_DB ?= cafa_bench
# The on-sale bench empties its database first: its own, never the browse catalogue's.
BENCH_ONSALE_DB ?= cafa_bench_onsale
BENCH_REDIS ?= redis://127.0.0.1:6379/2
BENCH_ARGS ?=
# Each scenario's own options (bench/onsale.py --help, bench/browse.py --help); both default to BENCH_ARGS.
ONSALE_ARGS ?= $(BENCH_ARGS)
BROWSE_ARGS ?= $(BENCH_ARGS)

.PHONY: run test test-browser test-services worker lint format schema bench bench-onsale bench-browse clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --small --if-available
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed
	$(BIN)/pytest -m "not services"

# Only the browser test (headless Chromium from the system's packages: apt-get install chromium chromium-driver).
test-browser: $(VENV)/.installed
	$(BIN)/pytest -m browser -rs

test-services: $(VENV)/.installed
	-psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='cafa_test'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE cafa_test" >/dev/null
	$(SERVICES_ENV) $(BIN)/pytest

# The worker and beat as separate processes that stop together (never `--beat`: see bin/worker).
worker: $(VENV)/.installed
	CELERY=$(BIN)/celery bin/worker

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(VENV)/.installed
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file /tmp/cafa-openapi.yaml

# Both scenarios (bench/README.md): the on-sale rush, then the browse catalogue.
bench: bench-onsale bench-browse

bench-onsale: $(VENV)/.installed
	-psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_ONSALE_DB)'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE $(BENCH_ONSALE_DB)" >/dev/null
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_ONSALE_DB) REDIS_URL=$(BENCH_REDIS) \
		$(BIN)/python bench/onsale.py $(ONSALE_ARGS)

bench-browse: $(VENV)/.installed
	-psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE $(BENCH_DB)" >/dev/null
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DB) REDIS_URL=$(BENCH_REDIS) \
		$(BIN)/python bench/browse.py $(BROWSE_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media private_media staticfiles
