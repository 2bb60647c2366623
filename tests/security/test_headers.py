"""Security headers on every path, HTTPS-only protections, and the hosts the portal answers for."""

from __future__ import annotations

import pytest

from portal import create_app, dispose
from portal.models import HandoffMode

HSTS = "max-age=31536000; includeSubDomains"


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict([*d.strip().split(" ", 1), ""][:2] for d in policy.split(";") if d.strip())


@pytest.fixture
def make_app(app_config):
    """Factory: the portal built with ``settings`` on top of the test configuration."""
    built = []

    def _make(**settings):
        app = create_app({**app_config, **settings})
        built.append(app)
        return app

    yield _make
    for app in built:
        dispose(app)


@pytest.fixture
def members(make_coalition, make_org):
    make_coalition()
    make_org("olive-press", donation_url="https://give.olive-press.example/donate?src=x")
    make_org("collected-for", handoff_mode=HandoffMode.STRIPE)


@pytest.mark.parametrize(
    "path", ["/", "/organizations/olive-press", "/donate/collected-for", "/nowhere", "/staff/login"]
)
@pytest.mark.usefixtures("members")
def test_pages_forbid_a_base_element_and_share_no_window_with_other_sites(client, path):
    response = client.get(path)

    assert directives(response)["base-uri"] == "'none'"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.usefixtures("members")
def test_forms_lead_only_to_the_portal_and_stripe(client):
    targets = directives(client.get("/donate/collected-for"))["form-action"].split()

    assert targets == ["'self'", "https://checkout.stripe.com", "https://billing.stripe.com"]


@pytest.mark.usefixtures("members")
def test_a_member_page_lets_its_donate_button_reach_that_members_site(client):
    targets = directives(client.get("/organizations/olive-press"))["form-action"].split()

    assert "https://give.olive-press.example" in targets
    assert "https:" not in targets
    assert (
        "https://give.olive-press.example" not in client.get("/").headers["Content-Security-Policy"]
    )


@pytest.mark.usefixtures("members")
def test_with_a_local_sandbox_the_donation_form_leads_there(make_app):
    client = make_app(STRIPE_API_BASE="http://127.0.0.1:12111").test_client()

    targets = directives(client.get("/donate/collected-for"))["form-action"].split()

    assert targets == ["'self'", "http://127.0.0.1:12111"]


@pytest.mark.usefixtures("members")
def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.mark.usefixtures("members")
def test_hsts_for_a_year_when_the_portal_is_served_over_https(make_app):
    client = make_app(PREFERRED_URL_SCHEME="https").test_client()

    for response in (client.get("/"), client.get("/go/olive-press"), client.get("/nowhere")):
        assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.usefixtures("members")
def test_hsts_when_a_trusted_proxy_says_https(make_app):
    client = make_app(PROXY_HOPS=1).test_client()
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}

    page, shared_link = (
        client.get("/", headers=proxied),
        client.get("/go/olive-press", headers=proxied),
    )

    assert page.headers["Strict-Transport-Security"] == HSTS
    assert shared_link.status_code == 302
    assert shared_link.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.usefixtures("members")
def test_an_untrusted_proxy_header_does_not_turn_on_hsts(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})

    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.usefixtures("members")
def test_the_shared_link_fast_path_sends_the_pages_headers(client):
    shared_link, page = client.get("/go/olive-press"), client.get("/")

    assert shared_link.status_code == 302
    for name in ("Content-Security-Policy", "Cross-Origin-Opener-Policy", "X-Content-Type-Options"):
        assert shared_link.headers[name] == page.headers[name]


@pytest.mark.usefixtures("members")
def test_a_secure_session_cookie_is_host_only(make_app):
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()

    response = client.get("/staff/login", base_url="https://portal.test")

    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie


@pytest.mark.usefixtures("members")
def test_a_request_for_another_host_is_refused(make_app):
    client = make_app(TRUSTED_HOSTS=["portal.test"]).test_client()

    for path in ("/staff", "/go/olive-press", "/organizations/olive-press"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400
        assert "Location" not in response.headers
        assert "does not answer for that address" in response.get_data(as_text=True)
    assert client.get("/go/olive-press", headers={"Host": "portal.test"}).status_code == 302


@pytest.mark.usefixtures("members")
def test_the_slash_fixing_redirect_never_names_the_requested_host(client):
    response = client.get("/staff?next=%2F", headers={"Host": "evil.example"})

    assert response.status_code == 308
    assert response.headers["Location"] == "/staff/?next=%2F"
