# casa311 — `make run` serves the API and runs its background worker on the embedded
# default; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Export $(ENV_FILE)'s KEY=value lines (if any) into a recipe; variables already set win.
ENV_FILE ?= .env
LOAD_ENV := if [ -f $(ENV_FILE) ]; then while IFS='=' read -r k v; do \
	  [[ $$k =~ ^[A-Z_][A-Z0-9_]*$$ && -z "$${!k+x}" ]] && export "$$k=$$v"; done < $(ENV_FILE); fi

# Without SECRET_KEY, use (and on first run create) a random one kept in instance/.
ENSURE_SECRET_KEY := if [ -z "$${SECRET_KEY:-}" ]; then mkdir -p instance; \
	  [ -s instance/secret_key ] || (umask 077; $(BIN)/python -c \
	    'import secrets; print(secrets.token_urlsafe(48))' > instance/secret_key); \
	  export SECRET_KEY="$$(cat instance/secret_key)"; fi

.PHONY: run test install lint format bench mutation suggest-model bench-suggest system-deps-run \
	system-deps-test emulator worker clean translations vendor

# The console's message catalogs (Flask-Babel): the .po files are committed, the .mo files
# are compiled from them here (by `make run` and `make test`), never committed.
CATALOGS := $(wildcard citizen_api/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

# Reinstall only when the dependencies changed: a second `make run` starts in seconds.
$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "casa311 needs Python 3.11+"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dev]'
	@touch $(STAMP)

install: $(STAMP)

$(COMPILED): %.mo: %.po $(STAMP)
	@$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# After changing a string in the console: extract, merge into each catalog, compile.
# Translate the new entries (fr, ar; en is the source text) in the .po files.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o citizen_api/translations/messages.pot --no-location .
	$(BIN)/pybabel update -i citizen_api/translations/messages.pot -d citizen_api/translations -w 100
	$(BIN)/pybabel compile -d citizen_api/translations

# Browser libraries from npm (vendor/package-lock.json) copied under the console's static
# folder with their licences; the copies are committed, so `make run` needs no npm.
vendor:
	scripts/vendor.sh

system-deps-run:
	@$(LOAD_ENV); case "$${DATABASE_URL:-}" in \
	  postgres*) if [ -d /usr/lib/postgresql ]; then scripts/system-deps.sh postgis; fi ;; \
	  *) scripts/system-deps.sh spatialite ;; \
	esac

system-deps-test:
	@scripts/system-deps.sh spatialite chromium $(if $(TEST_DATABASE_URL),,postgis)

run: install system-deps-run $(COMPILED)
	@$(LOAD_ENV); export PORT=$${PORT:-5000} HOST=$${HOST:-127.0.0.1}; \
	export PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://$$HOST:$$PORT}; \
	$(ENSURE_SECRET_KEY); \
	$(BIN)/flask --app citizen_api db upgrade && \
	$(BIN)/flask --app citizen_api seed --if-empty && \
	echo "casa311 on http://$$HOST:$$PORT  (API docs: http://$$HOST:$$PORT/api/v1/docs)" && \
	echo "clerks' console: http://$$HOST:$$PORT/console/  first admin (another terminal):" && \
	echo "  .venv/bin/flask --app citizen_api users create NAME --role admin" && \
	exec $(BIN)/python scripts/processes.py

# The Twilio emulator for the tests: Prism from npm (package-lock.json) and Twilio's
# OpenAPI spec taken from its npm tarball (never committed). Idempotent.
emulator:
	@tests/emulator/setup.sh >/dev/null

# The background processes alone, beside a web server run elsewhere: the periodic jobs'
# worker, and with CELERY_BROKER_URL set a Celery worker too (scripts/processes.py).
worker: install
	@$(LOAD_ENV); $(ENSURE_SECRET_KEY); exec $(BIN)/python scripts/processes.py --only worker,celery

# pytest exits 5 when it collected no test: that is a broken suite, not a pass.
test: install system-deps-test emulator $(COMPILED)
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is missing" >&2; exit 1; fi; \
	exit $$rc

# Mutation testing of the domain and notifications (tests/MUTATION.md): on demand, never
# in CI (it takes a while). Installs mutmut; MODULES='workflow phones' runs only those.
MUTMUT ?= mutmut>=3.8.1,<3.9
mutation: install
	@scripts/system-deps.sh spatialite
	@$(BIN)/pip install -q '$(MUTMUT)'
	nice -n 10 $(BIN)/python scripts/mutation.py $(MODULES)

# ruff, then the layer rules of citizen_api/ (import-linter contracts in setup.cfg).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark (not part of `make test`): a throwaway PostGIS database, filled once by
# bench/generate.py (BENCH_ROWS reports, default 10 million), then wrk rounds interleaved
# with the baselines. bench/RESULTS.md records the latest run.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/casa311_bench
BENCH_ROWS ?= 10000000
# e.g. BENCH_ARGS="--compare ../main-checkout" to run main side by side, same rounds.
BENCH_ARGS ?=
# wrk (Debian) drives the servers; py-spy (PyPI) profiles a worker (bench/profile.py).
bench: install system-deps-test
	@scripts/system-deps.sh wrk
	@test -x $(BIN)/py-spy || $(BIN)/pip install -q 'py-spy>=0.3.14,<0.5'
	$(BIN)/python bench/area_lookup.py
	@n=$$(psql "$(BENCH_DATABASE_URL)" -tAc "SELECT count(*) >= $(BENCH_ROWS) * 0.99 FROM service_requests" 2>/dev/null); \
	if [ "$$n" != "t" ]; then nice -n 10 $(BIN)/python bench/generate.py --database-url "$(BENCH_DATABASE_URL)" --rows $(BENCH_ROWS); fi
	nice -n 10 $(BIN)/python bench/run.py --database-url "$(BENCH_DATABASE_URL)" $(BENCH_ARGS)

# Retrain the service suggester from citizen_api/data/suggest_corpus.tsv (deterministic:
# the same corpus and scikit-learn give the same suggest_model.json); commit both.
suggest-model: install
	$(BIN)/python -m citizen_api.domain.suggest_train

# Accuracy per language on the held-out split and the in-process time per query.
bench-suggest: install
	$(BIN)/python bench/suggest.py --http --halves

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
