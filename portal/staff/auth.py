"""Who is signed in: Flask-Login wiring, session lifetimes, access decorators and a safe ``next``.

Import ``staff_required``, ``admin_required`` and ``current_staff`` from here to guard a page.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from portal import ratelimit
from portal.db.session import get_session
from portal.db.writing import writing
from portal.extensions import login_manager
from portal.models import LoginOutcome, Staff
from portal.staff import passwords, service, throttle
from portal.state import portal_state

log = logging.getLogger(__name__)

_SINCE = "staff_since"
_SEEN = "staff_seen"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_staff)
    login_manager.unauthorized_handler(to_login)


def current_staff() -> Staff | None:
    """The signed-in staff member of this request, or None."""
    user = current_user._get_current_object()
    return user if isinstance(user, Staff) else None


def staff_required(view):
    """Any signed-in staff member; anyone else is sent to sign in and brought back after."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if current_staff() is None:
            return to_login()
        return view(*args, **kwargs)

    return guarded


def admin_required(view):
    """Admins only: others signed in get a 403, anonymous visitors are sent to sign in."""

    @wraps(view)
    def guarded(*args, **kwargs):
        staff = current_staff()
        if staff is None:
            return to_login()
        if not staff.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def no_store(response):
    """For every console page: they show staff emails, numbers and, once, a new password."""
    response.headers["Cache-Control"] = "no-store"
    return response


def to_login():
    if g.pop("staff_session_expired", False):
        flash(_("Your session has ended. Please sign in again."), "info")
    if request.method not in _SAFE_METHODS:
        return redirect(url_for("staff.login"), code=303)
    here = request.full_path.rstrip("?")
    return redirect(url_for("staff.login", next=safe_next(here)))


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path on this site, else None: ``next`` never leads elsewhere.

    Browsers read ``\\`` as ``/`` and drop tabs and newlines, so ``/\\evil``, ``/\\t/evil`` and
    their percent-encoded forms would all become ``//evil``, another host: refuse them all.
    """
    if not value or len(value) > 2000:
        return None
    for text in (value, unquote(value)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return None
        if not text.isascii() or any(not ch.isprintable() or ch.isspace() for ch in text):
            return None
    parts = urlsplit(value)
    return None if parts.scheme or parts.netloc else value


def sign_in(email: str, password: str) -> LoginOutcome:
    """Check a sign-in, count it, and on success start a fresh session. Commits.

    The attempt is counted before its password is checked, in one locked step with reading the
    count (``throttle.claim``), and committed before hashing: simultaneous guesses queue on the
    lock instead of all slipping under the limit, and no lock is held while a hash is checked.
    """
    db, now = get_session(), portal_state().clocks.staff()
    email = service.normalize_email(email)
    with writing(db):
        keys = _attempt_keys(db, email, now)
        claimed = throttle.claim(db, _rules(), keys, now)
        staff = service.find_staff(db, email) if claimed.allowed else None
        staff_id = staff.id if staff is not None and staff.is_active else None
        stored = staff.password_hash if staff_id is not None else None
    signed_in = claimed.allowed and passwords.verify_password(stored, password)
    outcome = _outcome(not claimed.allowed, signed_in)
    log.info("staff sign-in %s (account %s)", outcome.value, staff_id or keys.account[0][-8:])
    if signed_in:
        with writing(db):
            throttle.succeeded(db, claimed)
            staff = db.get(Staff, staff_id)
            service.record_sign_in(db, staff, password, now)
        _start_session(staff, now)
    return outcome


def confirm_password(staff: Staff, password: str) -> LoginOutcome:
    """Check ``staff``'s own password (to change it) as a guess counted like a sign-in. Commits.

    A stolen session must not become a way round the sign-in limit.
    """
    db, now = get_session(), portal_state().clocks.staff()
    with writing(db):
        claimed = throttle.claim(db, _rules(), _attempt_keys(db, staff.email, now), now)
        stored = staff.password_hash
    right = claimed.allowed and passwords.verify_password(stored, password)
    if right:
        with writing(db):
            throttle.succeeded(db, claimed)
    return _outcome(not claimed.allowed, right)


def _attempt_keys(db, email: str, now: datetime) -> throttle.AttemptKeys:
    salts = ratelimit.day_salts(db, portal_state().referrals.salts, now.date())
    return throttle.attempt_keys(salts, email, request.remote_addr or "")


def sign_out(staff: Staff) -> None:
    """End this session and every other one of ``staff``: old cookies stop working. Commits."""
    db = get_session()
    with writing(db):
        service.end_sessions(db, staff)
    log.info("staff sign-out (account %s)", staff.id)
    logout_user()
    session.clear()


def keep_session(staff: Staff) -> None:
    """After ``staff``'s sessions were ended on purpose (a new password), keep this one."""
    login_user(staff)
    session.pop("_id", None)


def _start_session(staff: Staff, now: datetime) -> None:
    # A new session at sign-in: nothing from before it carries over (no fixation).
    session.clear()
    login_user(staff)
    session.pop("_id", None)
    session[_SINCE] = session[_SEEN] = now.timestamp()


def _load_staff(session_id: str) -> Staff | None:
    now = portal_state().clocks.staff().timestamp()
    if not _alive(session.get(_SINCE), session.get(_SEEN), now):
        session.clear()
        g.staff_session_expired = True
        return None
    try:
        staff = service.staff_for_session(get_session(), session_id)
    except SQLAlchemyError:
        # Public pages ask who is signed in too; a database outage must not break them.
        log.warning("could not load the signed-in staff member; treating as signed out")
        return None
    if staff is None:
        session.clear()
        return None
    session[_SEEN] = now
    return staff


def _alive(since, seen, now: float) -> bool:
    """Whether a session begun at ``since`` and last used at ``seen`` (POSIX seconds, from its
    cookie) is within ``STAFF_IDLE_MINUTES`` of idleness and ``STAFF_SESSION_HOURS`` in all."""
    if not (isinstance(since, int | float) and isinstance(seen, int | float)):
        return False
    config = current_app.config
    idle, lifetime = config["STAFF_IDLE_MINUTES"] * 60, config["STAFF_SESSION_HOURS"] * 3600
    return now - seen <= idle and now - since <= lifetime


def _rules() -> throttle.Rules:
    config = current_app.config
    return throttle.Rules(
        account_limit=config["LOGIN_ACCOUNT_LIMIT"],
        visitor_limit=config["LOGIN_VISITOR_LIMIT"],
        window=timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]),
    )


def _outcome(refused: bool, signed_in: bool) -> LoginOutcome:
    if refused:
        return LoginOutcome.REFUSED
    return LoginOutcome.SUCCEEDED if signed_in else LoginOutcome.FAILED
