"""Charts: inline SVG drawn on the server, named and described, with the numbers in a table too."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from babel.dates import format_date

from portal.models import StaffRole
from portal.reports.charts import integer_ticks
from portal.security import CONTENT_SECURITY_POLICY
from tests.helpers.reports import NOW, TODAY, page_table

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def report_page(client, login_as, varied):
    login_as(StaffRole.VIEWER)
    return client.get("/staff/reports/")


def day(value) -> str:
    """A day as the English page writes it."""
    return format_date(value, "medium", locale="en")


def charts_in(response) -> list[ET.Element]:
    html = response.get_data(as_text=True)
    svgs = re.findall(r"<svg\b.*?</svg>", html, flags=re.S)
    return [ET.fromstring(svg) for svg in svgs]  # noqa: S314 — the portal's own page


def test_chart_is_one_image_named_by_its_title_and_description(report_page):
    wide, narrow = charts_in(report_page)  # CSS shows one of the two, by screen width

    for chart in (wide, narrow):
        title, desc = chart.find(f"{SVG}title"), chart.find(f"{SVG}desc")
        assert chart.get("role") == "img"
        assert chart.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text == "Referrals per day"
        assert f"from {day(TODAY - timedelta(days=29))} to {day(TODAY)}" in desc.text
    assert wide.get("viewBox") == "0 0 900 340"
    assert narrow.get("viewBox") == "0 0 420 320"


def test_chart_ids_are_unique_on_a_page_and_the_same_each_time_it_is_drawn(report_page, client):
    again = client.get("/staff/reports/")

    first = [chart.find(f"{SVG}title").get("id") for chart in charts_in(report_page)]
    second = [chart.find(f"{SVG}title").get("id") for chart in charts_in(again)]
    assert len(set(first)) == 2
    assert second == first


def test_chart_title_and_legend_are_page_text_that_wraps(report_page):
    html = report_page.get_data(as_text=True)

    assert '<p class="chart-title">Referrals per day</p>' in html
    legend = re.search(r'<ul class="chart-legend">(.*?)</ul>', html, flags=re.S)[1]
    assert re.findall(r"</span>([^<]+)</li>", legend) == [
        "People",
        "Bots and link previews",
        "Unique visitors",
    ]


def y_ticks(chart: ET.Element) -> list[str]:
    return [
        text.text
        for group in chart.iter(f"{SVG}g")
        if "y" in group.get("class", "").split() and "axis" in group.get("class", "").split()
        for text in group.iter(f"{SVG}text")
    ]


@pytest.mark.usefixtures("report_clock")
def test_small_counts_get_whole_number_ticks(client, login_as, make_org, add_referrals):
    login_as(StaffRole.VIEWER)
    add_referrals(make_org("roots"), NOW, n=3)

    wide, narrow = charts_in(client.get("/staff/reports/"))

    assert y_ticks(wide) == y_ticks(narrow) == ["0", "1", "2", "3"]


@pytest.mark.parametrize("highest", [0, 1, 2, 3, 5, 7, 13, 48, 99, 1234])
def test_integer_ticks_are_whole_and_cover_the_highest_count(highest):
    ticks = integer_ticks(highest)

    assert ticks[0] == 0 and ticks[-1] >= highest and len(ticks) <= 6
    assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1


@pytest.mark.usefixtures("varied")
def test_chart_in_arabic_names_its_days_in_arabic(client, login_as):
    login_as(StaffRole.VIEWER)

    wide, _ = charts_in(client.get("/staff/reports/?lang=ar"))

    assert wide.find(f"{SVG}title").text == "الإحالات في اليوم"
    x_labels = [
        t.text
        for g in wide.iter(f"{SVG}g")
        if "x" in g.get("class", "").split()
        for t in g.iter(f"{SVG}text")
    ]
    assert any("يونيو" in (label or "") for label in x_labels)  # June


def test_chart_has_no_script_no_style_and_no_third_party_reference(report_page):
    html = report_page.get_data(as_text=True)
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S)[0]

    assert "<script" not in html
    assert "<style" not in svg and " style=" not in svg
    # Namespace names identify, they are never fetched.
    namespaces = ("http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink")
    assert "http://" not in re.sub("|".join(map(re.escape, namespaces)), "", svg)
    assert "https://" not in svg
    assert report_page.headers["Content-Security-Policy"].startswith(CONTENT_SECURITY_POLICY)


def test_chart_numbers_are_also_in_a_table(report_page):
    rows = page_table(report_page, "daily")

    assert len(rows) == 30
    assert "The same numbers are in the table “Referrals by day” below." in report_page.text


@pytest.mark.usefixtures("report_clock")
def test_member_report_chart_is_described_too(client, login_as, post_form, make_org):
    login_as(StaffRole.ADMIN)
    org = make_org("roots")
    issued = post_form(
        "/staff/reports/links",
        {"member": str(org.id), "expires": str(TODAY)},
        page="/staff/reports/links",
    )
    path = re.search(r"<code>https?://[^/]+([^<]+)</code>", issued.text)[1]

    chart, _ = charts_in(client.get(path, follow_redirects=True))

    assert chart.get("role") == "img"
    assert chart.find(f"{SVG}title").text == "Referrals the portal sent you"
    assert chart.find(f"{SVG}desc").text.startswith("Referrals by people and by bots")
