"""Staff write, review, publish and unpublish statements; every change is in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.models import AuditSubject, PublicationStatus, StaffRole, Statement, utcnow
from tests.helpers.staff import fresh, save_as_opened

FORM = "/staff/listen/statements/new"


def statement_fields(org, **overrides) -> dict:
    fields = {
        "organization_id": str(org.id),
        "language": "en",
        "title": "We keep meeting",
        "summary": "Why we still meet.",
        "body": "Every *week*.",
        "original_url": "",
        "translation_of_id": "",
    }
    return {**fields, **overrides}


def test_staff_write_a_draft_that_visitors_cannot_see(
    client, make_org, login_as, post_form, db_session, audit_entries
):
    org = make_org("roots")
    admin = login_as()

    response = post_form(FORM, statement_fields(org), page=FORM)

    assert response.status_code == 303
    [statement] = fresh(db_session).scalars(select(Statement))
    assert statement.status == PublicationStatus.DRAFT
    assert client.get(f"/listen/statements/{statement.id}").status_code == 404
    created = [e for e in audit_entries() if e.subject_kind == AuditSubject.STATEMENT]
    assert {e.field for e in created} >= {"title", "body", "language", "organization_id"}
    assert {e.actor for e in created} == {admin.email}


def test_publishing_puts_a_draft_on_listen_and_the_member_page(
    client, make_org, make_statement, login_as, post_form, audit_entries
):
    org = make_org("roots")
    draft = make_statement(org, "Ready to go", status=PublicationStatus.DRAFT)
    login_as()

    response = post_form(
        f"/staff/listen/statements/{draft.id}/publish", page="/staff/listen/statements"
    )

    assert response.status_code == 303
    assert client.get(f"/listen/statements/{draft.id}").status_code == 200
    assert "Ready to go" in client.get("/listen").get_data(as_text=True)
    assert "Ready to go" in client.get("/organizations/roots").get_data(as_text=True)
    changed = {(e.field, e.before, e.after) for e in audit_entries()}
    assert ("status", "draft", "published") in changed


def test_a_statement_first_published_elsewhere_keeps_its_date(
    client, make_org, make_statement, login_as, post_form
):
    draft = make_statement(make_org("roots"), status=PublicationStatus.DRAFT)
    login_as()
    day = (utcnow() - timedelta(days=30)).date()

    post_form(
        f"/staff/listen/statements/{draft.id}/publish",
        {"published_on": day.isoformat()},
        page="/staff/listen/statements",
    )

    html = client.get(f"/listen/statements/{draft.id}").get_data(as_text=True)
    assert f'datetime="{day.isoformat()}T12:00:00+00:00"' in html


def test_a_future_publication_date_is_refused(
    make_org, make_statement, login_as, post_form, client
):
    draft = make_statement(make_org("roots"), status=PublicationStatus.DRAFT)
    login_as()
    later = (utcnow() + timedelta(days=3)).date().isoformat()

    response = post_form(
        f"/staff/listen/statements/{draft.id}/publish",
        {"published_on": later},
        page="/staff/listen/statements",
        follow_redirects=True,
    )

    assert "The publication date cannot be in the future." in response.get_data(as_text=True)
    assert client.get(f"/listen/statements/{draft.id}").status_code == 404


def test_unpublishing_takes_a_statement_off_the_public_pages(
    client, make_org, make_statement, login_as, post_form
):
    statement = make_statement(make_org("roots"), "Withdrawn")
    login_as()

    post_form(f"/staff/listen/statements/{statement.id}/unpublish", page="/staff/listen/statements")

    assert client.get(f"/listen/statements/{statement.id}").status_code == 404
    assert "Withdrawn" not in client.get("/listen").get_data(as_text=True)


def test_the_review_queue_lists_members_proposals_first(client, make_org, make_statement, login_as):
    org = make_org("roots")
    make_statement(org, "Sent by the member", status=PublicationStatus.PROPOSED)
    make_statement(org, "A staff draft", status=PublicationStatus.DRAFT)
    login_as()

    html = client.get("/staff/listen/statements").get_data(as_text=True)

    assert html.index("waiting for review") < html.index("Sent by the member")
    assert html.index("Sent by the member") < html.index("Drafts") < html.index("A staff draft")


def test_editing_records_each_changed_field(
    make_org, make_statement, login_as, post_form, audit_entries
):
    org = make_org("roots")
    statement = make_statement(org, "Old title")
    login_as()
    url = f"/staff/listen/statements/{statement.id}/edit"

    post_form(
        url,
        statement_fields(org, title="New title", body=statement.body, summary=statement.summary),
        page=url,
    )

    [entry] = [e for e in audit_entries() if e.subject_kind == AuditSubject.STATEMENT]
    assert (entry.field, entry.before, entry.after) == ("title", "Old title", "New title")


def test_two_admins_editing_one_statement_at_once_lose_neither_edit(
    app, client, make_org, make_statement, login_as, db_session
):
    org = make_org("roots")
    statement = make_statement(org, "Old title")
    login_as(StaffRole.ADMIN, "first@coalition.example")
    second = app.test_client()
    login_as(StaffRole.ADMIN, "second@coalition.example", browser=second)
    url = f"/staff/listen/statements/{statement.id}/edit"
    base = statement_fields(org, title="Old title", body=statement.body, summary=statement.summary)
    first_page, second_page = client.get(url), second.get(url)

    retitled = save_as_opened(client, url, first_page, base | {"title": "New title"})
    refused = save_as_opened(second, url, second_page, base | {"summary": "Second summary."})

    assert (retitled.status_code, refused.status_code) == (303, 409)
    assert "Second summary." in refused.get_data(as_text=True)
    saved = fresh(db_session).get(Statement, statement.id)
    assert (saved.title, saved.summary) == ("New title", statement.summary)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "A statement needs a title."),
        ("language", "fr", "Choose one of the listed languages."),
        ("original_url", "javascript:alert(1)", "A full https:// address, or nothing."),
        ("organization_id", "999", "Choose the member, or the coalition."),
        ("body", "x" * 20_001, "At most 20000 characters."),
    ],
)
def test_a_bad_field_is_explained_and_nothing_is_saved(
    make_org, login_as, post_form, db_session, field, value, message
):
    org = make_org("roots")
    login_as()

    response = post_form(FORM, statement_fields(org, **{field: value}), page=FORM)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert fresh(db_session).scalars(select(Statement)).all() == []


def test_a_translation_must_be_in_another_language_than_its_original(
    make_org, make_statement, login_as, post_form
):
    org = make_org("roots")
    original = make_statement(org, "Original", language="en")
    login_as()

    response = post_form(FORM, statement_fields(org, translation_of_id=str(original.id)), page=FORM)

    assert response.status_code == 400
    assert "A translation is in another language than its original." in response.get_data(
        as_text=True
    )


def test_viewers_cannot_change_statements(client, make_org, make_statement, login_as):
    statement = make_statement(make_org("roots"), status=PublicationStatus.DRAFT)
    login_as(StaffRole.VIEWER)

    assert client.get("/staff/listen/statements").status_code == 403
    assert client.post(f"/staff/listen/statements/{statement.id}/publish").status_code in (400, 403)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/listen/statements")

    assert response.status_code in (302, 303)
    assert "/staff/login" in response.headers["Location"]


def test_seed_demo_adds_demo_statements_once(runner, client):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert "8 demo statement(s) added." in first.output
    assert "0 demo statement(s) added." in second.output
    html = client.get("/listen").get_data(as_text=True)
    assert "Why we ask you to listen first" in html
    statement_page = client.get("/listen/statements/1").get_data(as_text=True)
    assert "Demo statement: written by the portal team" in statement_page
