"""Campaign links: a signed-in staff member, and visits logged as a hand-off logs them."""

from __future__ import annotations

import pytest

from tests.helpers.pages import text_of


@pytest.fixture
def build_link(login_as, post_form, db_session):
    """Factory: build a link through the staff form; returns the saved ``CampaignLink``."""
    from sqlalchemy import select

    from portal.models import CampaignLink

    login_as()

    def _build(org, campaign="spring-appeal", source="", medium=""):
        data = {"recipient": str(org.id), "campaign": campaign, "source": source, "medium": medium}
        response = post_form("/staff/campaigns", data, page="/staff/campaigns")
        assert response.status_code == 303, text_of(response)
        db_session.rollback()
        return db_session.scalars(select(CampaignLink).order_by(CampaignLink.id.desc())).first()

    return _build
