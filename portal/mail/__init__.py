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
- Render ``subject``/``text`` in the recipient's language before queueing (``force_locale``),
  or, on a hot path whose write lock should not wait for templates, queue a ``Draft`` (the
  address, a renderer's name and the values it needs): the sender writes it just before
  sending, with the renderer registered under that name (``register_renderer(app, name, fn)``,
  ``fn(session, values) -> Message``). A draft that cannot be written is not sent (failed).
- Privacy: the recipient's address and the body are erased once the message is sent or given up;
  the row keeps only its key, subject, status and times.
- Delivery: ``MAIL_URL`` names the server (``smtp://user:pass@host:587`` with STARTTLS, or
  ``smtps://user:pass@host:465``), ``MAIL_FROM`` the sender. Without ``MAIL_URL`` each message is
  written as an ``.eml`` file in ``MAIL_OUTBOX_DIR`` (``instance/outbox/``). A temporary failure is
  retried after 1, 2, 4 … minutes (at most 6 hours apart, 8 attempts); a permanent refusal (5xx)
  is not. Mail trouble never fails the request or webhook that queued the mail.
"""

from __future__ import annotations

from flask import Flask

from portal.mail.mailer import deliver, register_renderer, wake, wake_after
from portal.mail.outbox import Draft, Message, queue
from portal.state import portal_state

__all__ = [
    "Draft",
    "Message",
    "deliver",
    "init_app",
    "queue",
    "register_renderer",
    "wake",
    "wake_after",
]


def init_app(app: Flask) -> None:
    from portal.mail import cli
    from portal.mail.mailer import build_mailer, wake_after_commit

    mailer = portal_state(app).mail = build_mailer(app)
    app.after_request(wake_after_commit)
    app.context_processor(lambda: {"mail_writes_files": mailer.writes_files})
    cli.init_app(app)
