"""The bad input that answered 500 when the portal was probed, each now a clear 4xx."""

from __future__ import annotations

import json

import pytest

from portal.models import HandoffMode
from tests.security.test_webhook_input import SECRET, signed

HUGE = "99999999999999999999"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STRIPE_WEBHOOK_SECRET": SECRET, "STRIPE_SECRET_KEY": "sk_test_fuzz"}


@pytest.mark.parametrize(
    "query",
    [
        "since=9999-12-31",
        "until=0001-01-01",
        "since=0001-01-01&until=0001-01-02",
        "until=9999-12-31",
    ],
)
@pytest.mark.usefixtures("walker")
def test_extreme_report_dates_are_a_400_that_says_which_days_work(client, query):
    response = client.get(f"/staff/reports/?{query}")

    assert response.status_code == 400
    assert "Choose a day from 1970-01-01 to 2999-12-31." in response.text


@pytest.mark.usefixtures("walker")
def test_extreme_dates_on_a_member_report_link_are_a_400_too(client, populated):
    client.get(f"/reports/member/{populated['token']}")

    response = client.get("/reports/member/?since=9999-12-31")

    assert response.status_code == 400
    assert "Choose a day from 1970-01-01 to 2999-12-31." in response.text


@pytest.mark.parametrize("page", [HUGE, "9223372036854775807", "-1", "0"])
@pytest.mark.usefixtures("walker")
def test_an_audit_page_beyond_reach_is_not_found(client, page):
    assert client.get(f"/staff/audit?page={page}").status_code == 404


@pytest.mark.parametrize("path", [f"/staff/organizations/{HUGE}/edit", f"/listen/episodes/{HUGE}"])
@pytest.mark.usefixtures("walker")
def test_an_id_too_large_for_the_database_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_an_unknown_currency_on_the_donation_form_is_a_400(client, make_org):
    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)

    response = client.post("/donate/parents-circle", data={"currency": "XXX", "other_amount": "10"})

    assert response.status_code == 400


def test_a_report_link_with_a_day_that_is_not_a_date_is_a_400(walker, populated):
    response = walker.send(
        "POST", "/staff/reports/links", {"member": str(populated["org_id"]), "expires": "x"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize("created", [10**30, -1, 253402300800, "yesterday", 1.5, None], ids=repr)
def test_a_signed_event_whose_time_is_out_of_range_is_refused(client, created):
    event = {"id": "evt_odd", "type": "invoice.paid", "created": created, "data": {"object": {}}}
    payload = json.dumps(event).encode()

    response = client.post(
        "/stripe/webhook",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(payload)},
    )

    assert response.status_code == 400
