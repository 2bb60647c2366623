"""Staff add, check and publish events and opportunities; the rules keep places coarse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import AuditSubject, Event, EventKind, PublicationStatus, StaffRole
from tests.helpers.pages import text_of
from tests.helpers.staff import fresh, save_as_opened

FORM = "/staff/engage/events/new"


def event_fields(org, **overrides) -> dict:
    fields = {
        "organization_id": str(org.id),
        "kind": "event",
        "language": "en",
        "title": "Open evening",
        "description": "Come and *meet* us.",
        "starts_at": "2031-07-03T18:30",
        "ends_at": "2031-07-03T20:00",
        "timezone": "Asia/Jerusalem",
        "online_url": "",
        "place": "Jerusalem",
        "region": "jerusalem",
    }
    return {**fields, **overrides}


def test_staff_add_an_event_in_its_local_time_as_a_draft(
    client, make_org, login_as, post_form, db_session, audit_entries
):
    org = make_org("roots")
    login_as()

    response = post_form(FORM, event_fields(org), page=FORM)

    assert response.status_code == 303
    [event] = fresh(db_session).scalars(select(Event))
    assert event.status == PublicationStatus.DRAFT
    assert event.starts_at == datetime(2031, 7, 3, 15, 30, tzinfo=UTC)  # summer: Israel is UTC+3
    assert client.get(f"/engage/events/{event.id}").status_code == 404
    fields = {e.field for e in audit_entries() if e.subject_kind == AuditSubject.EVENT}
    assert {"title", "starts_at", "timezone", "place"} <= fields


def test_the_edit_form_shows_the_times_as_typed(make_org, make_event, login_as, client):
    start = datetime(2031, 11, 2, 16, 0, tzinfo=UTC)  # 18:00 in Jerusalem (winter time)
    event = make_event(make_org("roots"), starts_at=start, ends_at=None)
    login_as()

    html = client.get(f"/staff/engage/events/{event.id}/edit").get_data(as_text=True)

    assert 'value="2031-11-02T18:00"' in html


def test_publishing_puts_an_event_on_engage(client, make_org, make_event, login_as, post_form):
    event = make_event(make_org("roots"), "Ready", status=PublicationStatus.DRAFT)
    login_as()

    post_form(f"/staff/engage/events/{event.id}/publish", page="/staff/engage/events")

    assert "Ready" in client.get("/engage").get_data(as_text=True)
    assert client.get(f"/engage/events/{event.id}").status_code == 200


def test_unpublishing_takes_an_event_off(client, make_org, make_event, login_as, post_form):
    event = make_event(make_org("roots"), "Cancelled")
    login_as()

    post_form(f"/staff/engage/events/{event.id}/unpublish", page="/staff/engage/events")

    assert "Cancelled" not in client.get("/engage").get_data(as_text=True)


def test_an_opportunity_needs_no_start(make_org, login_as, post_form, db_session, client):
    org = make_org("ecopeace")
    login_as()

    response = post_form(
        FORM,
        event_fields(org, kind="opportunity", starts_at="", ends_at="", place="Jordan Valley"),
        page=FORM,
    )

    assert response.status_code == 303
    [event] = fresh(db_session).scalars(select(Event))
    assert (event.kind, event.starts_at, event.ends_at) == (EventKind.OPPORTUNITY, None, None)
    listed = client.get("/staff/engage/events")
    assert listed.status_code == 200 and "Open evening" in listed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"place": "12 Jaffa Road"}, "A city or a region only: no street, number or postcode."),
        ({"place": "شارع صلاح الدين"}, "A city or a region only"),
        ({"place": "רחוב יפו"}, "A city or a region only"),
        ({"place": "", "online_url": ""}, "Give a city or region, an online link, or both."),
        ({"starts_at": ""}, "An event needs a start."),
        ({"ends_at": "2031-07-03T17:00"}, "The end comes after the start."),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list."),
        ({"online_url": "javascript:alert(1)"}, "A full https:// address, or nothing."),
        ({"title": ""}, "An event needs a title."),
        ({"kind": "party"}, "Choose an event or an opportunity."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
    ],
)
def test_a_bad_field_is_explained_and_nothing_is_saved(
    make_org, login_as, post_form, db_session, overrides, message
):
    org = make_org("roots")
    login_as()

    response = post_form(FORM, event_fields(org, **overrides), page=FORM)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert fresh(db_session).scalars(select(Event)).all() == []


def test_viewers_cannot_manage_events(client, login_as):
    login_as(StaffRole.VIEWER)

    assert client.get("/staff/engage/events").status_code == 403


def test_seed_demo_adds_upcoming_demo_events_once(runner, client):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert "5 demo event(s) and opportunities added." in first.output
    assert "0 demo event(s) and opportunities added." in second.output
    html = client.get("/engage").get_data(as_text=True)
    assert "Demo: two families tell their story" in html
    assert "Demo: volunteer on a river clean-up" in html


def test_two_admins_editing_one_event_at_once_lose_neither_edit(
    app, client, make_org, login_as, post_form, db_session
):
    org = make_org("roots")
    login_as(StaffRole.ADMIN, "first@coalition.example")
    post_form(FORM, event_fields(org), page=FORM)
    event = fresh(db_session).scalars(select(Event)).one()
    second = app.test_client()
    login_as(StaffRole.ADMIN, "second@coalition.example", browser=second)
    url = f"/staff/engage/events/{event.id}/edit"
    first_page, second_page = client.get(url), second.get(url)

    retitled = save_as_opened(client, url, first_page, event_fields(org, title="Open house"))
    refused = save_as_opened(second, url, second_page, event_fields(org, place="Bethlehem"))

    assert (retitled.status_code, refused.status_code) == (303, 409)
    assert "Someone else saved changes to this while you were editing" in text_of(refused)
    assert 'value="Bethlehem"' in refused.get_data(as_text=True)  # the entries stay
    saved = fresh(db_session).get(Event, event.id)
    assert (saved.title, saved.place) == ("Open house", "Jerusalem")

    # Having seen the other edit, the second admin keeps it and saves again: both now hold.
    both = event_fields(org, title="Open house", place="Bethlehem")
    assert save_as_opened(second, url, refused, both).status_code == 303
    saved = fresh(db_session).get(Event, event.id)
    assert (saved.title, saved.place) == ("Open house", "Bethlehem")
