"""Checkout Sessions over HTTP through the real ``stripe`` library: create, errors, retrieve."""

from __future__ import annotations

import base64
import threading

import pytest
import stripe


def test_creates_one_time_donation_session(client, make_session, sandbox):
    session = make_session(client, "payment", amount=2500)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert (session.mode, session.status, session.payment_status) == ("payment", "open", "unpaid")
    assert (session.amount_total, session.currency, session.submit_type) == (2500, "usd", "donate")
    assert session.url == f"{sandbox.url}/pay/{session.id}"
    assert session.client_reference_id == "42"
    assert session.metadata.to_dict() == {"referral_id": "42"}
    assert session.payment_intent is None


def test_creates_monthly_donation_session(client, make_session):
    session = make_session(client, "subscription", amount=1000)

    assert (session.mode, session.amount_total, session.status) == ("subscription", 1000, "open")
    assert session.subscription is None
    assert session.invoice is None


def test_accepts_donate_submit_type_in_subscription_mode(client, make_session):
    # Stripe has allowed submit_type in subscription mode since 2024-11-20.acacia.
    session = make_session(client, "subscription", submit_type="donate")

    assert session.submit_type == "donate"


def test_unknown_parameter_is_rejected_with_its_name(client, build_params):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=build_params(colour="blue"))

    assert caught.value.param == "colour"
    assert caught.value.code == "parameter_unknown"
    assert caught.value.http_status == 400
    assert caught.value.json_body["error"]["message"] == "Received unknown parameter: colour"


def test_unknown_nested_parameter_is_named_with_brackets(client, build_params):
    params = build_params()
    params["line_items"][0]["price_data"]["flavour"] = "x"

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert caught.value.param == "line_items[0][price_data][flavour]"


def test_real_but_unimplemented_parameter_says_so(client, build_params):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=build_params(automatic_tax={"enabled": True}))

    assert caught.value.param == "automatic_tax"
    assert "does not implement" in caught.value.user_message


def test_missing_currency_is_parameter_missing(client, build_params):
    params = build_params()
    del params["line_items"][0]["price_data"]["currency"]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert caught.value.code == "parameter_missing"
    assert caught.value.param == "line_items[0][price_data][currency]"


def test_missing_mode_is_parameter_missing(client, build_params):
    params = build_params()
    del params["mode"]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert (caught.value.code, caught.value.param) == ("parameter_missing", "mode")


@pytest.mark.parametrize(
    ("change", "param", "code"),
    [
        ({"mode": "donation"}, "mode", None),
        (
            {"amount": "12.50"},
            "line_items[0][price_data][unit_amount]",
            "parameter_invalid_integer",
        ),
        ({"client_reference_id": ""}, "client_reference_id", "parameter_invalid_empty"),
        ({"success_url": "not a url"}, "success_url", None),
        ({"submit_type": "subscribe"}, "submit_type", None),
        ({"amount": 20}, "line_items", None),
        ({"expires_at": 1}, "expires_at", None),
    ],
)
def test_invalid_values_are_rejected(client, build_params, change, param, code):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=build_params(**change))

    assert (caught.value.param, caught.value.code) == (param, code)


def test_recurring_price_in_payment_mode_is_rejected(client, build_params):
    params = build_params()
    params["line_items"][0]["price_data"]["recurring"] = {"interval": "month"}

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert caught.value.param == "line_items[0]"
    assert "recurring price" in caught.value.user_message


def test_subscription_mode_needs_a_recurring_price(client, build_params):
    params = build_params("subscription")
    del params["line_items"][0]["price_data"]["recurring"]

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(params=params)

    assert caught.value.param == "line_items"
    assert "at least one recurring price" in caught.value.user_message


@pytest.mark.parametrize(
    ("mode", "wrong"),
    [("payment", "subscription_data"), ("subscription", "payment_intent_data")],
)
def test_data_for_the_other_mode_is_rejected(client, build_params, mode, wrong):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(
            params=build_params(mode, **{wrong: {"metadata": {"a": "b"}}})
        )

    assert caught.value.param == wrong


