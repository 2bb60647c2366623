"""A member with postbacks enabled, referrals the portal gave it, and a signing client."""

from __future__ import annotations

import json
import time

import pytest

from portal.conversions.service import new_secret
from portal.conversions.signature import HEADER, sign
from portal.staff.audit import Actor

PERSON = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"


@pytest.fixture
def enable_postbacks(db_session):
    """Factory: turn postbacks on for ``org``; returns its secret, as the admin sees it."""

    def _enable(org) -> str:
        secret = new_secret(db_session, Actor.of(None), org)
        db_session.commit()
        return secret

    return _enable


@pytest.fixture
def hand_off(client):
    """Factory: a donor follows ``org``'s link; returns the reference the member receives."""
    from urllib.parse import parse_qs, urlsplit

    def _hand_off(org, query: str = "") -> str:
        response = client.get(f"/go/{org.slug}{query}", headers={"User-Agent": PERSON})
        return parse_qs(urlsplit(response.headers["Location"]).query)["portal_ref"][0]

    return _hand_off


@pytest.fixture
def report(client):
    """Factory: the member's site POSTs ``fields`` signed with ``secret`` (at ``at``)."""

    def _report(slug: str, secret: str, fields: dict, *, at: float | None = None, body=None):
        body = body if body is not None else json.dumps(fields).encode()
        header = sign(secret, int(at if at is not None else time.time()), body)
        return client.post(
            f"/conversions/{slug}",
            data=body,
            headers={HEADER: header, "Content-Type": "application/json"},
        )

    return _report
