# Two commands matter: `make run` and `make test`. Everything else is below them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST := 127.0.0.1
PORT ?= 5000
SANDBOX_PORT ?= 12111

.PHONY: run test lint format bench clean translations screenshots

# Python keeps each module it compiles (in __pycache__, ignored by git) unless the environment
# says not to, as container images often do: then every flask command, server worker and test
# process compiles the portal and its libraries again, about 1.7 s of CPU each on a 2-core machine.
unexport PYTHONDONTWRITEBYTECODE

# uv (from PyPI, into the venv) installs in seconds what pip takes a minute for; pip stays the
# fallback where no uv wheel exists for the platform.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv || true

INSTALL = if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install --quiet --python $(BIN)/python $(1); \
	else $(BIN)/pip install --quiet --disable-pip-version-check $(1); fi

# Reinstall only when the dependencies change, so a second `make run` starts in seconds.
# `make run` installs what the portal needs to run; the test tools come with `make test`.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(call INSTALL,-e .)
	touch $@

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(call INSTALL,-e '.[test]')
	touch $@ $(VENV)/.installed-run

.env:
	@echo "Writing .env with a fresh SECRET_KEY (local use only; keep it out of git)"
	@printf 'SECRET_KEY=%s\n# Local http://127.0.0.1 has no TLS; set true (the default) behind HTTPS.\nSESSION_COOKIE_SECURE=false\n' \
		"$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')" > .env

# Languages: the .po files are the team's translations (in git); the .mo files are built from them.
# Defined before run/test, whose prerequisites make expands as it reads them.
# No line numbers and sorted messages, so that two people adding messages rarely touch the same
# lines; no creation date in the headers, so that re-extracting alone changes nothing.
TRANSLATIONS := portal/translations
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

run: $(VENV)/.installed-run .env $(CATALOGUES)
	$(FLASK) init-db
	$(FLASK) seed-demo
	$(FLASK) build-static
	$(BIN)/python -m portal.devserver --host $(HOST) --port $(PORT) --sandbox-port $(SANDBOX_PORT)

# Tests run in TEST_WORKERS processes (pytest-xdist), each with its own database; by default as many
# as the cores this process may use. The suite keeps them busy: with Chromium's headless shell, 2
# workers took 198 and 196 s (353 and 348 s of CPU) on 2 cores where 3 took 200 and 211 s (385 and
# 405 s of CPU) and 4 took 210 s; .ci/run's PostgreSQL pass 251 s with 2 and 269 s with 3
# (2026-12-01, alternated). The gunicorn and nginx tests share one worker, the browser tests make
# two groups with a Chromium each (the axe walks, the journeys), and the security walks (one route
# survey, one hostile walk) run together on whichever worker is free first (--dist loadgroup, groups
# set in tests/helpers/scheduling.py). TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)')

test: $(VENV)/.installed $(CATALOGUES)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --cov --cov-report=term $(PYTEST_ARGS)

# The browser tests again, saving a screenshot of each page they check (every public page in each
# language and width, the staff pages, the giving pages) to build/screenshots/ for people to look at.
SCREENSHOT_DIR ?= build/screenshots
screenshots: $(VENV)/.installed $(CATALOGUES)
	SCREENSHOT_DIR=$(SCREENSHOT_DIR) $(BIN)/python -m pytest -n 2 --dist loadgroup -m browser -p no:cacheprovider

lint: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed-run
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS) -l $*

translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project=portal -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
		--no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date
	sed -i '/^"POT-Creation-Date: /d; /^"PO-Revision-Date: /d' $(TRANSLATIONS)/*/LC_MESSAGES/messages.po
	rm $(TRANSLATIONS)/messages.pot
	$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

bench: $(VENV)/.installed
	$(BIN)/python -m bench.handoff
	$(BIN)/python -m bench.webhooks
	$(BIN)/python -m bench.checkout
	$(BIN)/python -m bench.reports

clean:
	rm -rf $(VENV) instance .coverage .pytest_cache .ruff_cache
