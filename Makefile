# POST — the two everyday commands are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV := DJANGO_SETTINGS_MODULE=post_program.settings.dev
# The demo's emails (printed on the console) link to the port it serves on.
DEMO = $(DEV) SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: install oidc-provider axe-core demo test screenshots lint typecheck security format bench lock clean backup restore messages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The OpenID Connect provider the single sign-on tests run on loopback (tests/oidc). Without
# npm those tests are skipped, and say so.
OIDC_PROVIDER := tests/oidc/node_modules/.installed

oidc-provider: $(OIDC_PROVIDER)

$(OIDC_PROVIDER): tests/oidc/package.json tests/oidc/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/oidc && npm ci --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the single sign-on tests will be skipped"; fi

# axe-core, the accessibility rules the browser tests check every page they visit against
# (tests/e2e/axe). Without npm the browser tests run without that check, and say so.
AXE_CORE := tests/e2e/axe/node_modules/.installed

axe-core: $(AXE_CORE)

$(AXE_CORE): tests/e2e/axe/package.json tests/e2e/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/e2e/axe && npm ci --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the browser tests will run without the accessibility check"; fi

demo: install
	$(DEMO) $(BIN)/python manage.py migrate --noinput
	$(DEMO) $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(DEMO) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The suite runs on one worker process per CPU (pytest-xdist), each with its own test database;
# TEST_WORKERS=0 runs it in this process alone.
TEST_WORKERS ?= auto

test: install oidc-provider axe-core
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# Retake the README's pictures (docs/screenshots/) in Chromium from the demo program.
screenshots: install axe-core
	SCREENSHOTS=1 $(BIN)/python -m pytest tests/e2e/test_screenshots.py

# Gather the strings marked for translation into locale/es/LC_MESSAGES/django.po (translate any
# new ones there), then compile the catalog the server reads. Needs GNU gettext.
messages: install
	$(BIN)/python manage.py makemessages -l es
	$(BIN)/python manage.py compilemessages -l es --ignore=.venv

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy post_program surveys training interactions reporting

security: install
	$(BIN)/bandit -ll -q -r post_program surveys training interactions reporting -x '*/migrations/*'

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The regional-scale benchmark on PostgreSQL (docs/performance.md), e.g.
# make bench BENCH_ARGS="--sizes 0.01 --only report,dashboards"
BENCH_ARGS ?=

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Back up DATABASE_URL's PostgreSQL database to BACKUP (pg_dump's custom format, without owners
# or grants, so that it restores under any role), and restore BACKUP into DATABASE_URL's
# database (best a fresh one; run as its owner, then `manage.py db_grant_app_role`). The keys
# the data depends on are not in the dump: docs/operations.md, Backups.
BACKUP ?= backups/post-$(shell date -u +%Y%m%dT%H%M%SZ).dump
define require_postgres
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "Set DATABASE_URL to the PostgreSQL database (postgres://...); backups are for PostgreSQL." >&2; exit 2;; esac
endef

backup:
	$(require_postgres)
	@mkdir -p "$(dir $(BACKUP))"
	pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP)" "$$DATABASE_URL"
	@echo "Backed up to $(BACKUP). Keep SECRET_KEY and PSEUDONYM_KEY (and any other key in"
	@echo "docs/operations.md, Backups) with it, apart from the dump: without them it cannot be used."

restore:
	$(require_postgres)
	@test -f "$(BACKUP)" || { echo "Set BACKUP=FILE to a dump that make backup wrote." >&2; exit 2; }
	pg_restore --no-owner --no-privileges --clean --if-exists --single-transaction \
	  --exit-on-error --dbname="$$DATABASE_URL" "$(BACKUP)"
	@echo "Restored $(BACKUP). Now run manage.py migrate and manage.py db_grant_app_role ROLE."

# Refresh constraints.txt after changing pyproject.toml: resolves in a scratch environment.
lock:
	rm -rf /tmp/post-lock && $(PYTHON) -m venv /tmp/post-lock
	/tmp/post-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/post-lock/bin/python -m pip install --quiet '.[dev]'
	{ echo "# Exact versions of every package, direct and indirect, for reproducible installs."; \
	  echo "# Regenerate with: make lock"; \
	  /tmp/post-lock/bin/python -m pip freeze --exclude-editable | grep -v '^post-program' | sort -f; \
	} > constraints.txt

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
