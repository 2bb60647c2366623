"""Backups: what is restored into an empty database reads exactly as the original did."""

from __future__ import annotations

import secrets
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app, dispose
from portal.models import Donation, DonationStatus, Frequency


@contextmanager
def empty_database(database_url: str, tmp_path):
    """A new, empty database on the same server (or a new SQLite file), dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"restore_{secrets.token_hex(4)}"
    admin = create_engine(
        make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def busy_portal(client, make_org, make_coalition, db_session):
    """A portal with hand-offs of two members and a paid gift in its ledger."""
    make_coalition()
    make_org("roots")
    stripe_member = make_org("parents-circle")
    for slug, agent in [
        ("roots", "Mozilla/5.0 Firefox/120.0"),
        ("roots", "curl/8"),
        ("parents-circle", "Mozilla/5.0"),
    ]:
        assert (
            client.get(f"/go/{slug}?utm_campaign=spring", headers={"User-Agent": agent}).status_code
            == 302
        )
    db_session.add(
        Donation(
            organization_id=stripe_member.id,
            amount=5150,
            fee_cover=150,
            currency="EUR",
            frequency=Frequency.ONE_TIME,
            status=DonationStatus.PAID,
            stripe_payment_intent_id="pi_backup",
        )
    )
    db_session.commit()


def _exports(runner) -> tuple[str, str]:
    referrals = runner.invoke(args=["export-referrals"])
    donations = runner.invoke(args=["export-donations"])
    assert referrals.exit_code == 0 and donations.exit_code == 0
    return referrals.output, donations.output


@pytest.mark.usefixtures("busy_portal")
def test_a_restored_backup_reads_exactly_as_the_original(
    runner, app_config, database_url, tmp_path
):
    before = _exports(runner)
    assert before[0].count("\n") == 4 and "pi_backup" in before[1]
    path = tmp_path / "portal.backup"

    result = runner.invoke(args=["backup", str(path)])

    assert result.exit_code == 0, result.output
    with empty_database(database_url, tmp_path) as url:
        restored = create_app({**app_config, "DATABASE_URL": url})
        result = restored.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output
        after = _exports(restored.test_cli_runner())
        dispose(restored)
    assert after == before


@pytest.mark.usefixtures("busy_portal")
def test_restore_refuses_a_database_that_is_not_empty(runner, tmp_path):
    path = tmp_path / "portal.backup"
    runner.invoke(args=["backup", str(path)])
    before = _exports(runner)

    result = runner.invoke(args=["restore", str(path)])

    assert result.exit_code != 0
    assert "not empty" in result.output
    assert _exports(runner) == before


def test_a_failed_backup_leaves_no_file_that_looks_complete(runner, tmp_path):
    path = tmp_path / "missing-folder" / "portal.backup"

    result = runner.invoke(args=["backup", str(path)])

    assert result.exit_code != 0
    assert not path.exists()
