# Tongzhou: `make demo` to try it, `make test` to check it. Both set up .venv on their own.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt

.PHONY: demo test install install-dev check lint typecheck test-sqlite test-postgres bench messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-base: $(PY) requirements/base.txt requirements/constraints.txt
	$(PIP_INSTALL) -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-base requirements/dev.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed-base
install-dev: $(VENV)/.installed-dev

# Demo settings, made once with fresh random keys; an existing .env is kept as it is.
.env: | $(VENV)/.installed-base
	$(PY) scripts/make_env.py > .env

demo: install .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Tongzhou demo at http://$(HOST):$(PORT)/  (users above, password tongzhou-demo)"
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: install-dev
	$(PY) -m mypy

check: install-dev
	DJANGO_SETTINGS_MODULE=tongzhou.settings_test $(PY) manage.py makemigrations --check --dry-run

# The two runs can go side by side (`make test` does): the SQLite run keeps its Celery worker
# test on its own Redis database.
test-sqlite: install-dev
	DATABASE_URL=sqlite:///:memory: REPLICA_DATABASE_URL= TEST_REDIS_URL="$${TEST_REDIS_URL_SQLITE:-redis://127.0.0.1:6379/14}" \
		$(PY) -m pytest

# PostgreSQL when TEST_DATABASE_URL is set (postgres://user@host:port/name; the suite creates and
# drops test_<name>). Missing it skips with a reason locally and fails in CI. TEST_REPLICA_DATABASE_URL
# names a standby of that server (scripts/pg_standby.sh) for the replica router's tests.
test-postgres: install-dev
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		DATABASE_URL="$$TEST_DATABASE_URL" REPLICA_DATABASE_URL="$$TEST_REPLICA_DATABASE_URL" $(PY) -m pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "FAIL: CI=true but TEST_DATABASE_URL is not set: the PostgreSQL run cannot be skipped in CI"; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongzhou to run it"; \
	fi

# The SQLite and PostgreSQL runs at once, each on one core; each run's output is printed whole
# when it ends.
test: lint typecheck check
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The gate-scan and app-server benches drive gunicorn with Debian's wrk, the latter behind Debian's
# nginx (run with its own config and prefix in a temp dir, on loopback); both installed when missing.
bench: install-dev
	@command -v wrk >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q --no-install-recommends wrk)
	@test -x /usr/sbin/nginx || (apt-get update -q && apt-get install -y -q --no-install-recommends nginx)
	$(PY) bench/import_divisions.py
	$(PY) bench/place_page.py
	$(PY) bench/residents.py
	$(PY) bench/today_list.py
	$(PY) bench/roster.py
	$(PY) bench/passages.py
	$(PY) bench/stories.py
	$(PY) bench/testing_round.py
	$(PY) bench/notices.py
	$(PY) bench/supplies.py
	$(PY) bench/welfare.py
	$(PY) bench/daily_report.py
	$(PY) bench/app_servers.py

messages: install-dev
	cd tongzhou && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache .hypothesis
