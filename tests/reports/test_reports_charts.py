"""Charts: inline SVG drawn on the server, named and described, with the numbers in a table too."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from portal.models import StaffRole
from portal.security import CONTENT_SECURITY_POLICY
from tests.reports.conftest import TODAY, page_table

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def report_page(client, login_as, varied):
    login_as(StaffRole.VIEWER)
    return client.get("/staff/reports/")


def charts_in(response) -> list[ET.Element]:
    html = response.get_data(as_text=True)
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    return [ET.fromstring(svg) for svg in svgs]  # noqa: S314 — the portal's own page


def test_chart_is_one_image_named_by_its_title_and_description(report_page):
    (chart,) = charts_in(report_page)

    title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
    assert chart.get("role") == "img"
    assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Referrals per day"
    assert f"from {TODAY - timedelta(days=29)} to {TODAY}" in desc.text


def test_chart_has_no_script_no_style_and_no_third_party_reference(report_page):
    html = report_page.get_data(as_text=True)
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S)[0]

    assert "<script" not in html
    assert "<style" not in svg and " style=" not in svg
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in svg
    assert report_page.headers["Content-Security-Policy"].startswith(CONTENT_SECURITY_POLICY)


def test_chart_numbers_are_also_in_a_table(report_page):
    rows = page_table(report_page, "daily")

    assert len(rows) == 30
    assert "The same numbers are in the table “Referrals by day” below." in report_page.text


def test_member_report_chart_is_described_too(client, login_as, post_form, make_org, report_clock):
    login_as(StaffRole.ADMIN)
    org = make_org("roots")
    issued = post_form(
        "/staff/reports/links",
        {"member": str(org.id), "expires": str(TODAY)},
        page="/staff/reports/links",
    )
    path = re.search(r"<code>https?://[^/]+([^<]+)</code>", issued.text)[1]

    (chart,) = charts_in(client.get(path))

    assert chart.get("role") == "img"
    assert chart.find(f"{SVG}title").text == "Referrals the portal sent you"
    assert chart.find(f"{SVG}desc").text.startswith("Referrals by people and by bots")
