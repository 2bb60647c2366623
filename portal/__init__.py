"""The portal: routes donations to a coalition's members and counts every referral."""

from __future__ import annotations

import logging
import re

from dotenv import load_dotenv
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.state import portal_state


def create_app(test_config: dict | None = None) -> Flask:
    """Build the portal. Touches neither the network nor the database."""
    load_dotenv()
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    from portal import (
        amplify,
        assets,
        backup,
        config,
        db,
        errors,
        health,
        i18n,
        logs,
        mail,
        metrics,
        referrals,
        reports,
        schema,
        security,
        state,
        texts,
    )
    from portal.basket import init_app as init_basket
    from portal.campaigns import init_app as init_campaigns
    from portal.conversions import init_app as init_conversions
    from portal.directory import init_app as init_directory
    from portal.donate import init_app as init_donate
    from portal.donate.webhook_door import WebhookFastPath
    from portal.engage import init_app as init_engage
    from portal.extensions import csrf
    from portal.gifts import init_app as init_gifts
    from portal.listen import init_app as init_listen
    from portal.pages import init_app as init_pages
    from portal.referrals.fastpath import HandoffFastPath
    from portal.staff import init_app as init_staff

    config.load_config(app, test_config)
    state.init_app(app)
    errors.bound_integers(app)  # before any route is added
    csrf.init_app(app)
    i18n.init_app(app)
    texts.init_app(app)
    db.init_app(app)
    schema.init_app(app)
    health.init_app(app)
    metrics.init_app(app)
    logs.init_app(app)
    backup.init_app(app)
    errors.init_app(app)
    mail.init_app(app)  # before the features: they register what it sends
    referrals.init_app(app)
    init_directory(app)
    init_donate(app)
    init_basket(app)
    init_gifts(app)
    init_listen(app)
    init_engage(app)
    init_pages(app)
    init_staff(app)
    reports.init_app(app)
    amplify.init_app(app)
    init_campaigns(app)
    init_conversions(app)
    security.init_app(app)
    assets.init_app(app)  # inside the fast path: hand-offs never look for a file
    app.wsgi_app = HandoffFastPath(app, app.wsgi_app)
    app.wsgi_app = WebhookFastPath(app, app.wsgi_app)
    if app.config["TRUSTED_HOSTS"]:
        app.wsgi_app = security.TrustedHosts(app, app.wsgi_app)
    if app.config["PROXY_HOPS"]:
        # Outermost, so that every path sees the donor's address rather than the proxy's.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"]
        )
    _keep_addresses_out_of_logs()
    return app


class _NoAddresses(logging.Filter):
    """The development server writes the client's address first on every line: drop it."""

    _address = re.compile(r"^\S+ - - ")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self._address.sub("- - ", record.msg)
        return True


def _keep_addresses_out_of_logs() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoAddresses) for f in logger.filters):
        logger.addFilter(_NoAddresses())


def dispose(app: Flask) -> None:
    """Release the app's database connections (for tests and tools; a worker's exit does it)."""
    portal_state(app).dispose()
