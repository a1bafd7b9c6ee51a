# Sentinella: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The settings read them too: SITE_URL (links in e-mails and in the transparency register) follows them.
export HOST PORT

.PHONY: install lock run serve test lint migrations-check messages bench clean

LOCK := requirements.lock

# Exact versions with their hashes (requirements.lock, pyproject.toml's dependencies and dev extras).
$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# Python 3.11's bundled pip (23.x) cannot install a hashed lock holding a package with extras
	# (weasyprint's fonttools[woff]): a current pip first, then the lock exactly.
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	touch $(STAMP)

install: $(STAMP)

# The one command that refreshes the lock after pyproject.toml changes (UPGRADE=--upgrade: newest
# versions of everything; otherwise the locked versions are kept where they still fit).
# requirements-prod.lock: the same versions without the dev extras, for the container image.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet $(UPGRADE) --output-file $(LOCK)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
		--generate-hashes --quiet --constraint $(LOCK) --output-file requirements-prod.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK)
	$(BIN)/uv pip compile .ci/spid-sp-test.in --python-version 3.11 --generate-hashes --quiet \
		$(UPGRADE) --output-file .ci/spid-sp-test.lock
	touch $(STAMP)

# The web server with a real Celery worker and beat beside it (Procfile.dev, honcho; Ctrl-C stops all).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	@echo "Sentinella: open http://$(HOST):$(PORT)/ and log in with one of the demo accounts above."
	WEB_PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start -p $(PORT)

# gunicorn, worker and beat (Procfile) on whatever DATABASE_URL and CELERY_BROKER_URL say.
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput -v0
	WEB_PORT=$(PORT) $(BIN)/honcho -f Procfile start -p $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: install
	$(BIN)/python manage.py makemessages -l it -l en --ignore=.venv --ignore=bench --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 media var
