"""``GET /v1/events``: newest first, cursor paging with ``auto_paging_iter``, filters."""

from __future__ import annotations

import itertools

import pytest
import stripe


@pytest.fixture
def clock(monkeypatch):
    """Events get ``created`` 1000, 1001, 1002… so time filters are exact."""
    ticks = itertools.count(1000)
    monkeypatch.setattr("stripe_sandbox.state.now", lambda: next(ticks))


@pytest.fixture
def expired_sessions(client, make_session):
    """Make ``n`` sessions and expire them: ``n`` events, oldest first."""

    def _make(n):
        sessions = [make_session(client) for _ in range(n)]
        for session in sessions:
            client.v1.checkout.sessions.expire(session.id)
        return [client.v1.checkout.sessions.retrieve(s.id) for s in sessions]

    return _make


def _listed_session_ids(page):
    return [event.data.object.id for event in page]


def test_lists_newest_first(client, expired_sessions):
    sessions = expired_sessions(3)

    page = client.v1.events.list()

    assert page.object == "list"
    assert page.url == "/v1/events"
    assert page.has_more is False
    assert _listed_session_ids(page.data) == [s.id for s in reversed(sessions)]


def test_auto_paging_iter_walks_every_page(client, expired_sessions):
    sessions = expired_sessions(25)

    first = client.v1.events.list(params={"limit": 10})
    everything = list(first.auto_paging_iter())

    assert first.has_more is True
    assert len(first.data) == 10
    assert _listed_session_ids(everything) == [s.id for s in reversed(sessions)]


def test_starting_after_gives_the_next_older_page(client, expired_sessions):
    expired_sessions(5)
    first = client.v1.events.list(params={"limit": 2})

    second = client.v1.events.list(params={"limit": 2, "starting_after": first.data[-1].id})

    everything = client.v1.events.list(params={"limit": 5}).data
    assert [e.id for e in second.data] == [e.id for e in everything[2:4]]
    assert second.has_more is True


def test_ending_before_pages_back_towards_newer_events(client, expired_sessions):
    expired_sessions(6)
    everything = client.v1.events.list(params={"limit": 6}).data
    oldest = everything[-1]

    page = client.v1.events.list(params={"limit": 2, "ending_before": oldest.id})
    newer = list(page.auto_paging_iter())

    assert [e.id for e in page.data] == [e.id for e in everything[3:5]]
    assert page.has_more is True
    assert [e.id for e in newer] == [e.id for e in reversed(everything[:5])]


@pytest.mark.parametrize(
    ("created", "expected_count"),
    [
        ({"gte": 1002}, 3),
        ({"gt": 1002}, 2),
        ({"lt": 1002}, 2),
        ({"lte": 1002}, 3),
        ({"gte": 1001, "lt": 1003}, 2),
        (1003, 1),
    ],
)
@pytest.mark.usefixtures("clock")
def test_created_filters(client, expired_sessions, created, expected_count):
    expired_sessions(5)

    page = client.v1.events.list(params={"created": created})

    assert len(page.data) == expected_count


@pytest.mark.usefixtures("clock")
def test_created_filter_with_paging(client, expired_sessions):
    expired_sessions(7)

    events = list(
        client.v1.events.list(params={"limit": 2, "created": {"gte": 1003}}).auto_paging_iter()
    )

    assert [event.created for event in events] == [1006, 1005, 1004, 1003]


def test_type_filter_with_wildcard(client, make_session, sandbox, expired_sessions):
    expired_sessions(2)
    paid = make_session(client)
    sandbox.complete_checkout(paid.id)

    exact = client.v1.events.list(params={"type": "checkout.session.completed"})
    wildcard = client.v1.events.list(params={"type": "checkout.session.*"})
    several = client.v1.events.list(
        params={"types": ["checkout.session.completed", "checkout.session.expired"]}
    )

    assert [e.data.object.id for e in exact.data] == [paid.id]
    assert len(wildcard.data) == 3
    assert len(several.data) == 3


def test_retrieves_one_event(client, expired_sessions):
    expired_sessions(1)
    listed = client.v1.events.list().data[0]

    event = client.v1.events.retrieve(listed.id)

    assert event.to_dict() == listed.to_dict()
    assert event.id.startswith("evt_")


def test_event_data_is_a_snapshot_at_the_time(client, make_session, sandbox):
    session = make_session(client, "subscription")
    sandbox.complete_checkout(session.id)
    sub_id = client.v1.checkout.sessions.retrieve(session.id).subscription

    sandbox.cancel_subscription(sub_id)

    completed = client.v1.events.list(params={"type": "checkout.session.completed"}).data[0]
    assert completed.data.object.status == "complete"
    invoice_event = client.v1.events.list(params={"type": "invoice.paid"}).data[0]
    assert invoice_event.data.object.parent.subscription_details.subscription == sub_id


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"starting_after": "evt_a", "ending_before": "evt_b"}, "ending_before"),
        ({"type": "a", "types": ["b"]}, "type"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"starting_after": "evt_unknown"}, "starting_after"),
        ({"colour": "red"}, "colour"),
        ({"created": {"after": 1}}, "created[after]"),
    ],
)
def test_bad_list_parameters_are_invalid_requests(client, params, param):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.events.list(params=params)

    assert caught.value.param == param


def test_unknown_event_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.events.retrieve("evt_missing")

    assert caught.value.code == "resource_missing"


def test_expand_on_events_list(client, make_session, sandbox):
    session = make_session(client)
    sandbox.complete_checkout(session.id)

    page = client.v1.events.list(params={"expand": ["data.data.object.payment_intent"]})

    assert page.data[0].data.object.payment_intent.object == "payment_intent"


def test_expanding_a_plain_field_is_refused(client, make_session):
    session = make_session(client)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["currency"]})

    assert caught.value.param == "expand"
