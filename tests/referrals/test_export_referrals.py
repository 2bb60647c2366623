"""Staff get the referral log as CSV: one row per referral, filtered by UTC day."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select, update

from portal.models import Referral
from portal.referrals.queries import EXPORT_HEADER
from tests.helpers.workers import BROWSER_UA


def export(runner, *args) -> list[dict]:
    result = runner.invoke(args=["export-referrals", *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_export_has_a_header_and_one_row_per_referral(client, runner, make_org, db_session):
    make_org("roots")
    client.get("/go/roots?utm_campaign=spring", headers={"User-Agent": BROWSER_UA})
    client.get("/go/roots", headers={"User-Agent": "WhatsApp/2.23"})

    rows = export(runner)

    assert list(rows[0].keys()) == list(EXPORT_HEADER)
    assert [(r["organization"], r["arrived_via"], r["is_bot"]) for r in rows] == [
        ("roots", "link", "false"),
        ("roots", "link", "true"),
    ]
    assert rows[0]["utm_campaign"] == "spring"
    assert rows[0]["created"].endswith("Z")
    assert rows[1]["bot_reason"] == "crawler: WhatsApp"
    db_session.rollback()
    refs = [r.ref for r in db_session.scalars(select(Referral).order_by(Referral.id))]
    assert [r["ref"] for r in rows] == refs


def test_since_and_until_are_whole_utc_days(client, runner, make_org, db_session):
    make_org("roots")
    for _ in range(3):
        client.get("/go/roots", headers={"User-Agent": BROWSER_UA})
    stamps = [
        datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 2, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 3, 0, 0, tzinfo=UTC),
    ]
    for referral_id, stamp in zip((1, 2, 3), stamps, strict=True):
        db_session.execute(
            update(Referral).where(Referral.id == referral_id).values(created_at=stamp)
        )
    db_session.commit()

    rows = export(runner, "--since", "2026-03-02", "--until", "2026-03-02")

    assert [r["id"] for r in rows] == ["2"]


def test_bad_dates_get_a_clear_message(runner):
    result = runner.invoke(args=["export-referrals", "--since", "yesterday"])

    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output


def test_since_after_until_is_refused(runner):
    result = runner.invoke(
        args=["export-referrals", "--since", "2026-03-02", "--until", "2026-03-01"]
    )

    assert result.exit_code == 2
    assert "--since must not be after --until" in result.output


def test_visitor_supplied_text_cannot_become_a_spreadsheet_formula(client, runner, make_org):
    make_org("roots")
    client.get("/go/roots?utm_campaign=%3DHYPERLINK(%22x%22)", headers={"User-Agent": BROWSER_UA})

    [row] = export(runner)

    assert row["utm_campaign"] == '\'=HYPERLINK("x")'
