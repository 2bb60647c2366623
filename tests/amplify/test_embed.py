"""The donate button for members' own sites: a badge, a framable widget, and clicks counted as
their own channel in the staff report and the member's report."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from portal.models import ArrivedVia, HandoffMode, Referral
from tests.amplify.pages import Elements

PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


@pytest.fixture
def member(make_org):
    return make_org("ecopeace", name="EcoPeace Middle East", texts={"ar": {"name": "إيكوبيس"}})


def _button_target(client, path: str) -> str:
    [(link, _)] = Elements(client.get(path).get_data(as_text=True)).all("a", target="_blank")
    return link["href"]


@pytest.mark.parametrize(("language", "label"), [("en", "Donate"), ("ar", "تبرّع"), ("he", "לתרום")])
@pytest.mark.usefixtures("member")
def test_the_badge_is_an_svg_in_the_chosen_language_other_sites_may_show(client, language, label):
    response = client.get(f"/embed/ecopeace/badge.svg?lang={language}")

    assert response.mimetype == "image/svg+xml"
    assert f">{label}</text>" in response.get_data(as_text=True)
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "<script" not in response.get_data(as_text=True)


@pytest.mark.usefixtures("member")
def test_only_the_widget_may_be_framed(client):
    widget = client.get("/embed/ecopeace?lang=ar").headers["Content-Security-Policy"]
    page = client.get("/organizations/ecopeace").headers["Content-Security-Policy"]

    assert "frame-ancestors *" in widget
    assert "frame-ancestors 'none'" in page
    assert (
        "frame-ancestors *"
        not in client.get("/embed/ecopeace/snippet").headers["Content-Security-Policy"]
    )


@pytest.mark.usefixtures("member")
def test_the_widget_names_the_member_in_its_language_and_opens_a_new_window(client):
    html = client.get("/embed/ecopeace?lang=ar").get_data(as_text=True)

    assert '<html lang="ar" dir="rtl">' in html
    assert "<bdi>إيكوبيس</bdi>" in html
    target = urlsplit(_button_target(client, "/embed/ecopeace?lang=ar"))
    assert target.path == "/go/ecopeace"
    assert parse_qs(target.query) == {"via": ["embed"], "lang": ["ar"]}


@pytest.mark.parametrize("cookie", [False, True], ids=["fast-path", "flask-view"])
@pytest.mark.usefixtures("member")
def test_a_click_on_the_button_is_counted_as_an_embed_click(client, db_session, cookie):
    target = _button_target(client, "/embed/ecopeace")
    client.delete_cookie("session", domain="portal.test")
    if cookie:
        client.set_cookie("session", "anything", domain="portal.test")

    response = client.get(target, headers={"User-Agent": PERSON})

    assert response.status_code == 302
    outbound = parse_qs(urlsplit(response.headers["Location"]).query)
    assert outbound["utm_medium"] == ["embedded-button"]
    [referral] = db_session.scalars(select(Referral)).all()
    assert referral.arrived_via == ArrivedVia.EMBED
    assert referral.ref == outbound["portal_ref"][0]


@pytest.mark.usefixtures("member", "login_as_viewer")
def test_the_staff_report_shows_embed_clicks_apart(client):
    for via in ("embed", "embed", None):
        query = "?via=embed" if via else ""
        client.get(f"/go/ecopeace{query}", headers={"User-Agent": PERSON})

    response = client.get("/staff/reports/?format=csv&table=members")

    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    header, row = (
        lines[0].split(","),
        dict(zip(lines[0].split(","), lines[1].split(","), strict=True)),
    )
    assert "embed_clicks" in header
    assert (row["humans"], row["shared_link_visits"], row["embed_clicks"]) == ("3", "1", "2")


def test_a_preset_amount_leads_to_the_donation_form_filled_in(client, make_org):
    make_org("roots", handoff_mode=HandoffMode.STRIPE)

    target = urlsplit(_button_target(client, "/embed/roots?lang=he&amount=50&currency=ils"))

    assert target.path == "/donate/roots"
    assert parse_qs(target.query) == {
        "lang": ["he"],
        "amount": ["50"],
        "currency": ["ILS"],
        "utm_medium": ["embedded-button"],
    }
    assert "Give" in client.get("/embed/roots?amount=50&currency=ILS").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "amount=abc",
        "amount=0",
        "amount=1000001",
        "amount=%C2%B2",
        "currency=XYZ&amount=5",
        "lang=fr",
    ],
)
@pytest.mark.usefixtures("member")
def test_a_bad_choice_is_a_clear_400(client, query):
    response = client.get(f"/embed/ecopeace?{query}")

    assert response.status_code == 400
    assert "Please check what you entered." in response.get_data(as_text=True)


@pytest.mark.usefixtures("member")
def test_the_snippet_page_gives_both_codes_for_the_chosen_language(client):
    page = Elements(client.get("/embed/ecopeace/snippet?lang=ar").get_data(as_text=True))

    _, _, badge = page.by_id("badge-code")
    _, _, widget = page.by_id("widget-code")
    assert badge.startswith('<a href="http://portal.test/go/ecopeace?via=embed&amp;lang=ar">')
    assert '<img src="http://portal.test/embed/ecopeace/badge.svg?lang=ar"' in badge
    assert widget.startswith('<iframe src="http://portal.test/embed/ecopeace?lang=ar"')
    assert "<script" not in badge + widget


def test_unknown_or_suspended_members_have_no_button(client, make_org):
    make_org("gone", status="suspended")

    assert client.get("/embed/gone").status_code == 404
    assert client.get("/embed/nobody/badge.svg").status_code == 404
