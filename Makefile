# The two set-up commands: `make run` and `make test`. Everything else builds on them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SERVICES_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/cafa_test REDIS_URL=redis://127.0.0.1:6379/1
BENCH_DB ?= cafa_bench
BENCH_REDIS ?= redis://127.0.0.1:6379/2
BENCH_ARGS ?=

.PHONY: run test test-services worker lint format schema bench clean

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

bench: $(VENV)/.installed
	-psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='$(BENCH_DB)'" | grep -q 1 || \
		psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE $(BENCH_DB)" >/dev/null
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(BENCH_DB) REDIS_URL=$(BENCH_REDIS) \
		$(BIN)/python bench/browse.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media private_media staticfiles
