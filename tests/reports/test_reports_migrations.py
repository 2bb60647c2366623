"""Migration 0026 (each donation keeps its referral's channel and campaign) goes down and up
again without losing a gift, a refund or the link to its referral, on SQLite and PostgreSQL."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import portal.models  # noqa: F401 — every table on Base.metadata, as the migrations see it
from portal.db.base import Base
from portal.db.engine import make_engine
from portal.schema import alembic_config

_ROWS = [
    "INSERT INTO organization (id, slug, name, kind, short_description, long_description, region,"
    " country, handoff_mode, status, receipt_note, is_demo, created_at, updated_at,"
    " original_language, search_text) VALUES (7, 'allmep', 'Coalition', 'coalition', 's', 'l',"
    " 'r', 'c', 'stripe', 'active', '', false, '2026-11-01 00:00:00', '2026-11-01 00:00:00',"
    " 'en', 'coalition')",
    "INSERT INTO referral (id, ref, created_at, organization_id, mode, status, arrived_via,"
    " utm_campaign, is_bot, destination_url) VALUES (2, 'b2', '2026-11-02 10:00:00', 7,"
    " 'stripe', 'checkout_started', 'link', 'spring', false, 'https://x')",
    "INSERT INTO donation (id, referral_id, organization_id, amount, fee_cover, currency,"
    " frequency, status, share_email, created_at, updated_at) VALUES (5, 2, 7, 2500, 0, 'usd',"
    " 'one_time', 'paid', false, '2026-11-02 10:00:00', '2026-11-02 10:00:00')",
    "INSERT INTO refund (id, donation_id, stripe_refund_id, amount, currency, status,"
    " created_at, updated_at) VALUES (3, 5, 're_1', 500, 'usd', 'succeeded',"
    " '2026-11-03 10:00:00', '2026-11-03 10:00:00')",
]
_KEPT = (
    "SELECT donation.id, donation.referral_id, donation.amount, refund.amount FROM donation"
    " JOIN refund ON refund.donation_id = donation.id"
)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """An empty database of each kind the suite runs on (PostgreSQL when TEST_DATABASE_URL names
    a server: a database of this test's own beside it)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.db'}")
        yield engine
        engine.dispose()
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL names no PostgreSQL server")
    name = f"{make_url(url).database}_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _donation_columns(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return {row[1] for row in conn.execute(text("PRAGMA table_info(donation)"))}
        found = conn.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_name = 'donation'")
        )
        return {row[0] for row in found}


def _copied(engine):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT referral_channel, referral_campaign FROM donation WHERE id = 5")
        ).one()


def test_0026_goes_down_and_up_again_keeping_every_gift(empty_engine):
    config = alembic_config(empty_engine)
    command.upgrade(config, "0025")
    with empty_engine.begin() as conn:
        for statement in _ROWS:
            conn.execute(text(statement))
        before = conn.execute(text(_KEPT)).all()

    command.upgrade(config, "0026")
    first = _copied(empty_engine)
    command.downgrade(config, "0025")
    down_columns = _donation_columns(empty_engine)
    with empty_engine.connect() as conn:
        after_down = conn.execute(text(_KEPT)).all()
    command.upgrade(config, "heads")

    assert tuple(first) == ("link", "spring")
    assert {"referral_channel", "referral_campaign"}.isdisjoint(down_columns)
    assert after_down == before == [(5, 2, 2500, 500)]
    assert tuple(_copied(empty_engine)) == ("link", "spring")
    with empty_engine.connect() as conn:
        assert conn.execute(text(_KEPT)).all() == before
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
