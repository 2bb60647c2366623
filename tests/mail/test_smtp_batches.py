"""A batch of mail goes to the mail server over one connection (one TLS handshake and one login
for a burst of thank-yous), and one message's trouble never costs the others theirs."""

from __future__ import annotations

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
