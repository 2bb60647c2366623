"""Amplify: how the portal's pages look when shared, and what other sites may use of it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.amplify import embed, meta, share_cards, views

    app.register_blueprint(views.bp)
    app.register_blueprint(embed.bp)
    app.jinja_env.globals.update(
        page_meta=meta.page_meta,
        is_private_page=meta.is_private_page,
        share_card_url=share_cards.card_url,
        statement_card_url=share_cards.statement_card_url,
    )
