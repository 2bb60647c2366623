"""NUL bytes anywhere a visitor can type get a clear 4xx, never a 500 (PostgreSQL refuses them)."""

from __future__ import annotations

import pytest

from portal.models import HandoffMode


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/donate/parents%00circle", 404),
        ("/donate/thanks?session_id=cs_%00", 400),
        ("/go/roots%00", 404),
        ("/organizations?region=%00", 400),
    ],
)
def test_nul_bytes_in_addresses_are_refused_cleanly(client, make_org, path, code):
    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)

    assert client.get(path).status_code == code


def test_nul_bytes_in_a_form_are_refused_cleanly(client, make_org):
    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE)

    response = client.post("/donate/parents-circle", data={"dedication": "for\x00you"})

    assert response.status_code == 400
