"""The schema: an un-migrated database is refused with instructions, and migrations match models."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import portal.models  # noqa: F401 — every table on Base.metadata, as the migrations see it
from portal import create_app
from portal.db import Base
from portal.schema import alembic_config

INSTRUCTION = "flask --app app init-db"


@pytest.fixture
def empty_database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def fresh_client(app_config, empty_database):
    """A portal started on a brand-new, empty database."""
    app = create_app({**app_config, "DATABASE_URL": empty_database})
    yield app.test_client()
    app.extensions["portal_db"].engine.dispose()


@pytest.fixture
def init_db(repo_root, empty_database):
    """Factory: run the command the 503 page asks for, as staff would type it."""

    def _run() -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": empty_database, "SECRET_KEY": "test-secret"}
        return subprocess.run(
            [sys.executable, "-m", "flask", *INSTRUCTION.split()[1:]],
            cwd=repo_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return _run


@pytest.mark.parametrize("path", ["/", "/organizations", "/organizations/roots", "/donate"])
def test_unmigrated_database_answers_503_saying_how_to_set_it_up(fresh_client, path):
    response = fresh_client.get(path)

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "The portal is not ready" in html
    assert f"Run: {INSTRUCTION}" in html


def test_init_db_makes_the_portal_serve(fresh_client, init_db):
    fresh_client.get("/")

    result = init_db()

    assert result.returncode == 0, result.stderr
    assert "Database is at the current schema." in result.stdout
    assert fresh_client.get("/").status_code == 200


def test_init_db_twice_is_fine(fresh_client, init_db):
    init_db()

    result = init_db()

    assert result.returncode == 0, result.stderr
    assert "Database is at the current schema." in result.stdout
    assert fresh_client.get("/organizations").status_code == 200


def test_migrations_create_exactly_what_the_models_describe(app):
    engine = app.extensions["portal_db"].engine

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == [], "models and migrations differ: write a migration"


def test_migrations_have_a_single_head(app):
    scripts = ScriptDirectory.from_config(alembic_config(app.extensions["portal_db"].engine))

    assert len(scripts.get_heads()) == 1
