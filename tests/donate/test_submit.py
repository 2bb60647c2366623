"""The donation submit asks Stripe with its intent already committed and no write lock held."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select

from portal.models import Donation
from portal.state import portal_state
from tests.helpers.locks import other_writer_gets_the_lock


class WatchedGateway:
    """The app's real gateway; before each Checkout Session it lets ``look`` see the database."""

    def __init__(self, gateway, look) -> None:
        self._gateway = gateway
        self._look = look

    def __getattr__(self, name):
        return getattr(self._gateway, name)

    def create_checkout_session(self, params, **options):
        self._look()
        return self._gateway.create_checkout_session(params, **options)


def test_stripe_is_asked_after_the_intent_is_committed_and_without_the_write_lock(
    app, give, recipient, database_url
):
    engine = create_engine(database_url)
    seen = []

    def look():
        with engine.connect() as connection:
            opened = connection.scalar(select(func.count(Donation.id)))
        seen.append((opened, other_writer_gets_the_lock(database_url)))

    state = portal_state(app)
    state.gateway = WatchedGateway(state.gateway, look)
    try:
        response = give(preset="50")
    finally:
        engine.dispose()

    assert response.status_code == 303
    assert seen == [(1, True)]
