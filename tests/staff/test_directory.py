"""Admins keep the directory: every field checked, every change audited, donors routed at once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from portal.models import Organization, OrgStatus, RecipientKind
from portal.state import portal_state
from tests.helpers.pages import text_of
from tests.helpers.staff import fresh

NEW_FORM = "/staff/organizations/new"


def member_fields(**changes) -> dict:
    fields = {
        "slug": "new-dawn",
        "name": "New Dawn",
        "short_description": "Young Israelis and Palestinians build things together.",
        "long_description": "Workshops,\nsummer camps and a shared radio show.",
        "region": "jerusalem",
        "country": "Israel and Palestine",
        "focus_areas": ["youth", "education"],
        "website": "https://newdawn.example.org",
        "donation_url": "https://newdawn.example.org/give?campaign=portal",
        "listen_url": "",
        "engage_url": "",
        "handoff_mode": "external",
        "stripe_account_id": "",
        "receipt_note": "",
    }
    return fields | changes


def find(db_session, slug: str) -> Organization | None:
    return fresh(db_session).scalar(select(Organization).filter_by(slug=slug))


@pytest.fixture
def admin(login_as):
    return login_as()


@pytest.mark.usefixtures("admin")
def test_admin_adds_a_member_that_donors_can_find(client, post_form, db_session):
    response = post_form(NEW_FORM, member_fields(), page=NEW_FORM)

    assert response.status_code == 303
    assert "Added New Dawn to the directory." in text_of(client.get(response.headers["Location"]))
    org = find(db_session, "new-dawn")
    assert (org.kind, org.region, org.focus_areas) == (
        RecipientKind.MEMBER,
        "jerusalem",
        ["education", "youth"],
    )
    assert "New Dawn" in text_of(client.get("/organizations/new-dawn"))


def test_new_recipient_is_audited_field_by_field(admin, post_form, audit_entries):
    post_form(NEW_FORM, member_fields())

    entries = {entry.field: entry for entry in audit_entries()}
    assert entries["slug"].after == "new-dawn"
    assert entries["donation_url"].after == "https://newdawn.example.org/give?campaign=portal"
    assert entries["focus_areas"].after == "education;youth"
    assert {entry.before for entry in entries.values()} == {None}
    assert {entry.actor for entry in entries.values()} == {admin.email}


@pytest.mark.usefixtures("admin")
def test_the_coalition_slug_makes_the_coalition_recipient(post_form, db_session):
    post_form(NEW_FORM, member_fields(slug="allmep", name="The Coalition", focus_areas=[]))

    assert find(db_session, "allmep").kind == RecipientKind.COALITION


@pytest.mark.usefixtures("admin")
def test_stripe_recipient_needs_no_donation_page(post_form, db_session):
    fields = member_fields(
        handoff_mode="stripe", donation_url="", stripe_account_id="acct_1Nv0FGQ9RKHgCVdK"
    )

    response = post_form(NEW_FORM, fields)

    assert response.status_code == 303
    assert find(db_session, "new-dawn").stripe_account_id == "acct_1Nv0FGQ9RKHgCVdK"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"donation_url": "http://newdawn.example.org/give"}, "starts with https://"),
        ({"donation_url": "javascript:alert(1)"}, "starts with https://"),
        ({"donation_url": "/give"}, "starts with https://"),
        ({"donation_url": "https://user:pw@newdawn.example.org/"}, "starts with https://"),
        ({"donation_url": "https://newdawn.example.org/a b"}, "starts with https://"),
        ({"donation_url": "https://" + "d" * 1000 + ".org"}, "at most 1000 characters"),
        ({"website": "ftp://newdawn.example.org"}, "starts with https://"),
        ({"listen_url": "newdawn.example.org/podcast"}, "starts with https://"),
        ({"slug": "New Dawn"}, "lowercase letters, digits and single hyphens"),
        ({"slug": "new--dawn"}, "lowercase letters, digits and single hyphens"),
        ({"slug": "-dawn"}, "lowercase letters, digits and single hyphens"),
        ({"slug": "n"}, "lowercase letters, digits and single hyphens"),
        ({"slug": "n" * 81}, "lowercase letters, digits and single hyphens"),
        ({"slug": "dawn/../admin"}, "lowercase letters, digits and single hyphens"),
        ({"name": ""}, "This is required."),
        ({"name": "   "}, "This is required."),
        ({"name": "N" * 201}, "Use at most 200 characters."),
        ({"name": "New\x07Dawn"}, "Remove the control characters"),
        ({"short_description": "s" * 301}, "Use at most 300 characters."),
        ({"long_description": "l" * 5001}, "Use at most 5000 characters."),
        ({"country": "c" * 101}, "Use at most 100 characters."),
        ({"region": "atlantis"}, "Choose one of the listed values."),
        ({"focus_areas": ["youth", "knitting"]}, "Unknown focus area: knitting."),
        ({"handoff_mode": "pigeon"}, "Choose one of: external, stripe."),
        ({"donation_url": ""}, "needs that page's address"),
        ({"stripe_account_id": "acct_1Nv0FGQ9RKHgCVdK"}, "only applies when the coalition"),
        (
            {"handoff_mode": "stripe", "stripe_account_id": "acc_123"},
            "looks like acct_1A2b3C4d5E6f7G8h",
        ),
        (
            {"handoff_mode": "stripe", "stripe_account_id": "acct_" + "9" * 60},
            "looks like acct_1A2b3C4d5E6f7G8h",
        ),
    ],
)
@pytest.mark.usefixtures("admin")
def test_invalid_field_is_explained_and_nothing_is_saved(
    post_form, db_session, audit_entries, changes, message
):
    response = post_form(NEW_FORM, member_fields(**changes))

    assert response.status_code == 400
    assert message in text_of(response)
    assert fresh(db_session).scalars(select(Organization)).all() == []
    assert audit_entries() == []


@pytest.mark.usefixtures("admin")
def test_slug_already_taken_is_refused(post_form, make_org, db_session):
    make_org("new-dawn", name="The First New Dawn")

    response = post_form(NEW_FORM, member_fields())

    assert response.status_code == 400
    assert "Another recipient already uses the slug “new-dawn”." in text_of(response)
    assert find(db_session, "new-dawn").name == "The First New Dawn"


@pytest.mark.usefixtures("admin")
def test_invalid_form_keeps_what_was_typed(post_form):
    html = post_form(NEW_FORM, member_fields(donation_url="http://x.example")).get_data(
        as_text=True
    )

    assert 'value="New Dawn"' in html
    assert 'value="http://x.example"' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.usefixtures("admin")
def test_edit_form_shows_the_current_values(client, make_org):
    org = make_org("roots", focus=["dialogue", "youth"])

    html = client.get(f"/staff/organizations/{org.id}/edit").get_data(as_text=True)

    assert f'value="{org.donation_url}"' in html
    assert re.search(r'<input checked [^>]*value="youth"', html)
    assert not re.search(r'<input checked [^>]*value="education"', html)


def test_edit_audits_only_what_changed_with_before_and_after(
    client, admin, make_org, post_form, audit_entries
):
    org = make_org("roots", donation_url="https://roots.example.org/donate", focus=["dialogue"])
    fields = member_fields(
        name=org.name,
        short_description=org.short_description,
        long_description=org.long_description,
        region=org.region,
        country=org.country,
        focus_areas=["dialogue"],
        website="",
        donation_url="https://roots.example.org/give-now",
    )

    response = post_form(f"/staff/organizations/{org.id}/edit", fields)

    assert response.status_code == 303
    [entry] = audit_entries()
    assert (entry.field, entry.before, entry.after, entry.actor) == (
        "donation_url",
        "https://roots.example.org/donate",
        "https://roots.example.org/give-now",
        admin.email,
    )
    log = text_of(client.get("/staff/audit"))
    assert (
        f"{admin.email} (form) organization roots donation_url "
        "https://roots.example.org/donate https://roots.example.org/give-now"
    ) in log


@pytest.mark.usefixtures("admin")
def test_saving_an_unchanged_form_audits_nothing(client, make_org, post_form, audit_entries):
    org = make_org("roots", focus=["dialogue"])
    fields = {
        name: getattr(org, name) or ""
        for name in member_fields()
        if name not in {"slug", "focus_areas", "handoff_mode"}
    }

    response = post_form(
        f"/staff/organizations/{org.id}/edit",
        fields | {"focus_areas": ["dialogue"], "handoff_mode": "external"},
    )

    assert "Nothing changed." in text_of(client.get(response.headers["Location"]))
    assert audit_entries() == []


@pytest.mark.usefixtures("admin")
def test_invalid_edit_leaves_the_recipient_as_it_was(make_org, post_form, db_session):
    org = make_org("roots")

    response = post_form(
        f"/staff/organizations/{org.id}/edit", member_fields(name="", donation_url="ftp://x")
    )

    assert response.status_code == 400
    assert find(db_session, "roots").name == "Roots"


@pytest.mark.usefixtures("admin")
def test_editing_an_unknown_recipient_is_a_404(client):
    assert client.get("/staff/organizations/9999/edit").status_code == 404


@pytest.mark.usefixtures("admin")
def test_suspended_member_leaves_the_directory_and_its_donors_reroute(
    client, make_org, make_coalition, post_form, audit_entries
):
    make_coalition()
    org = make_org("roots")

    response = post_form(f"/staff/organizations/{org.id}/suspend")

    assert "Roots is suspended" in text_of(client.get(response.headers["Location"]))
    assert client.get("/organizations/roots").status_code == 404
    assert urlsplit(client.get("/go/roots").headers["Location"]).path == "/donate"
    [entry] = audit_entries()
    assert (entry.field, entry.before, entry.after) == ("status", "active", "suspended")


@pytest.mark.usefixtures("admin")
def test_reactivated_member_is_back(client, make_org, post_form, db_session):
    org = make_org("roots", status=OrgStatus.SUSPENDED)

    post_form(f"/staff/organizations/{org.id}/reactivate")

    assert find(db_session, "roots").status == OrgStatus.ACTIVE
    assert client.get("/organizations/roots").status_code == 200


@pytest.mark.usefixtures("admin")
def test_suspending_twice_changes_and_audits_once(make_org, post_form, audit_entries):
    org = make_org("roots")

    post_form(f"/staff/organizations/{org.id}/suspend")
    post_form(f"/staff/organizations/{org.id}/suspend")

    assert len(audit_entries()) == 1


@pytest.mark.usefixtures("admin")
def test_a_change_reaches_donors_at_once_despite_the_routing_cache(
    app, client, make_org, post_form
):
    portal_state(app).referrals.routes.max_age = 3600
    org = make_org("roots", donation_url="https://roots.example.org/old")
    assert client.get("/go/roots").headers["Location"].startswith("https://roots.example.org/old")
    fields = member_fields(name="Roots", donation_url="https://roots.example.org/new")

    post_form(f"/staff/organizations/{org.id}/edit", fields)

    assert client.get("/go/roots").headers["Location"].startswith("https://roots.example.org/new")


@pytest.mark.usefixtures("admin")
def test_directory_list_shows_every_recipient_with_its_status(client, make_org, make_coalition):
    make_coalition(name="The Coalition")
    make_org("roots", status=OrgStatus.SUSPENDED)
    make_org("hand-in-hand")

    page = text_of(client.get("/staff/organizations/"))

    assert page.index("The Coalition") < page.index("Hand In Hand") < page.index("Roots")
    assert "Roots roots suspended" in page
    assert "coalition" in page
