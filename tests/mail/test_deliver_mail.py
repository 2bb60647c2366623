"""``flask deliver-mail`` sends what is due, then runs the upkeep features registered with it:
the mail package runs them without knowing who they belong to."""

from __future__ import annotations

from sqlalchemy import select

from portal.mail import Message, queue
from portal.mail.cli import add_after_delivery
from portal.models import MailStatus, OutboxMail

THANKS = Message(to="donor@example.org", subject="Thank you", text="Thanks.", language="en")


def test_a_registered_job_runs_after_the_mail_is_sent_and_its_line_is_printed(
    app, db_session, runner
):
    queue(db_session, "thanks:1", THANKS)
    db_session.commit()
    seen = []

    def tidy(session, now):
        seen.append(session.scalar(select(OutboxMail.status).filter_by(key="thanks:1")))
        return "3 old things tidied."

    add_after_delivery(app, tidy)
    add_after_delivery(app, lambda session, now: None)  # nothing to say: prints nothing

    result = runner.invoke(args=["deliver-mail"])

    assert result.exit_code == 0, result.output
    assert seen == [MailStatus.SENT]
    assert result.output.splitlines() == [
        "1 sent, 0 to retry later, 0 given up.",
        "3 old things tidied.",
    ]
