"""Adding to the basket from pages that set no cookie: checked by where the post comes from."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.basket import cart


@pytest.mark.usefixtures("members")
def test_the_directory_offers_the_basket_without_setting_a_cookie(client):
    response = client.get("/organizations")

    assert 'action="/basket/add/roots"' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


@pytest.mark.usefixtures("members")
@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-origin"}, {"Origin": "https://{host}"}, {}],
    ids=["fetch-metadata", "origin", "older-browser"],
)
def test_a_post_from_this_site_adds_and_removes(app, client, headers):
    host = app.config.get("SERVER_NAME") or "localhost"
    headers = {name: value.replace("{host}", host) for name, value in headers.items()}
    added = client.post("/basket/add/roots", headers=headers)
    assert added.status_code == 303
    assert cart.COOKIE in added.headers["Set-Cookie"] and "roots" in added.headers["Set-Cookie"]

    removed = client.post("/basket/remove/roots", headers=headers)
    assert removed.status_code == 303
    assert "roots" not in removed.headers["Set-Cookie"]


@pytest.mark.usefixtures("members")
@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},
    ],
    ids=["cross-site", "same-site", "foreign-origin"],
)
def test_a_post_from_another_site_changes_nothing(client, headers):
    response = client.post("/basket/add/roots", headers=headers)

    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers


@pytest.mark.usefixtures("members")
@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("/organizations?q=peace", "/organizations?q=peace"),
        ("//evil.example/organizations", "/basket"),
        ("https://evil.example/", "/basket"),
        ("/\\evil.example", "/basket"),
        ("", "/basket"),
    ],
    ids=["this-site", "scheme-relative", "absolute", "backslash", "none"],
)
def test_the_donor_goes_back_to_the_page_they_pressed_on_and_never_to_another_site(
    client, back, expected
):
    response = client.post(
        "/basket/add/roots", data={"back": back}, headers={"Sec-Fetch-Site": "same-origin"}
    )

    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert location.netloc in {"", "portal.test"}
    assert location.path + (f"?{location.query}" if location.query else "") == expected
