# Two commands matter: `make run` and `make test`. Everything else is below them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST := 127.0.0.1
PORT ?= 5000
SANDBOX_PORT ?= 12111

.PHONY: run test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the dependencies change, so a second `make run` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

.env:
	@echo "Writing .env with a fresh SECRET_KEY (local use only; keep it out of git)"
	@printf 'SECRET_KEY=%s\n# Local http://127.0.0.1 has no TLS; set true (the default) behind HTTPS.\nSESSION_COOKIE_SECURE=false\n' \
		"$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')" > .env

run: $(VENV)/.installed .env
	$(FLASK) init-db
	$(FLASK) seed-demo
	$(BIN)/python -m portal.devserver --host $(HOST) --port $(PORT) --sandbox-port $(SANDBOX_PORT)

test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --cov --cov-report=term $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed
	$(BIN)/python bench/handoff.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/checkout.py
	$(BIN)/python bench/reports.py

clean:
	rm -rf $(VENV) instance .coverage .pytest_cache .ruff_cache
