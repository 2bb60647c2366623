"""Webhook delivery: Stripe's signature, retries, duplicates, holding and reordering."""

from __future__ import annotations

import json
import threading
import time

import pytest
import stripe

from stripe_sandbox import SandboxServer
from stripe_sandbox.webhooks import signature_header


@pytest.fixture
def hook_client(webhook_sandbox, make_client):
    """The real stripe client against the sandbox that sends webhooks."""
    return make_client(webhook_sandbox)


@pytest.fixture
def paid_sessions(hook_client, make_session, webhook_sandbox):
    """Create and pay ``n`` one-time sessions; returns their ids in order."""

    def _pay(n):
        ids = []
        for _ in range(n):
            session = make_session(hook_client)
            webhook_sandbox.complete_checkout(session.id)
            ids.append(session.id)
        return ids

    return _pay


def _session_ids(receiver):
    return [event.data.object.id for event in receiver.received]


def test_events_arrive_signed_and_verifiable(webhook_sandbox, receiver, paid_sessions, hook_client):
    [session_id] = paid_sessions(1)

    webhook_sandbox.wait_for_deliveries()

    assert receiver.rejected == []
    assert receiver.types() == ["checkout.session.completed"]
    event = receiver.received[0]
    assert event.data.object.id == session_id
    assert event.id == hook_client.v1.events.list().data[0].id
    assert receiver.requests[0]["content_type"] == "application/json; charset=utf-8"
    assert receiver.requests[0]["signature"].startswith("t=")


def test_subscription_events_arrive_in_creation_order(
    webhook_sandbox, receiver, hook_client, make_session
):
    session = make_session(hook_client, "subscription")
    webhook_sandbox.complete_checkout(session.id)
    sub_id = hook_client.v1.checkout.sessions.retrieve(session.id).subscription
    webhook_sandbox.renew(sub_id)
    webhook_sandbox.cancel_subscription(sub_id)

    webhook_sandbox.wait_for_deliveries()

    assert receiver.types() == [
        "customer.subscription.created",
        "invoice.paid",
        "invoice_payment.paid",
        "checkout.session.completed",
        "invoice.paid",
        "invoice_payment.paid",
        "customer.subscription.deleted",
    ]


def test_signature_matches_stripes_scheme():
    payload = b'{"id": "evt_1"}'

    header = signature_header(payload, "whsec_abc", 1_700_000_000)

    expected = stripe.WebhookSignature._compute_signature(
        "1700000000." + payload.decode(), "whsec_abc"
    )
    assert header == f"t=1700000000,v1={expected}"


def test_wrong_secret_is_rejected_by_the_receiver(webhook_sandbox, receiver, paid_sessions):
    webhook_sandbox.configure_webhooks(secret="whsec_someone_else", retry_delays=[])
    paid_sessions(1)

    webhook_sandbox.wait_for_deliveries()

    assert receiver.received == []
    assert len(receiver.rejected) == 1
    assert webhook_sandbox.deliveries()[0]["status_code"] == 400


def test_failed_deliveries_are_retried(webhook_sandbox, receiver, paid_sessions):
    receiver.fail_next = 2
    paid_sessions(1)

    webhook_sandbox.wait_for_deliveries()

    [delivery] = webhook_sandbox.deliveries()
    assert (delivery["attempts"], delivery["delivered"], delivery["status_code"]) == (3, True, 200)
    assert receiver.types() == ["checkout.session.completed"]


def test_retries_stop_after_the_last_delay(webhook_sandbox, receiver, paid_sessions):
    receiver.fail_next = 100
    paid_sessions(1)

    webhook_sandbox.wait_for_deliveries()

    [delivery] = webhook_sandbox.deliveries()
    assert delivery["attempts"] == 4
    assert (delivery["delivered"], delivery["done"], delivery["status_code"]) == (False, True, 500)


def test_fail_first_simulates_failures_without_calling_the_endpoint(
    webhook_sandbox, receiver, paid_sessions
):
    webhook_sandbox.configure_webhooks(fail_first=2)
    paid_sessions(1)

    webhook_sandbox.wait_for_deliveries()

    [delivery] = webhook_sandbox.deliveries()
    assert (delivery["attempts"], delivery["delivered"]) == (3, True)
    assert len(receiver.requests) == 1


def test_unreachable_endpoint_is_retried_then_given_up(make_client, build_params):
    with SandboxServer(webhook_url="http://127.0.0.1:9/nothing", retry_delays=(0.01,)) as server:
        session = make_client(server).v1.checkout.sessions.create(params=build_params())
        server.complete_checkout(session.id)
        server.wait_for_deliveries()
        [delivery] = server.deliveries()

    assert (delivery["attempts"], delivery["status_code"], delivery["delivered"]) == (
        2,
        None,
        False,
    )


def test_redirects_count_as_failures(webhook_sandbox, receiver, paid_sessions):
    receiver.fail_next, receiver.status_when_failing = 1, 302
    paid_sessions(1)

    webhook_sandbox.wait_for_deliveries()

    [delivery] = webhook_sandbox.deliveries()
    assert (delivery["attempts"], delivery["delivered"]) == (2, True)


def test_duplicate_sends_extra_copies_of_each_event(webhook_sandbox, receiver, paid_sessions):
    webhook_sandbox.configure_webhooks(duplicate=2)
    paid_sessions(2)

    webhook_sandbox.wait_for_deliveries()

    ids = receiver.ids()
    assert len(ids) == 6
    assert len(set(ids)) == 2
    assert ids[0] == ids[1] == ids[2]


