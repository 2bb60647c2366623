"""A member without developers reports gifts with a CSV file on its report page."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import Conversion, ReportedVia
from portal.reports.members import service as report_links
from portal.staff.audit import Actor
from portal.state import portal_state

_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


@pytest.fixture
def upload(app, client, db_session):
    """Factory: ``org``'s member opens its report link and uploads ``text`` as its CSV."""

    def _upload(org, text: str):
        now = portal_state(app).clocks.reports()
        link = report_links.issue_link(
            db_session,
            app.secret_key,
            Actor.of(None),
            org,
            expires=now.date() + timedelta(days=30),
            now=now,
        )
        db_session.commit()
        page = client.get(f"/reports/member/{link.token}", follow_redirects=True)
        token = _TOKEN.search(page.get_data(as_text=True))[1]
        data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), "gifts.csv")}
        return client.post("/reports/member/conversions", data=data)

    return _upload


def _stored(db_session) -> list[tuple]:
    db_session.rollback()
    rows = db_session.scalars(select(Conversion).order_by(Conversion.id))
    return [(c.ref, c.amount, c.currency, c.reported_via) for c in rows]


def test_a_file_of_gifts_is_recorded_once(db_session, make_org, hand_off, upload):
    org = make_org("ecopeace")
    first, second = hand_off(org), hand_off(org)
    text = (
        f"portal_ref,amount,currency,frequency\n{first},25,USD,one_time\n{second},7.5,EUR,monthly\n"
    )

    response = upload(org, text)
    again = upload(org, text)

    assert "2 new gifts recorded; 0 had been reported before." in response.get_data(as_text=True)
    assert "0 new gifts recorded; 2 had been reported before." in again.get_data(as_text=True)
    assert _stored(db_session) == [
        (first, 2500, "USD", ReportedVia.CSV),
        (second, 750, "EUR", ReportedVia.CSV),
    ]


@pytest.mark.parametrize(
    ("extra", "row", "message"),
    [
        (
            ",email",
            "{ref},25,USD,one_time,dana@example.org",
            "line 2: fields not accepted (no donor data): email",
        ),
        ("", "0123456789abcdef,25,USD,one_time", "line 3: unknown portal_ref"),
    ],
)
def test_one_bad_row_refuses_the_whole_file(
    db_session, make_org, hand_off, upload, extra, row, message
):
    org = make_org("ecopeace")
    good, other = hand_off(org), hand_off(org)
    first = f"{good},10,USD,one_time" + ("," if extra else "")
    text = f"portal_ref,amount,currency,frequency{extra}\n{first}\n{row.format(ref=other)}\n"

    response = upload(org, text)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _stored(db_session) == []
