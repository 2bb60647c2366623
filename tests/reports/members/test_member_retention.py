"""Retention: a member's report link page shows the same numbers after old referrals are pruned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.reports import retention
from tests.helpers.reports import TODAY, csv_table, page_table

BEFORE = TODAY - timedelta(days=12)
TABLES = ("referrals", "gifts", "gift_totals")


def member_views(browser, path: str, since: date) -> dict[str, object]:
    seen = {}
    for by in ("day", "month"):
        query = f"?since={since}&until={TODAY}&by={by}"
        page = browser.get(path + query)
        assert page.status_code == 200
        if "table-funnel" in page.text:
            seen[f"{by} funnel"] = page_table(page, "funnel")
        for table in TABLES:
            seen[f"{by} {table}"] = page_table(page, table)
            seen[f"{by} {table}.csv"] = csv_table(
                browser.get(f"{path}{query}&format=csv&table={table}")
            )
    return seen


@pytest.mark.parametrize("since", [TODAY - timedelta(days=40), BEFORE - timedelta(days=3)])
def test_pruning_changes_no_member_report(outsider, issue_link, db_session, varied, since):
    paths = [issue_link(org) for org in varied.orgs[:2]]  # an external member and a Stripe one
    before = [member_views(outsider, path, since) for path in paths]
    assert "day funnel" in before[0]  # the postback funnel, counted since the start

    retention.prune(db_session, before=BEFORE, today=TODAY)

    assert [member_views(outsider, path, since) for path in paths] == before
