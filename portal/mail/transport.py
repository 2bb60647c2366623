"""Where mail goes: an SMTP server named by ``MAIL_URL``, or ``.eml`` files when there is none."""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from portal.models import OutboxMail, utcnow

SMTP_TIMEOUT_SECONDS = 10
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class PermanentFailure(Exception):
    """The server refused this message for good (a 5xx answer): retrying cannot help."""


class TemporaryFailure(Exception):
    """The server could not take the message now: a later attempt may succeed."""


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The RFC 5322 message for one outbox row. Its Message-ID derives from the outbox key, so a
    receiving server can recognise a resend after a crash between sending and recording it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    digest = hashlib.sha256(mail.key.encode()).hexdigest()[:32]
    message["Message-ID"] = make_msgid(idstring=digest, domain=_domain(sender))
    message.set_content(mail.body_text or "")
    if mail.body_html:
        message.add_alternative(mail.body_html, subtype="html")
    message["Content-Language"] = mail.language  # after the body: set_content clears Content-*
    return message


def _domain(address: str) -> str:
    match = re.search(r"@([A-Za-z0-9.-]+)", address)
    return match[1] if match else "portal.invalid"


class FileTransport:
    """Writes each message as ``<id>.eml`` in a folder: for local use with no mail server."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage, mail_id: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{mail_id:06d}.eml"
        path.write_bytes(bytes(message))


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

    def send(self, message: EmailMessage, mail_id: int) -> None:
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            raise _classified(error) from None
        except smtplib.SMTPResponseException as error:
            raise _classified(error) from None
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from None

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


def _classified(error: smtplib.SMTPException) -> Exception:
    codes = _codes(error)
    text = f"{type(error).__name__}: {error}"[:500]
    if codes and all(500 <= code < 600 for code in codes):
        return PermanentFailure(text)
    return TemporaryFailure(text)


def _codes(error: smtplib.SMTPException) -> list[int]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _ in error.recipients.values()]
    return [getattr(error, "smtp_code", 0)]


def transport_for(config) -> FileTransport | SmtpTransport:
    """The transport ``config`` names: ``MAIL_URL`` if set, else files in ``MAIL_OUTBOX_DIR``."""
    if config.get("MAIL_URL"):
        return SmtpTransport(config["MAIL_URL"])
    return FileTransport(config["MAIL_OUTBOX_DIR"])
