"""Amplify's pages in the three languages, with share cards drawn into the test's own folder."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from portal.models import StaffRole
from tests.amplify.pages import LANGUAGES, Head


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "LANGUAGES": LANGUAGES, "SHARE_CARD_DIR": str(tmp_path / "cards")}


@pytest.fixture
def head(client):
    """Factory: ``head(path)`` is the parsed head of the page at ``path`` (which must be 200)."""

    def _head(path: str) -> Head:
        response = client.get(path)
        assert response.status_code == 200, path
        return Head(response.get_data(as_text=True))

    return _head


@pytest.fixture
def fetch_png(client):
    """Factory: ``fetch_png(url)`` is the image served at ``url``, opened, and the response."""

    def _fetch(url: str):
        response = client.get(url)
        body = response.get_data()
        response.close()  # a file's response holds it open until closed
        assert response.status_code == 200, url
        assert response.mimetype == "image/png"
        image = Image.open(BytesIO(body))
        assert image.format == "PNG"
        return image, response

    return _fetch


@pytest.fixture
def login_as_viewer(login_as):
    return login_as(StaffRole.VIEWER)
