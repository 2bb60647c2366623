"""One member's own numbers, by day or month: referrals, and the Stripe gifts collected for it.

Only counts leave this module: never a visitor hash, a donor's email or a dedication.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.dates import day_of
from portal.donate.queries import refunded_amount
from portal.models import ANY, Donation, DonationStatus
from portal.reports import facts
from portal.reports.queries import CHANNELS, summed_counts
from portal.reports.scope import Scope

BY_DAY, BY_MONTH = "day", "month"


@dataclass
class PeriodLine:
    period: str  # "2025-03-14" or "2025-03"
    humans: int = 0
    bots: int = 0
    visitors: int = 0
    portal: int = 0
    link: int = 0
    embed: int = 0


@dataclass
class GiftLine:
    period: str
    currency: str
    paid: int = 0
    paid_amount: int = 0
    refunded: int = 0
    refunded_amount: int = 0


def periods(scope: Scope, by: str) -> list[str]:
    """Every period label of the scope, in order."""
    labels = [_label(day, by) for day in scope.days]
    return list(dict.fromkeys(labels))


def referrals_by_period(session: Session, scope: Scope, by: str) -> list[PeriodLine]:
    """The member's referrals per period; unique visitors are summed over days, as staff see."""
    sources = facts.plan(session, scope)
    rows = summed_counts(session, sources, (ANY, *CHANNELS), ("day", "arrived_key"))
    lines = {label: PeriodLine(label) for label in periods(scope, by)}
    for day, key, humans, bots, visitors in rows:
        line = lines[_label(day, by)]
        if key == ANY:
            line.humans += int(humans)
            line.bots += int(bots)
            line.visitors += int(visitors)
        else:
            setattr(line, key, getattr(line, key) + int(humans))
    return list(lines.values())


def gifts_by_period(session: Session, scope: Scope, by: str) -> list[GiftLine]:
    """Paid and refunded Stripe gifts per period and currency, never adding currencies; the
    refunded amount counts partial refunds of gifts still paid too."""
    start, end = scope.bounds
    day = day_of(Donation.created_at)
    rows = session.execute(
        select(
            day,
            Donation.currency,
            Donation.status,
            func.count(),
            func.sum(Donation.amount),
            func.sum(refunded_amount()),
        )
        .where(
            Donation.organization_id == scope.member_id,
            Donation.created_at >= start,
            Donation.created_at < end,
            Donation.status.in_((DonationStatus.PAID, DonationStatus.REFUNDED)),
        )
        .group_by(day, Donation.currency, Donation.status)
    )
    lines: dict[tuple[str, str], GiftLine] = {}
    for on, currency, status, count, amount, refunded in rows:
        label, code = _label(on, by), currency.upper()
        line = lines.setdefault((label, code), GiftLine(label, code))
        if status == DonationStatus.PAID:
            line.paid += count
            line.paid_amount += int(amount)
        else:
            line.refunded += count
        line.refunded_amount += int(refunded)  # partial refunds of paid gifts included
    return [lines[key] for key in sorted(lines)]


def gift_totals(lines: list[GiftLine]) -> list[GiftLine]:
    """The whole range's gifts, one line per currency."""
    totals: dict[str, GiftLine] = defaultdict(lambda: GiftLine("", ""))
    for line in lines:
        total = totals[line.currency]
        total.currency = line.currency
        total.paid += line.paid
        total.paid_amount += line.paid_amount
        total.refunded += line.refunded
        total.refunded_amount += line.refunded_amount
    return [totals[code] for code in sorted(totals)]


def _label(day: date, by: str) -> str:
    return day.isoformat() if by == BY_DAY else day.strftime("%Y-%m")
