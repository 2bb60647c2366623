"""A real SMTP server on loopback (aiosmtpd, an ephemeral port) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import ssl
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _Inbox:
    """The server's handler: accepts every message, or refuses with ``refuse`` when set."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None
        self.arrived = threading.Condition()
        # How each accepted message came: over TLS or not, and the login it was sent under.
        self.sessions: list[tuple[bool, str | None]] = []
        # Which connection (numbered from 1 as clients connect) carried each accepted message.
        self.connections: list[int] = []
        self.refused_recipients: set[str] = set()
        # Answer "421, closing" once, to the message that would be the n-th accepted (1-based).
        self.hang_up_at: int | None = None
        self._opened = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        if self.hang_up_at == len(self.messages) + 1:
            self.hang_up_at = None
            return "421 Too busy, closing the connection"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        if not hasattr(session, "number"):
            self._opened += 1
            session.number = self._opened
        with self.arrived:
            self.sessions.append((session.ssl is not None, login))
            self.connections.append(session.number)
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer(Controller):
    """``with SmtpServer() as smtp: … smtp.url … smtp.wait_for(1)``.

    With ``tls`` (a server-side ``ssl.SSLContext``) it offers STARTTLS and refuses mail before
    it; with ``login=(user, password)`` it also takes only mail from that login, after TLS."""

    def __init__(
        self, *, tls: ssl.SSLContext | None = None, login: tuple[str, str] | None = None
    ) -> None:
        self.inbox = _Inbox()
        self.login = login
        secured = {"tls_context": tls, "require_starttls": True} if tls else {}
        if login:
            secured |= {"authenticator": self._authenticate, "auth_required": True}
        super().__init__(self.inbox, hostname="127.0.0.1", port=0, **secured)

    def _authenticate(self, _server, _session, _envelope, _mechanism, data) -> AuthResult:
        given = (data.login.decode(), data.password.decode())
        ok = isinstance(data, LoginPassword) and given == self.login
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)

    def _trigger_server(self):
        # Bound to port 0: learn the port the kernel chose before the readiness probe uses it.
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()

    @property
    def url(self) -> str:
        if self.login:
            user, password = self.login
            return f"smtp://{user}:{password}@127.0.0.1:{self.port}"
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def sessions(self) -> list[tuple[bool, str | None]]:
        """For each accepted message: whether it came over TLS, and its login."""
        return list(self.inbox.sessions)

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
