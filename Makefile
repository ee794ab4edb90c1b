# POST — the two everyday commands are `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEV := DJANGO_SETTINGS_MODULE=post_program.settings.dev
# The demo's emails (printed on the console) link to the port it serves on.
DEMO = $(DEV) SITE_URL=http://127.0.0.1:$(PORT)

.PHONY: install oidc-provider demo test lint typecheck security format bench lock clean

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

demo: install
	$(DEMO) $(BIN)/python manage.py migrate --noinput
	$(DEMO) $(BIN)/python manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(DEMO) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install oidc-provider
	$(BIN)/python -m pytest

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

bench: install
	$(BIN)/python -m benchmarks

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
