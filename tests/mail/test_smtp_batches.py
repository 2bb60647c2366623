"""A batch of mail goes to the mail server over one connection (one TLS handshake and one login
for a burst of thank-yous), and one message's trouble never costs the others theirs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from portal.mail import Message, deliver, queue
from portal.models import MailStatus, OutboxMail


def _queue_five(db_session) -> list[str]:
    donors = [f"donor{n}@example.org" for n in range(1, 6)]
    for n, address in enumerate(donors, start=1):
        message = Message(to=address, subject=f"Thank you {n}", text="Thanks.", language="en")
        queue(db_session, f"thanks:{n}", message)
    db_session.commit()
    return donors


def _statuses(db_session) -> dict[str, MailStatus]:
    db_session.rollback()
    return dict(db_session.execute(select(OutboxMail.key, OutboxMail.status)).all())


def test_a_batch_goes_over_one_connection(app, db_session, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    donors = _queue_five(db_session)

    with app.app_context():
        delivery = deliver()

    assert delivery.sent == 5
    received = smtp_server.wait_for(5)
    assert sorted(m["To"] for m in received) == donors
    assert smtp_server.inbox.connections == [1, 1, 1, 1, 1]


def test_a_refused_recipient_leaves_the_others_to_the_same_connection(app, db_session, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    smtp_server.inbox.refused_recipients = {"donor2@example.org"}
    _queue_five(db_session)

    with app.app_context():
        delivery = deliver()

    assert (delivery.sent, delivery.failed) == (4, 1)
    assert "donor2@example.org" not in {m["To"] for m in smtp_server.wait_for(4)}
    assert smtp_server.inbox.connections == [1, 1, 1, 1]
    assert _statuses(db_session)["thanks:2"] == MailStatus.FAILED  # 550: not retried
    assert delivery.errors == ["SMTPRecipientsRefused: 550 No such user here"]  # no address


def test_a_server_that_hangs_up_mid_batch_gets_the_rest_on_a_new_connection(
    app, db_session, smtp_server
):
    app.config["MAIL_URL"] = smtp_server.url
    smtp_server.inbox.hang_up_at = 2
    _queue_five(db_session)

    with app.app_context():
        delivery = deliver()

    assert (delivery.sent, delivery.retrying) == (4, 1)
    assert len(smtp_server.wait_for(4)) == 4
    assert smtp_server.inbox.connections == [1, 2, 2, 2]
    statuses = _statuses(db_session)
    assert [key for key, status in statuses.items() if status == MailStatus.PENDING] == [
        "thanks:2"
    ]  # 421 is temporary: it waits for its retry


@pytest.mark.parametrize(
    "address", ["dönor@example.org", "donor@bücher.example", "Dönor <dönor@example.org>"]
)
def test_an_address_no_message_can_carry_fails_alone_and_the_rest_are_sent(
    app, db_session, smtp_server, caplog, address
):
    app.config["MAIL_URL"] = smtp_server.url
    for n, to in enumerate(["first@example.org", address, "third@example.org"], start=1):
        queue(db_session, f"thanks:{n}", Message(to=to, subject="Thank you", text="Thanks."))
    db_session.commit()

    with app.app_context(), caplog.at_level(logging.DEBUG, logger="portal"):
        delivery = deliver()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))

    assert (delivery.sent, delivery.failed, delivery.retrying) == (2, 1, 0)
    received = smtp_server.wait_for(2)
    assert sorted(m["To"] for m in received) == ["first@example.org", "third@example.org"]
    assert _statuses(db_session)["thanks:2"] == MailStatus.FAILED  # not retried: it never could
    reason = db_session.scalar(select(OutboxMail.last_error).where(OutboxMail.key == "thanks:2"))
    assert "address" in reason
    for private in (address, "dönor", "bücher", "ö"):
        assert private not in logged
        assert private not in reason


def test_a_reply_to_no_header_can_carry_fails_that_message_without_quoting_it(
    app, db_session, smtp_server, caplog
):
    app.config["MAIL_URL"] = smtp_server.url
    odd = Message(to="donor@example.org", subject="Hi", text="Hi.", reply_to="office@bü.example")
    queue(db_session, "thanks:1", odd)
    queue(db_session, "thanks:2", Message(to="other@example.org", subject="Hi", text="Hi."))
    db_session.commit()

    with app.app_context():
        delivery = deliver()

    assert (delivery.sent, delivery.failed) == (1, 1)
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["other@example.org"]
    assert delivery.errors == ["not built: UnicodeEncodeError"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not built: UnicodeEncodeError in formataddr" in logged  # where, for whoever fixes it
    assert "(transport.py:" in logged
    assert "bü" not in logged and "office@" not in logged
