"""``MAIL_URL=smtp://user:pass@host:587``: the sender upgrades to TLS, then logs in and sends."""

from __future__ import annotations

import ssl

import pytest
import trustme
from sqlalchemy import select

from portal.mail import Message, deliver, queue
from portal.models import MailStatus, OutboxMail
from tests.helpers.smtp_server import SmtpServer

LOGIN = ("giving", "s3cret-pass")
THANKS = Message(to="donor@example.org", subject="Thank you", text="You gave $50.00.")


@pytest.fixture(scope="module")
def authority():
    """A certificate authority of the test's own, and a certificate from it for 127.0.0.1."""
    return trustme.CA()


def _server_tls(authority, issuer=None) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    (issuer or authority).issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def trusting(authority, tmp_path, monkeypatch):
    """The sender's default trust store is the test's authority (as a system CA bundle is)."""
    bundle = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def _send_one(app, db_session, url: str):
    app.config["MAIL_URL"] = url
    queue(db_session, "thanks:starttls", THANKS)
    db_session.commit()
    with app.app_context():
        return deliver()


def test_mail_is_sent_over_starttls_with_the_login_in_mail_url(
    app, db_session, authority, trusting
):
    with SmtpServer(tls=_server_tls(authority), login=LOGIN) as server:
        result = _send_one(app, db_session, server.url)
        (mail,) = server.wait_for(1)

    assert result.sent == 1
    assert server.sessions == [(True, "giving")]
    assert mail["Subject"] == "Thank you"


def test_a_server_whose_certificate_is_not_trusted_gets_no_password_and_no_mail(
    app, db_session, authority, trusting
):
    stranger = trustme.CA()
    with SmtpServer(tls=_server_tls(authority, stranger), login=LOGIN) as server:
        result = _send_one(app, db_session, server.url)

    db_session.rollback()
    row = db_session.scalar(select(OutboxMail).filter_by(key="thanks:starttls"))
    assert result.sent == 0 and result.retrying == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.errors[0]
    assert server.messages == []
    assert row.status == MailStatus.PENDING and row.recipient == "donor@example.org"
