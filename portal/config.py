"""Configuration defaults; real values come from the environment (a ``.env`` file works)."""

import os
from pathlib import Path

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 — used only when debug is on

DEFAULTS = {
    "PORTAL_NAME": "Peacebuilders' Giving Portal",
    "COALITION_SLUG": "allmep",
    # Each has a catalogue in portal/translations/ (English is the source language).
    "LANGUAGES": ["en", "ar", "he"],
    "BABEL_DEFAULT_LOCALE": "en",
    "DIRECTORY_PAGE_SIZE": 12,
    # Outbound tags; a member's own tags in its donation URL always win.
    "UTM_SOURCE": "coalition-portal",
    "REFERRAL_PARAM": "portal_ref",
    # How long a worker trusts its copy of the routing table before asking the database again.
    "ROUTE_CACHE_SECONDS": 5.0,
    "DB_LOCK_TIMEOUT_MS": 5000,
    # /readyz says "not ready" once more referrals than this wait in the spool.
    "READY_SPOOL_MAX": 1000,
    # Card-testing defence: checkouts one visitor may open per window.
    "CHECKOUT_RATE_LIMIT": 10,
    "CHECKOUT_RATE_WINDOW_SECONDS": 600,
    # "Cover the fees" adds this share of the gift (basis points: 300 = 3%).
    "FEE_COVER_BASIS_POINTS": 300,
    "STRIPE_SANDBOX": False,
    # Every Stripe request sends this version, so objects and events keep the shape the ledger
    # reads (the version stripe-python 16.1 and the sandbox speak). Change it together with
    # the webhook endpoint's version in Stripe's dashboard.
    "STRIPE_API_VERSION": "2026-10-28.endive",
    "STRIPE_MAX_NETWORK_RETRIES": 1,
    "STRIPE_TIMEOUT_SECONDS": 15,
    "PROXY_HOPS": 0,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # Mail: no MAIL_URL writes .eml files to MAIL_OUTBOX_DIR (instance/outbox) instead of sending.
    "MAIL_URL": "",
    "MAIL_FROM": "",
    "MAIL_SEND_IN_BACKGROUND": True,
    # The staff console.
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 8,
    "LOGIN_ACCOUNT_LIMIT": 5,
    "LOGIN_VISITOR_LIMIT": 20,
    "LOGIN_WINDOW_MINUTES": 15,
    "LINK_CHECK_TIMEOUT": 10.0,
    # Donation URLs must be https; tests point the checker at a plain-http server on 127.0.0.1.
    "LINK_CHECK_ALLOW_HTTP_LOOPBACK": False,
    # The largest request body the portal reads (MAX_CONTENT_LENGTH, unless that is set); a
    # directory CSV of a few hundred rows is ~0.5 MB.
    "STAFF_MAX_UPLOAD_BYTES": 4 * 1024 * 1024,
    # Listen.
    "LISTEN_PAGE_SIZE": 10,
    # The podcast's RSS feed, for `flask import-podcast` without a URL and the staff button.
    "PODCAST_FEED_URL": "",
    # A podcast feed of a few hundred episodes is well under 1 MB; a bigger one is refused unread.
    "PODCAST_MAX_BYTES": 5 * 1024 * 1024,
    "PODCAST_TIMEOUT": 10.0,
    # Engage: messages one visitor may send to members per window, counted across workers.
    "CONTACT_RATE_LIMIT": 5,
    "CONTACT_RATE_WINDOW_SECONDS": 3600,
    # The coalition's legal details, for About, Contact and Terms (the operator's own).
    "COALITION_LEGAL_NAME": "",
    "COALITION_REGISTRATION": "",
    "COALITION_COUNTRY": "",
    "COALITION_ADDRESS": "",
    "COALITION_EMAIL": "",
}


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


_ENV_KEYS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "PORTAL_NAME": str,
    "COALITION_SLUG": str,
    "UTM_SOURCE": str,
    "PROXY_HOPS": int,
    "DB_LOCK_TIMEOUT_MS": int,
    "READY_SPOOL_MAX": int,
    "METRICS_TOKEN": str,
    "ROUTE_CACHE_SECONDS": float,
    "REFERRAL_SPOOL": str,
    "STATIC_BUILD_DIR": str,
    "STRIPE_SECRET_KEY": str,
    "STRIPE_WEBHOOK_SECRET": str,
    "STRIPE_API_BASE": str,
    "STRIPE_SANDBOX": _flag,
    "STRIPE_API_VERSION": str,
    "FEE_COVER_BASIS_POINTS": int,
    "CHECKOUT_RATE_LIMIT": int,
    "SESSION_COOKIE_SECURE": _flag,
    "PODCAST_FEED_URL": str,
    "COALITION_LEGAL_NAME": str,
    "COALITION_REGISTRATION": str,
    "COALITION_COUNTRY": str,
    "COALITION_ADDRESS": str,
    "COALITION_EMAIL": str,
    "MAIL_URL": str,
    "MAIL_FROM": str,
    "MAIL_OUTBOX_DIR": str,
}


def load_config(app, test_config: dict | None) -> None:
    """Fill ``app.config`` from defaults, the environment, then ``test_config``."""
    app.config.from_mapping(DEFAULTS)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)  # the SQLite file and the spool live here
    app.config["DATABASE_URL"] = f"sqlite:///{instance / 'portal.db'}"
    app.config["REFERRAL_SPOOL"] = str(instance / "referral-spool.jsonl")
    app.config["MAIL_OUTBOX_DIR"] = str(instance / "outbox")
    app.config["STATIC_BUILD_DIR"] = str(instance / "static-build")
    app.config["SHARE_CARD_DIR"] = str(instance / "share-cards")
    for key, cast in _ENV_KEYS.items():
        if key in os.environ:
            app.config[key] = cast(os.environ[key])
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise RuntimeError("SECRET_KEY is not set: put it in the environment or in .env")
        app.config["SECRET_KEY"] = DEV_SECRET_KEY
    if "SESSION_COOKIE_SECURE" not in os.environ and "SESSION_COOKIE_SECURE" not in (
        test_config or {}
    ):
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["STAFF_MAX_UPLOAD_BYTES"]
    _host_only_session_cookie(app.config)


def _host_only_session_cookie(config) -> None:
    """A Secure session cookie (so HTTPS) gets the ``__Host-`` prefix: browsers then refuse it
    from plain http, from a subdomain, or with a wider path, so no neighbour can plant one."""
    plain = config["SESSION_COOKIE_NAME"] == "session"
    if plain and config["SESSION_COOKIE_SECURE"] and not config.get("SESSION_COOKIE_DOMAIN"):
        config["SESSION_COOKIE_NAME"] = "__Host-session"
