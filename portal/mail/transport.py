"""Where mail goes: an SMTP server named by ``MAIL_URL``, or ``.eml`` files when there is none."""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import secrets
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.base64mime import body_encode
from email.charset import Charset
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from portal.mail.outbox import Message as Written
from portal.models import OutboxMail, utcnow

SMTP_TIMEOUT_SECONDS = 10
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx answer): retrying cannot help."""


class TemporaryFailure(Exception):
    """The server could not take the message now: a later attempt may succeed."""


@dataclass(frozen=True)
class Wire:
    """One message as it goes to the server: 7-bit bytes with CRLF line ends, and its envelope."""

    data: bytes
    sender: str  # the envelope's MAIL FROM
    recipients: list[str]  # its RCPT TOs
    headers: dict[str, str]  # the top-level headers, as written

    def __bytes__(self) -> bytes:
        return self.data

    def __getitem__(self, name: str) -> str | None:
        return self.headers.get(name)


def build_message(mail: OutboxMail, sender: str, written: Written | None = None) -> Wire:
    """The RFC 5322 message for one outbox row (a draft's as ``written`` by its renderer). Its
    Message-ID derives from the outbox key, so a receiving server can recognise a resend after a
    crash between sending and recording it. Raises ``PermanentFailure`` for a recipient no
    message can carry (no address, or one outside ASCII).

    Assembled directly rather than through ``email.message``: its generator refolds every
    header through ``email.header`` on the way out, which cost the sender more than writing the
    mail itself, and these headers are ours, not parsed input. The encoding itself is the
    standard library's: names and subjects outside ASCII become encoded words (RFC 2047,
    ``email.charset``, ``formataddr``), bodies UTF-8 in base64 (``email.base64mime``), so the
    bytes are 7-bit on any server.
    """
    content = written or Written(
        to="",
        subject=mail.subject,
        text=mail.body_text or "",
        html=mail.body_html,
        reply_to=mail.reply_to,
    )
    recipients = _envelope(mail.recipient)
    if not recipients or not all(address.isascii() for address in recipients):
        # The address itself is not repeated here: the reason is logged and kept on the row.
        raise PermanentFailure(
            "not built: the recipient's address is missing or not ASCII (sending to an"
            " internationalised address, SMTPUTF8, is not supported)"
        )
    headers = {
        "From": _sender_header(sender),
        "To": ", ".join(recipients) if _plain(mail.recipient) else _addresses(mail.recipient),
    }
    if content.reply_to:
        headers["Reply-To"] = _sender_header(content.reply_to)
    headers["Subject"] = _unstructured(content.subject)
    headers["Date"] = format_datetime(utcnow())
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:32]
    # The same for every attempt at one row (``make_msgid`` would add the time and the process).
    headers["Message-ID"] = f"<{digest}@{_domain(sender)}>"
    headers["Content-Language"] = mail.language
    headers["MIME-Version"] = "1.0"
    lines = [f"{name}: {value}" for name, value in headers.items()]
    if content.html:
        boundary = f"=_portal_{secrets.token_hex(12)}"
        lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
        lines += ["", f"--{boundary}", *_part("plain", content.text)]
        lines += [f"--{boundary}", *_part("html", content.html), f"--{boundary}--", ""]
    else:
        lines += _part("plain", content.text)
    data = "\r\n".join(lines).encode("ascii")
    return Wire(data, _sender_address(sender), recipients, headers)


def _part(subtype: str, text: str) -> list[str]:
    body = body_encode((text or "").encode(), maxlinelen=76, eol="\r\n")
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: base64",
        "",
        body,
    ]


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")
_UTF8 = Charset("utf-8")  # base64 encoded words, as email.header writes them
# RFC 2047: an encoded word is at most 75 characters.
_WORD_LENGTH = 75


def _plain(value: str | None) -> bool:
    return bool(value) and _PLAIN_ADDRESS.fullmatch(value) is not None


def _envelope(value: str) -> list[str]:
    """The bare addresses of a header value, as the server is given them."""
    if _plain(value):
        return [value]
    return [address for _name, address in getaddresses([value]) if address]


@functools.lru_cache(maxsize=8)
def _sender_address(value: str) -> str:
    return _envelope(value)[0]


@functools.lru_cache(maxsize=8)
def _sender_header(value: str) -> str:
    # The portal's own From and Reply-To: a handful of values, written once each.
    return _addresses(value)


def _addresses(value: str) -> str:
    """One or more addresses as a header value, display names encoded where they need it."""
    return ", ".join(formataddr(pair, "utf-8") for pair in getaddresses([value]))


@functools.lru_cache(maxsize=512)
def _unstructured(text: str) -> str:
    """A header's text: as it is if ASCII, else UTF-8 encoded words, one per folded line.
    Kept a while: a batch's subjects are few (a thank-you's, in each language, per
    organisation), and splitting one into words costs the library tens of microseconds."""
    # The outbox never puts a line break there; spaces at either end a mail program may keep or
    # drop (" 0 " was read back as "0 "), so none are sent.
    text = re.sub(r"[\r\n]+", " ", text).strip()
    if text.isascii():
        return text
    return "\r\n ".join(_UTF8.header_encode_lines(text, itertools.repeat(_WORD_LENGTH)))


@functools.lru_cache(maxsize=8)
def _domain(sender: str) -> str:
    # The address's own domain, not an "@" that may appear in its display name.
    address = parseaddr(sender)[1]
    match = re.search(r"@([A-Za-z0-9.-]+)$", address)
    return match[1] if match else "portal.invalid"


class FileTransport:
    """Writes each message as ``<id>.eml`` in a folder: for local use with no mail server."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    @contextmanager
    def conversation(self) -> Iterator[Callable[[Wire, int], None]]:
        """``send`` for a batch of messages: each one written as its own file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        yield self._write

    def _write(self, message: Wire, mail_id: int) -> None:
        (self.folder / f"{mail_id:06d}.eml").write_bytes(bytes(message))


class SmtpTransport:
    """Delivers through an SMTP server: ``smtp://`` upgrades with STARTTLS when the server offers
    it (and insists on it before sending a password anywhere but loopback), ``smtps://`` speaks
    TLS from the first byte."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("MAIL_URL must look like smtp://user:pass@host:587 or smtps://…")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    @contextmanager
    def conversation(self) -> Iterator[Callable[[Wire, int], None]]:
        """``send`` for a batch of messages over one connection, opened at the first message and
        closed with QUIT at the end: a batch of thank-yous costs one TLS handshake and one
        login, not one each. A message the server refuses leaves the connection to the next
        one; a connection that breaks is opened again for the next message (once at once, if
        the server had closed a connection it kept idle)."""
        connection = _Connection(self)
        try:
            yield connection.send
        finally:
            connection.close()

    def open(self) -> smtplib.SMTP:
        """A connection ready to send: TLS as the URL says, logged in when it names a user."""
        smtp = self._connect()
        if self.username:
            try:
                smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
        return smtp

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.implicit_tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            elif self.username and self.host not in _LOOPBACK:
                raise TemporaryFailure("the server does not offer STARTTLS; not sending a password")
        except BaseException:
            smtp.close()
            raise
        return smtp


