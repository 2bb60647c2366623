"""Mail from the coalition, through an outbox: a message is a row written in the same
transaction as the change that caused it, and a sender delivers it afterwards, retrying.

Calling it (from a service; it flushes, never commits)::

    from portal.mail import Message, queue

    queue(session, f"thanks:{donation.id}", Message(
        to=address, subject=_("Thank you"), text=body, html=None, reply_to=None, language="ar",
    ))

- ``key`` is unique: queueing the same key again returns False and changes nothing, so derive it
  from what the mail is about (``"refund:re_123"``, ``"contact:42"``) and a redelivered event or
  a double submit never sends twice. At most 200 characters.
- ``session`` may be an ORM ``Session`` or a Core ``Connection``. Nothing is sent unless the
  caller commits. After a request whose session committed new mail, this worker's sender thread
  is woken once the response has gone out (the response never waits for a mail server); a caller
  on a bare ``Connection`` calls ``wake()`` after its commit. ``flask --app app deliver-mail``
  sends whatever is due from a shell or a timer.
- Render ``subject``/``text`` in the recipient's language before queueing (``force_locale``).
- Privacy: the recipient's address and the body are erased once the message is sent or given up;
  the row keeps only its key, subject, status and times.
- Delivery: ``MAIL_URL`` names the server (``smtp://user:pass@host:587`` with STARTTLS, or
  ``smtps://user:pass@host:465``), ``MAIL_FROM`` the sender. Without ``MAIL_URL`` each message is
  written as an ``.eml`` file in ``MAIL_OUTBOX_DIR`` (``instance/outbox/``). A temporary failure is
  retried after 1, 2, 4 … minutes (at most 6 hours apart, 8 attempts); a permanent refusal (5xx)
  is not. Mail trouble never fails the request or webhook that queued the mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.mail.outbox import QUEUED, Message, queue
from portal.mail.sender import BackgroundSender, Delivery, deliver_due, next_due
from portal.mail.transport import transport_for
from portal.state import portal_state

__all__ = ["Message", "deliver", "init_app", "queue", "wake", "wake_after"]


@dataclass
class Mailer:
    """This app's mail settings and its worker's background sender."""

    config: dict
    background: BackgroundSender

    @property
    def sender(self) -> str:
        return self.config["MAIL_FROM"] or f"{self.config['PORTAL_NAME']} <giving@localhost>"

    @property
    def writes_files(self) -> bool:
        return not self.config.get("MAIL_URL")

    @property
    def in_background(self) -> bool:
        return self.config["MAIL_SEND_IN_BACKGROUND"]


def init_app(app: Flask) -> None:
    from portal.mail import cli

    mailer = Mailer(
        config=app.config,
        background=BackgroundSender(partial(_deliver_for, app), partial(_next_due_for, app)),
    )
    portal_state(app).mail = mailer
    app.after_request(_wake_after_response)
    app.context_processor(lambda: {"mail_writes_files": mailer.writes_files})
    cli.init_app(app)


def deliver() -> Delivery:
    """Send what is due now, in this thread (the command and tests use it)."""
    return _deliver_for(current_app._get_current_object())


def wake() -> None:
    """Ask this worker's sender thread to look at the outbox now; returns at once."""
    if portal_state().mail.in_background:
        portal_state().mail.background.wake()


def wake_after(response):
    """Wake this worker's sender once ``response`` has gone out (for a writer that committed
    mail on a bare connection, like the webhook's ledger writer). Returns ``response``."""
    if portal_state().mail.in_background:
        response.call_on_close(portal_state().mail.background.wake)
    return response


def _deliver_for(app: Flask) -> Delivery:
    with app.app_context():
        sessions = portal_state(app).database.sessions
        return deliver_due(sessions, transport_for(app.config), portal_state(app).mail.sender)


def _next_due_for(app: Flask):
    with app.app_context():
        return next_due(portal_state(app).database.sessions)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop(QUEUED, False) and has_request_context():
        g.portal_mail_waiting = True


def _wake_after_response(response):
    if g.pop("portal_mail_waiting", False):
        wake_after(response)
    return response
