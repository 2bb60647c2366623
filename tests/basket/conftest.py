"""Fixtures for the basket: the donation fixtures (sandbox, live portal) and a filled basket."""

from __future__ import annotations

import re

import pytest

from portal.models import HandoffMode
from tests.helpers import sandbox as giving_fixtures

# Shared with every folder that gives through the sandbox.
sandbox_server = giving_fixtures.sandbox_server
app_config = giving_fixtures.app_config
stripe_client = giving_fixtures.stripe_client
live_portal = giving_fixtures.live_portal


@pytest.fixture
def members(make_org, make_coalition):
    """The coalition, three members it collects for (one with Connect) and one external."""
    make_coalition()
    return [
        make_org("parents-circle", name="Parents Circle", handoff_mode=HandoffMode.STRIPE),
        make_org("roots", name="Roots", handoff_mode=HandoffMode.STRIPE),
        make_org(
            "combatants",
            name="Combatants for Peace",
            handoff_mode=HandoffMode.STRIPE,
            stripe_account_id="acct_combatants",
        ),
        make_org("hand-in-hand", name="Hand in Hand"),
    ]


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no {name} on the page"
    return match.group(1)


@pytest.fixture
def fill(client):
    """Factory: add members to the basket as a donor without script would."""

    def _fill(*slugs: str) -> None:
        for slug in slugs:
            response = client.post(f"/basket/add/{slug}", headers={"Sec-Fetch-Site": "same-origin"})
            assert response.status_code == 303

    return _fill


@pytest.fixture
def pay(client):
    """Factory: review the basket with ``fields``, then confirm it; returns the last answer."""

    def _pay(*, confirm: bool = True, **fields):
        html = client.get("/basket").get_data(as_text=True)
        form = {"csrf_token": hidden(html, "csrf_token"), "attempt": hidden(html, "attempt")}
        form.update({"currency": "USD", "frequency": "one_time", "split": "even", **fields})
        response = client.post("/basket", data=form)
        page = response.get_data(as_text=True)
        if confirm and response.status_code == 200 and 'name="shown"' in page:
            response = client.post("/basket", data={**form, "shown": hidden(page, "shown")})
        return response

    return _pay