class _Connection:
    """One SMTP conversation of a batch; see ``SmtpTransport.conversation``."""

    def __init__(self, transport: SmtpTransport) -> None:
        self._transport = transport
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: Wire, mail_id: int) -> None:
        reused = self._smtp is not None
        try:
            self._send(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            if reused:
                # The server dropped a connection this batch had kept: once more, on a new one.
                try:
                    self._send(message)
                    return
                except smtplib.SMTPServerDisconnected:
                    self.close()
            raise TemporaryFailure("the server closed the connection") from None

    def _send(self, message: Wire) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._transport.open()
            self._smtp.sendmail(message.sender, message.recipients, message.data)
        except smtplib.SMTPServerDisconnected:
            raise
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            # smtplib has reset the transaction: the connection carries on.
            raise _classified(error) from None
        except smtplib.SMTPResponseException as error:
            self.close()  # an answer mid-message: start the next one on a clean connection
            raise _classified(error) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from None

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _classified(error: smtplib.SMTPException) -> Exception:
    codes = _codes(error)
    text = f"{type(error).__name__}: {_answer(error)}"[:500]
    if codes and all(500 <= code < 600 for code in codes):
        return PermanentFailure(text)
    return TemporaryFailure(text)


def _answer(error: smtplib.SMTPException) -> str:
    # A refusal of recipients is keyed by their addresses: only the server's answers are kept,
    # since the reason is logged and outlives the address on the row.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = error.recipients.values()
        return "; ".join(f"{code} {_decoded(reply)}" for code, reply in answers)
    return str(error)


def _decoded(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _codes(error: smtplib.SMTPException) -> list[int]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _ in error.recipients.values()]
    return [getattr(error, "smtp_code", 0)]


def transport_for(config) -> FileTransport | SmtpTransport:
    """The transport ``config`` names: ``MAIL_URL`` if set, else files in ``MAIL_OUTBOX_DIR``."""
    if config.get("MAIL_URL"):
        return SmtpTransport(config["MAIL_URL"])
    return FileTransport(config["MAIL_OUTBOX_DIR"])
