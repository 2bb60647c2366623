"""Probes: a load balancer hears "alive" from every worker and "ready" only when all is well."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal import create_app, dispose
from portal.db.engine import make_engine


def test_healthz_answers_without_the_database(app_config, tmp_path):
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'none' / 'x.db'}"})

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    dispose(app)


def test_readyz_is_ready_on_a_current_database_with_an_empty_spool(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "database": "ok",
        "schema": "current",
        "spool_backlog": 0,
    }


def test_readyz_is_not_ready_when_the_database_cannot_be_reached(app_config, tmp_path):
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path / 'none' / 'x.db'}"})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["status"] == "not ready"
    assert response.json["database"] == "unreachable"
    dispose(app)


@pytest.fixture
def database_behind(app_config):
    """The test database marked as one revision old; put back afterwards, since on PostgreSQL
    every test shares it (only its tables are emptied between tests)."""
    engine = make_engine(app_config["DATABASE_URL"])
    with engine.begin() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    yield
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
    engine.dispose()


@pytest.mark.usefixtures("database_behind")
def test_readyz_is_not_ready_on_a_database_behind_the_code(app_config):
    app = create_app(app_config)

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["schema"] == "behind"
    dispose(app)


def test_readyz_is_not_ready_while_the_spool_piles_up(app_config, tmp_path):
    spool = tmp_path / "spool.jsonl"
    spool.write_text('{"ref": "a"}\n' * 3)
    app = create_app({**app_config, "REFERRAL_SPOOL": str(spool), "READY_SPOOL_MAX": 2})

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["spool_backlog"] == 3
    dispose(app)
