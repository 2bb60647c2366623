"""Operator metrics: only for whoever holds the token, and counting what really happened."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from portal import create_app, dispose
from portal.models import Referral

TOKEN = "metrics-token-for-tests"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "METRICS_TOKEN": TOKEN}


def _scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN + "x"])
def test_metrics_are_hidden_from_anyone_without_the_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    assert client.get("/metrics", headers=headers).status_code == 404


def test_metrics_do_not_exist_when_no_token_is_set(app_config):
    app = create_app({**app_config, "METRICS_TOKEN": ""})

    response = app.test_client().get("/metrics", headers={"Authorization": "Bearer "})

    assert response.status_code == 404
    dispose(app)


def test_the_spool_backlog_is_what_waits_in_the_spool(client, app):
    spool = Path(app.config["REFERRAL_SPOOL"])
    spool.parent.mkdir(parents=True, exist_ok=True)
    spool.write_text('{"ref":"a"}\n{"ref":"b"}\n')

    samples = _scrape(client)

    assert samples[("portal_spool_backlog", ())] == 2


def test_requests_are_timed_by_method_and_status(client):
    before = _scrape(client).get(
        ("portal_request_seconds_count", (("method", "GET"), ("status", "404"))), 0
    )
    client.get("/nowhere-at-all")
    client.get("/nowhere-at-all")

    after = _scrape(client)[
        ("portal_request_seconds_count", (("method", "GET"), ("status", "404")))
    ]

    assert after - before == 2


def test_webhook_deliveries_are_counted_by_outcome(client):
    key = ("portal_webhooks_total", (("outcome", "refused"),))
    before = _scrape(client).get(key, 0)

    client.post("/stripe/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=bad"})

    assert _scrape(client)[key] - before == 1


def test_no_label_carries_an_address_or_a_reference(client, make_org, db_session):
    make_org("roots")
    client.get(
        "/go/roots",
        headers={"User-Agent": "Mozilla/5.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    ref = db_session.scalar(select(Referral.ref))

    body = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).get_data(
        as_text=True
    )

    assert ref and ref not in body
    assert "203.0.113" not in body


def test_hand_offs_are_counted_by_mode_channel_and_bot(client, make_org):
    make_org("roots")
    people = ("portal_handoffs_total", (("bot", "no"), ("channel", "link"), ("mode", "external")))
    bots = ("portal_handoffs_total", (("bot", "yes"), ("channel", "link"), ("mode", "external")))
    before = _scrape(client)

    for agent in ("Mozilla/5.0 Firefox/128.0", "Mozilla/5.0 Firefox/128.0", "Googlebot/2.1"):
        assert client.get("/go/roots", headers={"User-Agent": agent}).status_code == 302
    client.head("/go/roots", headers={"User-Agent": "Mozilla/5.0"})  # redirected, not logged

    after = _scrape(client)
    assert after[people] - before.get(people, 0) == 2
    assert after[bots] - before.get(bots, 0) == 1
