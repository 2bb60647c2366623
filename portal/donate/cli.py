"""Staff commands for the donation ledger: CSV export and reconciliation with Stripe."""

from __future__ import annotations

import re
import time
from decimal import Decimal, InvalidOperation

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.csv_export import day_options, echo_csv
from portal.db.session import database
from portal.db.writing import writing
from portal.donate import queries, refunds
from portal.donate.ledger import DUPLICATE, HANDLED_TYPES, record_stripe_event
from portal.donate.money import CURRENCIES, display
from portal.models import Donation
from portal.staff.audit import Actor
from portal.stripe_gateway import GatewayError, gateway

_WINDOW = re.compile(r"^(\d{1,4})([dh])$")


def init_app(app: Flask) -> None:
    app.cli.add_command(export_donations)
    app.cli.add_command(reconcile_stripe)
    app.cli.add_command(refund_gift)


@click.command("refund-gift")
@with_appcontext
@click.argument("donation_id", type=int)
@click.option("--amount", help="Refund only this much, in the payment's currency (e.g. 12.50).")
@click.option(
    "--reason",
    type=click.Choice(refunds.REASONS),
    default=refunds.REASONS[0],
    show_default=True,
    help="Stripe's reason for the refund, as the console's form offers it.",
)
def refund_gift(donation_id: int, amount: str | None, reason: str):
    """Refund one payment (a one-time gift or one month), in full or in part, through Stripe.

    A Connect member's gift takes the member's share back and returns the fee cover. The audit
    log records it as the console does: amount, reason and Stripe's refund id."""
    with database().sessions() as session:
        donation = session.get(Donation, donation_id)
        if donation is None:
            raise click.BadParameter(f"no payment {donation_id}", param_hint="DONATION_ID")
        minor = _minor(amount, donation.currency) if amount else None
        destination = refunds.is_destination_charge(donation)
        session.commit()  # end the read: Stripe is asked outside any transaction
        try:
            refund = refunds.refund_payment(
                gateway(), donation, minor, destination_charge=destination, reason=reason
            )
        except refunds.RefundRefused as error:
            raise click.ClickException(str(error)) from None
        except GatewayError as error:
            raise click.ClickException(f"Stripe did not refund: {error.reason}") from None
        with writing(session):
            refunds.audit_refund(session, Actor.of(None), donation_id, refund, reason)
    refunded = display(refund["amount"], donation.currency, "en")
    click.echo(f"Refund {refund['id']} of {refunded}: {refund['status']}.")
    if refund.get("transfer_reversal"):
        click.echo(f"The member's share is taken back ({refund['transfer_reversal']}).")


def _minor(amount: str, currency: str) -> int:
    try:
        major = Decimal(amount)
    except InvalidOperation:
        raise click.BadParameter("use a number like 12.50", param_hint="--amount") from None
    if (
        not major.is_finite()
        or major <= 0
        or major.as_tuple().exponent < -CURRENCIES[currency].exponent
    ):
        raise click.BadParameter("use a positive amount like 12.50", param_hint="--amount")
    return CURRENCIES[currency].to_minor(major)


@click.command("export-donations")
@with_appcontext
@day_options
def export_donations(since, until):
    """Print the donation ledger as CSV, one row per payment or attempt."""
    echo_csv(queries.EXPORT_HEADER, queries.donation_rows, since, until)


@click.command("reconcile-stripe")
@with_appcontext
@click.option(
    "--since",
    "window",
    default="3d",
    show_default=True,
    help="How far back to look: 3d (days) or 12h (hours), at most 30d.",
)
def reconcile_stripe(window: str):
    """Apply every Stripe event of the window that the webhook missed. Safe to run twice."""
    match = _WINDOW.match(window)
    seconds = match and int(match[1]) * (86_400 if match[2] == "d" else 3_600)
    if not seconds or seconds > 30 * 86_400:
        raise click.BadParameter(
            "use a number of days or hours, like 3d or 12h (at most 30d)", param_hint="--since"
        )
    counts: dict[str, int] = {}
    try:
        events = list(gateway().events_since(int(time.time()) - seconds, HANDLED_TYPES))
    except GatewayError as error:
        raise click.ClickException(f"Stripe did not answer: {error.reason}") from None
    with database().sessions() as session:
        for event in events:
            with writing(session):
                outcome = record_stripe_event(session, event)
            counts[outcome] = counts.get(outcome, 0) + 1
    missed = len(events) - counts.get(DUPLICATE, 0)
    click.echo(f"{len(events)} event(s) from Stripe; {missed} were missing and are now applied.")
    for outcome, count in sorted(counts.items()):
        click.echo(f"  {outcome}: {count}")
