"""Reports with members named in Arabic, Hebrew and English: the page, the CSV and the filter
show each name as written, whatever the staff member's language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.models import StaffRole
from tests.helpers.reports import TODAY, at, csv_table, number, page_table

NAMES = {"tsomet": "צומת", "judur": "جذور الأمل", "roots": "Roots"}


@pytest.fixture
def mixed(make_org, add_referrals, report_clock):
    long_ago = at(TODAY - timedelta(days=400))
    orgs = {
        "tsomet": make_org(
            "tsomet", name=NAMES["tsomet"], original_language="he", created_at=long_ago
        ),
        "judur": make_org(
            "judur", name=NAMES["judur"], original_language="ar", created_at=long_ago
        ),
        "roots": make_org("roots", name="Roots", created_at=long_ago),
    }
    for n, slug in enumerate(NAMES, start=1):
        add_referrals(orgs[slug], at(TODAY - timedelta(days=2)), n=n)
    return orgs


@pytest.fixture
def viewer(login_as):
    return login_as(StaffRole.VIEWER)


@pytest.mark.parametrize("language", ["en", "ar", "he"])
@pytest.mark.usefixtures("viewer", "mixed")
def test_members_table_names_each_member_as_written(client, language):
    rows = page_table(client.get(f"/staff/reports/?lang={language}"), "members")

    referrals = {name: number(humans) for _slug, name, humans, *_rest in rows}
    assert referrals == {"צומת": 1, "جذور الأمل": 2, "Roots": 3}


@pytest.mark.usefixtures("viewer", "mixed")
def test_members_csv_keeps_arabic_and_hebrew_names(client):
    response = client.get("/staff/reports/?lang=he&format=csv&table=members")

    assert response.get_data(as_text=True).startswith("\ufeff")  # spreadsheets read it as UTF-8
    _header, rows = csv_table(response)
    assert {row[0]: row[1] for row in rows} == NAMES


@pytest.mark.usefixtures("viewer", "mixed")
def test_filtering_by_a_hebrew_named_member(client):
    response = client.get("/staff/reports/?member=tsomet&lang=ar")

    rows = page_table(response, "members")
    assert [(name, number(humans)) for _slug, name, humans, *_rest in rows] == [("צומת", 1)]
    assert "<bdi>צומת</bdi>" in response.get_data(as_text=True)
