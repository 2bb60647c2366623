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
from portal.db.base import Base
from portal.schema import alembic_config
from portal.state import portal_state

INSTRUCTION = "flask --app app init-db"


@pytest.fixture
def empty_database(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def fresh_client(app_config, empty_database):
    """A portal started on a brand-new, empty database."""
    app = create_app({**app_config, "DATABASE_URL": empty_database})
    yield app.test_client()
    portal_state(app).database.engine.dispose()


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
    engine = portal_state(app).database.engine

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)

    assert differences == [], "models and migrations differ: write a migration"


def test_migrations_have_a_single_head(app):
    scripts = ScriptDirectory.from_config(alembic_config(portal_state(app).database.engine))

    assert len(scripts.get_heads()) == 1


def test_upgrading_a_database_with_gifts_keeps_every_row_and_link(tmp_path):
    # The newest migrations rebuild the referral table on SQLite while donations point into it.
    from alembic import command
    from sqlalchemy import text

    from portal.db.engine import make_engine
    from portal.schema import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organization (id, slug, name, kind, short_description,"
                " long_description, region, country, website, donation_url, handoff_mode,"
                " status, receipt_note, is_demo, created_at, updated_at) VALUES (7, 'allmep',"
                " 'Coalition', 'coalition', 's', 'l', 'r', 'c', NULL, NULL, 'stripe', 'active', '',"
                " 0,"
                " '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
            )
        )
        for id_, ref, mode in ((1, "a1", "external"), (2, "b2", "stripe")):
            conn.execute(
                text(
                    "INSERT INTO referral (id, ref, created_at, organization_id, mode, status,"
                    " arrived_via, is_bot, destination_url) VALUES (:id, :ref,"
                    " '2026-11-02 10:00:00.000000', 7, :mode, 'redirected', 'portal', 0, 'https://x')"
                ),
                {"id": id_, "ref": ref, "mode": mode},
            )
        conn.execute(
            text(
                "INSERT INTO donation (id, referral_id, organization_id, amount, fee_cover,"
                " currency, frequency, status, share_email, created_at, updated_at)"
                " VALUES (5, 2, 7, 2500, 0, 'usd', 'one_time', 'paid', 0,"
                " '2026-11-02 10:00:00', '2026-11-02 10:00:00')"
            )
        )

    upgrade(engine)

    with engine.connect() as conn:
        refs = conn.execute(text("SELECT id, ref, mode FROM referral ORDER BY id")).all()
        link = conn.execute(text("SELECT referral_id FROM donation WHERE id = 5")).scalar()
        enforced = conn.execute(text("PRAGMA foreign_keys")).scalar()
    engine.dispose()
    assert refs == [(1, "a1", "external"), (2, "b2", "stripe")]
    assert link == 2
    assert enforced == 1, "the pool got back a connection that no longer checks foreign keys"