def test_same_idempotency_key_replays_the_same_session(client, make_session):
    first = make_session(client, key="referral-42")
    again = make_session(client, key="referral-42")

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers


def test_idempotency_key_with_other_parameters_is_an_idempotency_error(client, make_session):
    make_session(client, key="referral-43", amount=5000)

    with pytest.raises(stripe.IdempotencyError) as caught:
        make_session(client, key="referral-43", amount=6000)

    assert caught.value.http_status == 400
    assert caught.value.json_body["error"]["type"] == "idempotency_error"
    assert "same parameters" in caught.value.user_message


def test_validation_errors_are_not_saved_against_the_key(client, build_params, make_session):
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(
            params=build_params(mode="bogus"), options={"idempotency_key": "retry-me"}
        )

    session = make_session(client, key="retry-me")

    assert session.status == "open"


def test_concurrent_identical_requests_create_one_session(client, make_session, sandbox):
    ids, barrier = [], threading.Barrier(8)

    def create():
        barrier.wait()
        ids.append(make_session(client, key="same-donation").id)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(ids)) == 1
    assert len(ids) == 8
    sessions = [o for o in sandbox.sandbox.store.objects.values() if o["object"] != "event"]
    assert len(sessions) == 1


def test_bad_api_key_is_an_authentication_error(sandbox, make_client, make_session):
    bad = make_client(sandbox, api_key="sk_test_bad")

    with pytest.raises(stripe.AuthenticationError) as caught:
        make_session(bad)

    assert caught.value.http_status == 401
    assert caught.value.json_body["error"]["type"] == "invalid_request_error"
    assert "Invalid API Key provided" in caught.value.user_message


@pytest.mark.parametrize("header", [None, "Bearer pk_test_publishable", "Bearer sk_live_real"])
def test_requests_without_a_test_secret_key_get_401(sandbox, http, header):
    headers = {"Authorization": header} if header else {}

    result = http("GET", f"{sandbox.url}/v1/events", headers=headers)

    assert result.status == 401
    assert result.json()["error"]["type"] == "invalid_request_error"


def test_basic_auth_works_like_curl_dash_u(sandbox, http):
    token = base64.b64encode(b"sk_test_curl:").decode()

    result = http("GET", f"{sandbox.url}/v1/events", headers={"Authorization": f"Basic {token}"})

    assert result.status == 200
    assert result.json()["object"] == "list"


def test_retrieves_a_session(client, make_session):
    created = make_session(client)

    fetched = client.v1.checkout.sessions.retrieve(created.id)

    assert fetched.to_dict() == created.to_dict()


def test_unknown_session_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.retrieve("cs_test_nope")

    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"


def test_expire_closes_an_open_session_and_records_the_event(client, make_session):
    session = make_session(client)

    expired = client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.url) == ("expired", None)
    event = client.v1.events.list(params={"limit": 1}).data[0]
    assert event.type == "checkout.session.expired"
    assert event.data.object.id == session.id
    assert event.request.id == expired.last_response.request_id


def test_expire_twice_is_an_invalid_request(client, make_session):
    session = make_session(client)
    client.v1.checkout.sessions.expire(session.id)

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.expire(session.id)

    assert "status of `expired`" in caught.value.user_message


def test_unrecognised_url_gets_stripe_404(sandbox, http):
    result = http("GET", f"{sandbox.url}/v1/widgets", headers={"Authorization": "Bearer sk_test_x"})

    assert result.status == 404
    assert result.json()["error"]["message"].startswith(
        "Unrecognized request URL (GET: /v1/widgets)"
    )


def test_retrieve_expands_nested_ids(client, make_session, sandbox):
    session = make_session(client)
    sandbox.complete_checkout(session.id)

    fetched = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge"]}
    )

    assert fetched.payment_intent.object == "payment_intent"
    assert fetched.payment_intent.latest_charge.status == "succeeded"
