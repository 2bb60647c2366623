"""The outbox: a mail goes out once, only if its transaction commits, and survives mail trouble."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from portal.mail import Message, deliver, queue
from portal.mail import sender as sender_module
from portal.mail.sender import LEASE, MAX_ATTEMPTS, deliver_due
from portal.mail.transport import transport_for
from portal.models import MailStatus, OutboxMail, utcnow
from portal.state import portal_state
from tests.helpers.statements import statements_sent

THANKS = Message(
    to="donor@example.org",
    subject="Thank you for your gift",
    text="You gave $50.00 to Parents Circle.\nManage it: https://portal.test/gift/abc",
    language="en",
)


@pytest.fixture
def mail_app(app, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    app.config["MAIL_FROM"] = "The Coalition <giving@coalition.example>"
    return app


@pytest.fixture
def queued(mail_app, db_session):
    """Factory: queue ``message`` under ``key`` and commit, as a service and its view would."""

    def _queue(key: str = "thanks:1", message: Message = THANKS) -> bool:
        added = queue(db_session, key, message)
        db_session.commit()
        return added

    return _queue


def _deliver(app, **kwargs):
    with app.app_context():
        return deliver_due(
            portal_state(app).database.sessions,
            transport_for(app.config),
            portal_state(app).mail.sender,
            **kwargs,
        )


def _row(db_session, key="thanks:1") -> OutboxMail:
    db_session.rollback()  # a fresh snapshot: the sender wrote in its own transactions
    return db_session.scalar(select(OutboxMail).filter_by(key=key))


def test_a_committed_mail_arrives_from_the_coalition(mail_app, queued, smtp_server):
    queued()

    with mail_app.app_context():
        result = deliver()

    (mail,) = smtp_server.wait_for(1)
    assert result.sent == 1
    assert mail["To"] == "donor@example.org"
    assert mail["From"] == "The Coalition <giving@coalition.example>"
    assert mail["Subject"] == "Thank you for your gift"
    assert "You gave $50.00 to Parents Circle." in mail.get_content()


def test_once_sent_the_address_and_body_are_not_kept(mail_app, queued, db_session):
    queued()

    with mail_app.app_context():
        deliver()

    row = _row(db_session)
    assert row.status == MailStatus.SENT
    assert (row.recipient, row.body_text, row.body_html) == (None, None, None)
    assert row.subject == "Thank you for your gift" and row.sent_at is not None


def test_queueing_a_key_twice_sends_one_mail(mail_app, queued, smtp_server):
    assert queued() is True
    assert queued() is False

    with mail_app.app_context():
        deliver()
    assert queued() is False  # even after it went out
    with mail_app.app_context():
        deliver()

    time.sleep(0.2)
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_change_sends_nothing(mail_app, db_session, smtp_server):
    queue(db_session, "thanks:1", THANKS)
    db_session.rollback()

    with mail_app.app_context():
        result = deliver()

    assert result.sent == 0 and smtp_server.messages == []


def test_an_unreachable_server_is_retried_later_with_growing_waits(mail_app, queued, db_session):
    mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{_closed_port()}"
    queued()

    first = _deliver(mail_app)
    row = _row(db_session)
    wait_after_first = row.next_attempt_at - utcnow()
    _deliver(mail_app, now=row.next_attempt_at + timedelta(seconds=1))
    row = _row(db_session)

    assert first.retrying == 1 and first.sent == 0
    assert row.status == MailStatus.PENDING and row.attempts == 2
    assert "ConnectionRefusedError" in row.last_error
    assert timedelta(seconds=50) < wait_after_first <= timedelta(minutes=1)
    assert row.next_attempt_at - utcnow() > timedelta(minutes=1, seconds=50)
    assert row.recipient == "donor@example.org"  # still needed for the next attempt


def test_a_retried_mail_arrives_once_the_server_is_back(mail_app, queued, db_session, smtp_server):
    url = mail_app.config["MAIL_URL"]
    mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{_closed_port()}"
    queued()
    _deliver(mail_app)

    mail_app.config["MAIL_URL"] = url
    result = _deliver(mail_app, now=utcnow() + timedelta(minutes=2))

    assert result.sent == 1 and len(smtp_server.wait_for(1)) == 1
    assert _row(db_session).status == MailStatus.SENT


def test_a_mail_not_yet_due_waits(mail_app, queued, smtp_server):
    mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{_closed_port()}"
    queued()
    _deliver(mail_app)
    mail_app.config["MAIL_URL"] = smtp_server.url

    result = _deliver(mail_app)

    assert result.sent == 0 and smtp_server.messages == []


def test_a_permanent_refusal_is_not_retried_and_forgets_the_address(
    mail_app, queued, smtp_server, db_session
):
    smtp_server.refuse("550 5.1.1 No such mailbox")
    queued()

    result = _deliver(mail_app)
    later = _deliver(mail_app, now=utcnow() + timedelta(days=1))

    row = _row(db_session)
    assert result.failed == 1 and later.failed == later.sent == 0
    assert row.status == MailStatus.FAILED and "No such mailbox" in row.last_error
    assert row.recipient is None and row.body_text is None


def test_a_mail_is_given_up_after_its_last_attempt(mail_app, queued, db_session):
    mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{_closed_port()}"
    queued()

    for _ in range(MAX_ATTEMPTS + 2):
        _deliver(mail_app, now=utcnow() + timedelta(days=1))

    row = _row(db_session)
    assert row.status == MailStatus.FAILED and row.attempts == MAX_ATTEMPTS


def test_without_a_mail_server_each_mail_is_written_as_an_eml_file(app, db_session, runner):
    queue(db_session, "thanks:1", THANKS)
    db_session.commit()

    result = runner.invoke(args=["deliver-mail"])

    assert "1 sent" in result.output
    (path,) = (p for p in _outbox(app).iterdir() if p.suffix == ".eml")
    text = path.read_text()
    assert "To: donor@example.org" in text and "Subject: Thank you for your gift" in text


def test_the_sandbox_banner_says_where_mail_goes(app, client):
    app.config["STRIPE_SANDBOX"] = True

    html = client.get("/").get_data(as_text=True)

    assert "instance/outbox" in html


def test_a_page_that_queues_mail_answers_without_waiting_for_the_mail_server(mail_app):
    mail_app.config["MAIL_SEND_IN_BACKGROUND"] = True
    with _silent_server() as port:
        mail_app.config["MAIL_URL"] = f"smtp://127.0.0.1:{port}"
        client = _client_with_mail_route(mail_app)

        started = time.monotonic()
        response = client.post("/_test/queue-mail")
        elapsed = time.monotonic() - started

    assert response.status_code == 204
    assert elapsed < 1.0  # the server never answers; the sender would wait 10 s for it


def test_a_page_that_queues_mail_has_it_delivered_after_the_response(mail_app, smtp_server):
    mail_app.config["MAIL_SEND_IN_BACKGROUND"] = True
    client = _client_with_mail_route(mail_app)

    response = client.post("/_test/queue-mail")
    response.close()

    (mail,) = smtp_server.wait_for(1)
    assert mail["Subject"] == "Thank you for your gift"


def _client_with_mail_route(app):
    from portal.db.session import get_session
    from portal.extensions import csrf

    def queue_mail():
        session = get_session()
        queue(session, "thanks:1", THANKS)
        session.commit()
        return "", 204

    app.add_url_rule("/_test/queue-mail", view_func=csrf.exempt(queue_mail), methods=["POST"])
    return app.test_client()


def _outbox(app):
    from pathlib import Path

    return Path(app.config["MAIL_OUTBOX_DIR"])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _silent_server:
    """A TCP server that accepts connections and never says a word."""

    def __enter__(self) -> int:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        return self._sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self._sock.close()


def test_a_sent_mail_whose_record_fails_goes_again_after_its_lease_and_then_once_only(
    mail_app, queued, db_session, smtp_server, monkeypatch
):
    queued()
    store = sender_module._store

    def database_fails(session, changes):
        raise OperationalError("UPDATE outbox_mail", {}, Exception("disk I/O error"))

    monkeypatch.setattr(sender_module, "_store", database_fails)
    with pytest.raises(OperationalError):
        _deliver(mail_app)
    leased = _row(db_session)
    monkeypatch.setattr(sender_module, "_store", store)
    within_lease = _deliver(mail_app)
    after_lease = _deliver(mail_app, now=utcnow() + LEASE + timedelta(seconds=1))
    later = _deliver(mail_app, now=utcnow() + timedelta(hours=1))

    assert (leased.status, leased.attempts) == (MailStatus.PENDING, 1)
    assert (within_lease.sent, after_lease.sent, later.sent) == (0, 1, 0)
    first, again = smtp_server.wait_for(2)
    assert first["Message-ID"] == again["Message-ID"]  # the receiving side can tell
    assert len(smtp_server.messages) == 2
    assert _row(db_session).status == MailStatus.SENT


def test_a_round_with_nothing_due_takes_one_turn_at_the_write_lock(mail_app, queued, db_session):
    # The webhook wakes every worker's sender; most rounds under load find their mail taken.
    queued()
    _deliver(mail_app)  # sent: nothing is due any more
    engine = portal_state(mail_app).database.engine

    with statements_sent(engine) as sent:
        result = _deliver(mail_app)

    assert result.sent == 0
    claims = [sql for sql in sent if sql.startswith("UPDATE outbox_mail")]
    assert len(claims) == 1, sent  # the claim, which found nothing; no batch recorded
    if engine.dialect.name == "sqlite":
        assert sum(sql.startswith("BEGIN") for sql in sent) == 1, sent
