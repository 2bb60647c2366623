"""About, Contact, Privacy and Terms: linked from every page, the legal details from settings,
staff's texts per language, and a privacy page that says what the code keeps."""

from __future__ import annotations

import pytest

from portal.models import PageText, StaffRole
from tests.helpers.pages import text_of

LEGAL = {
    "COALITION_LEGAL_NAME": "Alliance for Middle East Peace (demo)",
    "COALITION_REGISTRATION": "EIN 00-0000000",
    "COALITION_COUNTRY": "United States",
    "COALITION_ADDRESS": "Washington, DC",
    "COALITION_EMAIL": "info@coalition.example",
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, **LEGAL, "LANGUAGES": ["en", "ar", "he"]}


@pytest.mark.parametrize("path", ["/", "/organizations", "/listen", "/engage", "/about", "/nope"])
def test_every_page_links_the_four_pages_in_its_footer(client, path):
    html = client.get(path).get_data(as_text=True)
    footer = html[html.index('<footer class="site-footer">') :]

    for target in ("/about", "/contact", "/privacy", "/terms"):
        assert f'href="{target}"' in footer


@pytest.mark.parametrize("path", ["/about", "/contact", "/privacy", "/terms"])
def test_the_pages_name_who_runs_the_portal(client, path):
    text = text_of(client.get(path))

    for value in LEGAL.values():
        assert value in text


def test_about_says_who_receives_and_receipts_each_kind_of_gift(client):
    text = text_of(client.get("/about"))

    assert "that member receives the money and issues your receipt" in text
    assert "the coalition collects the gift through Stripe" in text


def test_the_privacy_page_states_what_is_kept(client):
    text = text_of(client.get("/privacy"))

    assert "Your IP address is never stored" in text
    assert "deleted after two days" in text
    assert "kept only if you tick “share my email”" in text
    assert "These rows are kept for the reports, with no end date." in text


def test_without_settings_the_pages_say_the_details_are_missing(app, client):
    app.config["COALITION_LEGAL_NAME"] = ""

    assert "has not filled in the coalition’s legal details yet" in text_of(client.get("/about"))


def test_staff_write_the_about_page_in_each_language_with_english_as_fallback(
    client, login_as, post_form, db_session
):
    login_as(StaffRole.ADMIN)
    editor = "/staff/pages/about/ar"
    post_form(editor, {"body": "# من نحن\n\nائتلاف <script>x()</script>"}, page=editor)
    post_form("/staff/pages/about/en", {"body": "We are *the coalition*."}, page=editor)

    arabic = client.get("/about?lang=ar").get_data(as_text=True)
    hebrew = client.get("/about?lang=he").get_data(as_text=True)

    assert "<h2>من نحن</h2>" in arabic and "<script>x()" not in arabic
    assert "We are <em>the coalition</em>." in hebrew  # no Hebrew text yet: the English one
    assert db_session.get(PageText, ("about", "ar")) is not None


def test_only_admins_edit_the_pages(client, login_as):
    login_as(StaffRole.VIEWER)

    assert client.get("/staff/pages/about/en").status_code == 403


def test_an_unknown_page_or_language_is_404(client, login_as):
    login_as(StaffRole.ADMIN)

    assert client.get("/staff/pages/privacy/en").status_code == 404
    assert client.get("/staff/pages/about/fr").status_code == 404
