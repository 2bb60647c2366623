"""A worker that starts while the database is unreachable routes from the last snapshot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import create_app, dispose
from portal.models import Referral
from portal.referrals.pipeline import ROUTE_SNAPSHOT
from portal.state import portal_state
from tests.helpers.workers import BROWSER_UA


@pytest.fixture
def unreachable_config(app_config, database_url, tmp_path):
    """The same portal, but its database cannot be reached at all (refused, or no file)."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'portal.db'}"
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:9/portal"  # nothing listens on port 9
    return {**app_config, "DATABASE_URL": url}


def started_worker(config):
    worker = create_app(config)
    client = worker.test_client()
    client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
    return worker, client


def test_a_worker_started_during_an_outage_routes_donors_from_the_snapshot(
    client, runner, make_org, db_session, unreachable_config
):
    make_org("roots", donation_url="https://roots.example.org/give")
    client.get("/go/roots")  # a worker that could read the table left a snapshot
    worker, late = started_worker(unreachable_config)

    response = late.get("/go/roots")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://roots.example.org/give?")
    assert "1 spooled referral(s) added" in runner.invoke(args=["replay-spool"]).output
    assert db_session.scalar(select(func.count(Referral.id))) == 2
    dispose(worker)


def test_the_snapshot_follows_staff_changes(app, client, make_org, db_session):
    org = make_org("roots", donation_url="https://roots.example.org/give")
    client.get("/go/roots")
    org.donation_url = "https://roots.example.org/new-give"
    db_session.commit()
    portal_state(app).referrals.routes.invalidate()

    client.get("/go/roots")

    snapshot = Path(app.config["REFERRAL_SPOOL"]).with_name(ROUTE_SNAPSHOT)
    rows = json.loads(snapshot.read_text())
    assert [row[1:] for row in rows if row[1] == "roots"] == [
        ["roots", "Roots", "member", "external", "active", "https://roots.example.org/new-give"]
    ]
    assert not list(snapshot.parent.glob(f".{ROUTE_SNAPSHOT}.*"))  # no temporary file left


def test_without_a_snapshot_an_outage_at_start_says_not_ready_rather_than_guess(
    unreachable_config,
):
    worker, late = started_worker(unreachable_config)

    response = late.get("/go/roots")

    assert response.status_code == 503
    assert "send you on to the donation page right now" in response.get_data(as_text=True)
    assert "Location" not in response.headers
    dispose(worker)


def test_an_unreadable_snapshot_is_ignored(app, client, make_org, unreachable_config):
    make_org("roots")
    client.get("/go/roots")
    snapshot = Path(app.config["REFERRAL_SPOOL"]).with_name(ROUTE_SNAPSHOT)
    snapshot.write_text('[[1, "roots", "Roots", "member", "bogus-mode"')
    worker, late = started_worker(unreachable_config)

    assert late.get("/go/roots").status_code == 503
    dispose(worker)


def test_the_outage_page_speaks_the_donors_language(unreachable_config):
    worker, late = started_worker(unreachable_config)

    response = late.get("/go/roots?lang=ar")

    assert response.status_code == 503
    assert "لا يمكننا تحويلك إلى صفحة التبرع الآن" in response.get_data(as_text=True)
    dispose(worker)
