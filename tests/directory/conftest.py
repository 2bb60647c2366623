"""Reading the directory's pages the way a visitor does: elements, their text and attributes."""

from __future__ import annotations

import pytest

from tests.helpers.pages import Page


@pytest.fixture
def read():
    """Factory: ``read(response)`` is the response's page, parsed."""

    def _read(response) -> Page:
        return Page(response.get_data(as_text=True))

    return _read
