"""Staff console fixtures: a movable clock, and the directory's upload form.

Accounts and signing in come from ``tests.helpers.staff``, shared with every folder."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from portal.state import portal_state
from tests.helpers.clock import Clock
from tests.helpers.pages import text_of
from tests.helpers.staff import UPLOAD


@pytest.fixture
def clock(app) -> Clock:
    moving = Clock(datetime.now(UTC).replace(microsecond=0))
    portal_state(app).clocks.staff = moving
    return moving


@pytest.fixture
def upload(client, post_form):
    """Factory: send ``data`` as the upload form would; returns the response."""

    def _upload(data: bytes, filename: str = "directory.csv"):
        return post_form(UPLOAD, {"file": (io.BytesIO(data), filename)}, page=UPLOAD)

    return _upload


@pytest.fixture
def preview(client, upload):
    """Factory: upload, follow to the preview page; returns ``(preview url, page response)``."""

    def _preview(data: bytes):
        response = upload(data)
        assert response.status_code == 303, text_of(response)
        url = response.headers["Location"]
        return url, client.get(url)

    return _preview
