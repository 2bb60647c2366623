"""Stripe's deliveries are answered before Flask (donate/webhook_door.py) exactly as the Flask
view answers them: same status, body and headers, same ledger, same metrics."""

from __future__ import annotations

import json
import time

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from portal.models import StripeEvent
from portal.state import portal_state
from tests.helpers.giving import sign

# Headers that differ between any two answers whatever door gave them.
VARYING = {"X-Request-Id", "Date"}


def _event(event_id: str, kind: str = "customer.created") -> dict:
    return {
        "id": event_id,
        "type": kind,
        "created": int(time.time()),
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }


def _post(client, body: bytes, *, signature: str | None, through_flask: bool):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    # A query string is one thing the door leaves to Flask: the same view answers it there.
    path = "/stripe/webhook?via=flask" if through_flask else "/stripe/webhook"
    return client.post(path, data=body, headers=headers)


@pytest.fixture
def warm(client):
    """A worker past its first request: the schema is checked, so the door takes deliveries."""
    client.get("/")
    return client


@pytest.fixture
def flask_views(app):
    """The deliveries Flask's request hooks saw, by path."""
    from flask import request

    seen: list[str] = []
    # Added to the hooks directly: the app may already have answered its first request.
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(request.full_path))
    return seen


DELIVERIES = {
    "applied": lambda body: sign(body),
    "bad signature": lambda body: sign(body, secret="whsec_wrong"),
    "stale signature": lambda body: sign(body, at=int(time.time()) - 301),
    "no signature": lambda body: None,
}


@pytest.mark.parametrize("case", DELIVERIES)
def test_both_doors_give_the_same_answer(warm, flask_views, case):
    answers = []
    for through_flask, event_id in ((True, "evt_flask"), (False, "evt_door")):
        body = json.dumps(_event(event_id)).encode()
        response = _post(warm, body, signature=DELIVERIES[case](body), through_flask=through_flask)
        answers.append(response)

    by_flask, by_door = answers
    assert "/stripe/webhook?via=flask" in flask_views
    assert "/stripe/webhook?" not in flask_views  # the door's delivery never reached Flask
    assert by_door.status_code == by_flask.status_code
    assert by_door.get_json() == by_flask.get_json()
    assert _headers(by_door) == _headers(by_flask)
    assert len(by_door.headers["X-Request-Id"]) == 16


def test_a_redelivery_through_the_door_is_a_duplicate_and_writes_nothing(warm, db_session):
    body = json.dumps(_event("evt_twice")).encode()

    first = _post(warm, body, signature=sign(body), through_flask=False)
    again = _post(warm, body, signature=sign(body), through_flask=False)

    assert first.get_json() == {"outcome": "ignored", "received": True}
    assert again.get_json() == {"outcome": "duplicate", "received": True}
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 1


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"id": "evt_1"}', b"\xff\xfe"])
def test_a_malformed_body_is_refused_by_the_door_too(warm, body, db_session):
    response = _post(warm, body, signature=sign(body), through_flask=False)

    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid webhook"}
    assert db_session.scalar(select(func.count()).select_from(StripeEvent)) == 0


def test_the_door_counts_the_outcome_and_the_request_as_flask_does(warm):
    before = _sample("portal_webhooks_total", outcome="ignored") or 0
    requests = _sample("portal_request_seconds_count", method="POST", status="200") or 0
    body = json.dumps(_event("evt_counted")).encode()

    _post(warm, body, signature=sign(body), through_flask=False)

    assert _sample("portal_webhooks_total", outcome="ignored") == before + 1
    assert _sample("portal_request_seconds_count", method="POST", status="200") == requests + 1


def test_a_worker_that_has_not_checked_its_schema_answers_through_flask(client, flask_views):
    body = json.dumps(_event("evt_first")).encode()

    response = _post(client, body, signature=sign(body), through_flask=False)

    assert response.status_code == 200
    assert "/stripe/webhook?" in flask_views


def test_an_unexpected_error_is_a_500_stripe_retries_and_is_logged(warm, app, caplog, monkeypatch):
    from portal.state import portal_state

    def broken(event):
        raise RuntimeError("a bug")

    monkeypatch.setattr(portal_state(app).ledger, "record", broken)
    body = json.dumps(_event("evt_bug")).encode()

    response = _post(warm, body, signature=sign(body), through_flask=False)

    assert response.status_code == 500
    assert response.get_json() == {"error": "internal error"}
    assert "webhook failed" in caplog.text and "a bug" in caplog.text


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VARYING}


def _sample(name: str, **labels) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@pytest.mark.parametrize("through_flask", [False, True], ids=["door", "flask"])
def test_an_event_that_queues_no_mail_leaves_the_sender_asleep(warm, app, through_flask):
    # Under load, a sender woken for every answer runs a round (a turn at the write lock) for
    # nothing; the thank-you test in test_donor_mail shows an event with mail still wakes it.
    app.config["MAIL_SEND_IN_BACKGROUND"] = True
    woken = []
    portal_state(app).mail.background.wake = lambda: woken.append(1)
    body = json.dumps(_event(f"evt_quiet_{through_flask}")).encode()

    response = _post(warm, body, signature=sign(body), through_flask=through_flask)
    response.close()

    assert response.get_json()["outcome"] == "ignored"
    assert woken == []
