"""A real SMTP server on loopback (aiosmtpd, an ephemeral port) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Inbox:
    """The server's handler: accepts every message, or refuses with ``refuse`` when set."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer(Controller):
    """``with SmtpServer() as smtp: … smtp.url … smtp.wait_for(1)``."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        super().__init__(self.inbox, hostname="127.0.0.1", port=0)

    def _trigger_server(self):
        # Bound to port 0: learn the port the kernel chose before the readiness probe uses it.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.inbox.messages)

    def refuse(self, reply: str | None) -> None:
        """Answer every message with ``reply`` (e.g. ``"550 No such user"``); None accepts."""
        self.inbox.refuse = reply

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once at least ``count`` have arrived (fails after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        with self.inbox.arrived:
            while len(self.inbox.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.inbox.messages)} of {count} mail(s) arrived"
                self.inbox.arrived.wait(left)
            return list(self.inbox.messages)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
