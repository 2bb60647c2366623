"""This worker's mail sender: settings, the background thread, and waking it once a response that
committed mail has gone out (see the package's docstring for how to send mail)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.mail.outbox import QUEUED
from portal.mail.sender import BackgroundSender, Delivery, Renderer, deliver_due, next_due
from portal.mail.transport import transport_for
from portal.state import portal_state


@dataclass
class Mailer:
    """This app's mail settings and its worker's background sender."""

    config: dict
    background: BackgroundSender
    # How each kind of ``Draft`` is written, by name: registered by the package that owns it.
    renderers: dict[str, Renderer] = field(default_factory=dict)

    @property
    def sender(self) -> str:
        return self.config["MAIL_FROM"] or f"{self.config['PORTAL_NAME']} <giving@localhost>"

    @property
    def writes_files(self) -> bool:
        return not self.config.get("MAIL_URL")

    @property
    def in_background(self) -> bool:
        return self.config["MAIL_SEND_IN_BACKGROUND"]


def build_mailer(app: Flask) -> Mailer:
    """The mailer of ``app``; its thread starts only when first woken."""
    return Mailer(
        config=app.config,
        background=BackgroundSender(partial(_deliver_for, app), partial(_next_due_for, app)),
    )


def register_renderer(app: Flask, name: str, renderer: Renderer) -> None:
    """Let the sender write ``Draft`` messages queued under renderer ``name`` (a package above
    mail hands it its templates this way, as the staff dashboard takes its links)."""
    portal_state(app).mail.renderers[name] = renderer


def deliver() -> Delivery:
    """Send what is due now, in this thread (the command and tests use it)."""
    return _deliver_for(current_app._get_current_object())


def wake() -> None:
    """Ask this worker's sender thread to look at the outbox now; returns at once."""
    if (waker := sender_wake()) is not None:
        waker()


def wake_after(response):
    """Wake this worker's sender once ``response`` has gone out (for a writer that committed
    mail on a bare connection, like the webhook's ledger writer). Returns ``response``."""
    if (waker := sender_wake()) is not None:
        response.call_on_close(waker)
    return response


def sender_wake(app: Flask | None = None) -> Callable[[], None] | None:
    """What wakes this worker's sender thread (``app``'s, or the current app's); None when mail
    is sent only by ``deliver-mail``."""
    mailer = portal_state(app).mail
    return mailer.background.wake if mailer.in_background else None


def _deliver_for(app: Flask) -> Delivery:
    with app.app_context():
        state = portal_state(app)
        return deliver_due(
            state.database.sessions,
            transport_for(app.config),
            state.mail.sender,
            renderers=state.mail.renderers,
        )


def _next_due_for(app: Flask):
    with app.app_context():
        return next_due(portal_state(app).database.sessions)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(QUEUED, False) and has_request_context():
        g.portal_mail_waiting = True


def wake_after_commit(response):
    """After a request whose session committed mail: wake the sender once the response is out."""
    if g.pop("portal_mail_waiting", False):
        wake_after(response)
    return response
