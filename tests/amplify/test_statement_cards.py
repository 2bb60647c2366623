"""A statement shares its own card: its title and the member who wrote it, in its language."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from portal.models import PublicationStatus, Statement, utcnow
from tests.amplify.pages import Head


@pytest.fixture
def statement(db_session, make_org):
    org = make_org("ecopeace", name="EcoPeace Middle East")
    found = Statement(
        organization_id=org.id,
        title="The river is our shared future",
        summary="Why the Jordan needs both banks.",
        status=PublicationStatus.PUBLISHED,
        published_at=utcnow() - timedelta(days=1),
    )
    db_session.add(found)
    db_session.commit()
    return found


@pytest.mark.parametrize("language", ["en", "he"])
def test_a_statement_previews_with_its_own_cards(client, fetch_png, statement, language):
    page = Head(
        client.get(f"/listen/statements/{statement.id}?lang={language}").get_data(as_text=True)
    )

    wide, square = page.values("og:image")
    assert urlsplit(wide).path == f"/share/statements/{statement.id}/{language}/wide.png"
    assert page.value("og:type") == "article"
    assert page.value("og:description") == "Why the Jordan needs both banks."
    assert fetch_png(wide)[0].size == (1200, 630)
    assert fetch_png(square)[0].size == (1080, 1080)


def test_a_new_title_gives_a_new_card(client, db_session, statement):
    def card_url() -> str:
        html = client.get(f"/listen/statements/{statement.id}").get_data(as_text=True)
        return Head(html).values("og:image")[0]

    before = card_url()
    statement.title = "A shared river, a shared future"
    db_session.commit()

    assert card_url() != before


def test_a_draft_has_no_card(client, db_session, statement):
    statement.status = PublicationStatus.DRAFT
    db_session.commit()

    assert client.get(f"/share/statements/{statement.id}/en/wide.png").status_code == 404
