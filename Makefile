# twitter: one command runs the platform, one runs every test. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | sha1sum | cut -c1-12)

.PHONY: help venv run test bench faults lint format migrate clean

help:
	@echo "make run    - set up and run the whole platform (gateway on :8000)"
	@echo "make test   - set up and run lint and the whole test suite"
	@echo "make bench  - set up and run the benchmark; report in bench/results/<timestamp>/"
	@echo "make faults - set up and run the fault suite; report in .data/faults/<timestamp>/"
	@echo "make lint   - ruff, mypy, import-linter"
	@echo "make format - apply ruff's formatting and fixes"

venv: $(STAMP)

$(STAMP): requirements/*.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/test.txt
	rm -f $(VENV)/.installed-*
	touch $@

run: venv
	$(PY) -m devstack.run

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	@# The whole API's OpenAPI schema: valid, and not one drf-spectacular warning.
	SNOWFLAKE_WORKER_ID=0 DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular \
		--urlconf config.urls_schema --validate --fail-on-warn --file /dev/null

test: lint
	$(PY) -m devstack.test $(PYTEST_ARGS)

bench: venv
	$(PY) -m devstack.bench $(BENCH_ARGS)

faults: venv
	$(PY) -m devstack.faults

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrate: venv
	$(PY) manage.py migrate

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