def test_hold_then_reverse_flush_delivers_newest_first(webhook_sandbox, receiver, paid_sessions):
    webhook_sandbox.configure_webhooks(hold=True)
    sessions = paid_sessions(3)
    webhook_sandbox.wait_for_deliveries()
    held = list(receiver.received)

    released = webhook_sandbox.flush_webhooks("reverse")
    webhook_sandbox.wait_for_deliveries()

    assert held == []
    assert released == 3
    assert _session_ids(receiver) == list(reversed(sessions))


def test_shuffle_flush_delivers_each_event_once(webhook_sandbox, receiver, paid_sessions):
    webhook_sandbox.configure_webhooks(hold=True)
    sessions = paid_sessions(6)

    webhook_sandbox.flush_webhooks("shuffle", seed=7)
    webhook_sandbox.wait_for_deliveries()

    assert sorted(_session_ids(receiver)) == sorted(sessions)


def test_turning_hold_off_sends_what_was_held(webhook_sandbox, receiver, paid_sessions):
    webhook_sandbox.configure_webhooks(hold=True)
    sessions = paid_sessions(2)

    webhook_sandbox.configure_webhooks(hold=False)
    webhook_sandbox.wait_for_deliveries()

    assert _session_ids(receiver) == sessions


def test_controls_over_http(webhook_sandbox, receiver, paid_sessions, http):
    base = f"{webhook_sandbox.url}/_sandbox"
    json_headers = {"Content-Type": "application/json"}
    settings = http("POST", f"{base}/webhooks", json.dumps({"hold": True}), json_headers)
    sessions = paid_sessions(2)

    flushed = http("POST", f"{base}/webhooks/flush", json.dumps({"order": "reverse"}), json_headers)
    webhook_sandbox.wait_for_deliveries()
    deliveries = http("GET", f"{base}/deliveries").json()["data"]

    assert settings.json()["hold"] is True
    assert flushed.json() == {"flushed": 2, "order": "reverse"}
    assert _session_ids(receiver) == list(reversed(sessions))
    assert [d["type"] for d in deliveries] == ["checkout.session.completed"] * 2
    assert all(d["delivered"] and d["attempts"] == 1 for d in deliveries)
    assert set(deliveries[0]) >= {"event_id", "type", "attempts", "status_code", "delivered"}


@pytest.mark.parametrize(
    "body", [{"colour": 1}, {"duplicate": -1}, {"hold": "yes"}, {"retry_delays": ["x"]}]
)
def test_bad_webhook_settings_are_refused(webhook_sandbox, http, body):
    result = http(
        "POST",
        f"{webhook_sandbox.url}/_sandbox/webhooks",
        json.dumps(body),
        {"Content-Type": "application/json"},
    )

    assert result.status == 400


def test_bad_flush_order_is_refused(webhook_sandbox, http):
    result = http("POST", f"{webhook_sandbox.url}/_sandbox/webhooks/flush", "order=sideways")

    assert result.status == 400


def test_webhook_url_can_be_set_later(sandbox, receiver, make_client, build_params, http):
    sandbox.configure_webhooks(url=receiver.url, secret=receiver.secret)
    current = http("GET", f"{sandbox.url}/_sandbox/webhooks").json()
    session = make_client(sandbox).v1.checkout.sessions.create(params=build_params())

    sandbox.complete_checkout(session.id)
    sandbox.wait_for_deliveries()

    assert current["url"] == receiver.url
    assert receiver.types() == ["checkout.session.completed"]


def test_without_a_webhook_url_events_are_only_recorded(sandbox, client, build_params):
    session = client.v1.checkout.sessions.create(params=build_params())

    sandbox.complete_checkout(session.id)

    assert sandbox.deliveries() == []
    assert client.v1.events.list().data[0].pending_webhooks == 0


def test_wait_for_deliveries_times_out_while_retries_are_pending(
    webhook_sandbox, receiver, paid_sessions
):
    webhook_sandbox.configure_webhooks(retry_delays=[30])
    receiver.fail_next = 1
    paid_sessions(1)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        webhook_sandbox.wait_for_deliveries(timeout=0.3)

    assert time.monotonic() - started < 5


def test_reset_clears_deliveries_and_restores_settings(webhook_sandbox, receiver, paid_sessions):
    webhook_sandbox.configure_webhooks(duplicate=3, hold=True)
    paid_sessions(1)

    webhook_sandbox.reset()
    paid_sessions(1)
    webhook_sandbox.wait_for_deliveries()

    assert len(webhook_sandbox.deliveries()) == 1
    assert len(receiver.received) == 1


def test_a_delivery_on_the_wire_during_a_reset_leaves_nothing_in_flight(
    webhook_sandbox, receiver, paid_sessions
):
    # A test's reset came while the previous test's last event was on the wire; once it landed,
    # the sandbox counted one delivery in flight too few, and the next test's wait hung for 30 s
    # (or returned before its deliveries had landed).
    arrived, answer = threading.Event(), threading.Event()

    def hold_the_answer() -> None:
        arrived.set()
        answer.wait(10)

    receiver.on_request = hold_the_answer
    paid_sessions(1)
    assert arrived.wait(10)

    webhook_sandbox.reset()
    receiver.on_request = None
    answer.set()
    time.sleep(0.3)  # the held delivery lands

    assert webhook_sandbox.wait_for_deliveries(timeout=2)
    paid_sessions(1)
    assert webhook_sandbox.wait_for_deliveries(timeout=5)
    assert len(webhook_sandbox.deliveries()) == 1
    assert len(receiver.received) == 2  # the one held across the reset, and the new one
