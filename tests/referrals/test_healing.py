"""Workers heal by themselves: no restart is needed once the database is writable again."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import create_app, dispose
from portal.models import Referral
from tests.helpers.outages import read_only
from tests.helpers.workers import BROWSER_UA

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="chattr +i needs root (CI runs as root)"),
    pytest.mark.skipif(shutil.which("chattr") is None, reason="chattr (e2fsprogs) is missing"),
]


@pytest.fixture
def sqlite_file(database_url) -> Path:
    if not database_url.startswith("sqlite"):
        pytest.skip("a read-only file is a SQLite fault")
    return Path(database_url.removeprefix("sqlite:///"))


def test_a_worker_started_while_the_database_was_read_only_stores_again_once_it_is_writable(
    app_config, make_org, db_session, sqlite_file, caplog
):
    make_org("roots", donation_url="https://roots.example.org/give")
    db_session.close()
    with read_only(sqlite_file):
        worker = create_app(app_config)
        client = worker.test_client()
        client.environ_base["HTTP_USER_AGENT"] = BROWSER_UA
        during = client.get("/go/roots")
        during.close()
        # Someone browses meanwhile: reading works, and leaves a read-only connection pooled.
        assert client.get("/organizations").status_code == 200

    caplog.clear()
    after = client.get("/go/roots")
    after.close()

    assert [during.status_code, after.status_code] == [302, 302]
    stored = dict(db_session.execute(select(Referral.ref, Referral.visitor_hash)).all())
    during_ref, after_ref = (
        r.headers["Location"].rsplit("portal_ref=", 1)[1] for r in (during, after)
    )
    assert set(stored) == {during_ref, after_ref}  # the spooled one came back with the next
    # Today's salt was written through the ORM's own pooled connections once they reopened.
    assert stored[after_ref] is not None
    # The first hand-off after the outage went straight to the database, not to the spool.
    assert "spooling referral" not in caplog.text
    dispose(worker)
