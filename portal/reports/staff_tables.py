"""The staff report pages' tables (translated headings and cells): the same `Table` feeds each page
and its CSV, read from one consistent snapshot."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.models import ArrivedVia, DonationStatus, Frequency
from portal.reports import fairness, queries
from portal.reports.baskets import parts_by_member, parts_table
from portal.reports.columns import recipient_columns, referral_cells, referral_columns
from portal.reports.facts import Sources, plan
from portal.reports.queries import DayLine, LedgerGroup, MemberLine, MonthlyLine
from portal.reports.scope import Scope
from portal.reports.tables import Column, Money, Table, build, numbers

TOP_SOURCES = 20


@dataclass
class StaffReport:
    scope: Scope
    sources: Sources
    days: list[DayLine]
    tables: dict[str, Table]


def read_snapshot(session: Session) -> None:
    """Make the next statements read one snapshot, so that every table agrees with the others.

    SQLite's transactions already do; PostgreSQL's default gives each statement its own.
    """
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def staff_report(session: Session, scope: Scope, *, only: str | None = None) -> StaffReport:
    """All of the staff report for ``scope``; with ``only`` (a CSV download of one of its
    tables), that table alone, read as the page reads it."""
    read_snapshot(session)
    sources = plan(session, scope)
    days = cache(lambda: queries.referrals_by_day(session, sources))
    ledger = cache(lambda: queries.ledger_groups(session, scope))
    # In the order the page shows them; each key is its table's name.
    builders = {
        "members": lambda: member_table(queries.referrals_by_member(session, sources)),
        "daily": lambda: day_table(days()),
        "campaigns": lambda: source_table("campaigns", sources, session),
        "hosts": lambda: source_table("hosts", sources, session),
        "funnel": lambda: funnel_table(ledger()),
        "amounts": lambda: amount_table(ledger()),
        "basket_parts": lambda: parts_table(
            parts_by_member(session, *scope.bounds, member_id=scope.member_id)
        ),
        "monthly": lambda: monthly_table(queries.active_monthly(session, scope)),
    }
    return StaffReport(scope, sources, days() if only is None else [], build(builders, only))


def member_table(lines: list[MemberLine]) -> Table:
    columns = [*recipient_columns(), *referral_columns()]
    rows = [(line.recipient.slug, line.recipient.name, *referral_cells(line)) for line in lines]
    table = Table("members", _("Referrals by recipient"), columns, rows)
    return table.with_totals("", _("All recipients"))


def day_table(days: list[DayLine]) -> Table:
    columns = [Column("day", _("Day (UTC)")), *referral_columns(3)]
    rows = [(line.day, line.humans, line.bots, line.visitors) for line in days]
    return Table("daily", _("Referrals by day"), columns, rows)


def source_table(name: str, sources: Sources, session: Session) -> Table:
    """Top campaigns or referring sites; the page names the rows that had none."""
    if name == "campaigns":
        kind, key, label, none = "campaign", "campaign", _("Campaign"), _("(no campaign tag)")
        title = _("Top campaigns")
    else:
        kind, key, label, none = "host", "referrer_host", _("Referring site"), _("(none)")
        title = _("Top referring sites")
    columns = [Column(key, label, shown=lambda value: value or none), *referral_columns(2)]
    lines = queries.top_sources(session, sources, kind, limit=TOP_SOURCES)
    return Table(name, title, columns, [(line.value, line.humans, line.bots) for line in lines])


def funnel_counts(ledger: list[LedgerGroup]) -> dict[str, int]:
    """Checkouts by how they ended, and monthly renewals apart (they have no checkout)."""
    counts: dict[str, int] = defaultdict(int)
    for group in ledger:
        if group.renewal:
            counts["renewals"] += group.count
            continue
        counts["started"] += group.count
        counts[_STAGE[group.status]] += group.count
    return counts


_STAGE = {
    DonationStatus.PAID: "completed",
    DonationStatus.REFUNDED: "completed",
    DonationStatus.PROCESSING: "pending",
    DonationStatus.EXPIRED: "expired",
    DonationStatus.FAILED: "failed",
    DonationStatus.OPEN: "open",
}


def funnel_table(ledger: list[LedgerGroup]) -> Table:
    counts = funnel_counts(ledger)
    stages = [
        ("started", _("Checkouts started")),
        ("completed", _("Completed and paid (refunds included)")),
        ("pending", _("Completed, payment still pending")),
        ("expired", _("Expired")),
        ("failed", _("Failed")),
        ("open", _("Still open")),
        ("renewals", _("Monthly renewals (no checkout)")),
    ]
    columns = [
        Column("stage", _("Stage"), shown=lambda key: dict(stages)[key]),
        *numbers(("count", _("Donations"))),
    ]
    rows = [(key, counts.get(key, 0)) for key, _label in stages]
    return Table("funnel", _("Stripe checkouts"), columns, rows)


def amount_table(ledger: list[LedgerGroup]) -> Table:
    """Paid and refunded gifts per currency and frequency; currencies are never added together."""
    sums: dict[tuple[str, Frequency], list[int]] = defaultdict(lambda: [0] * 6)
    for group in ledger:
        if group.status not in (DonationStatus.PAID, DonationStatus.REFUNDED):
            continue
        cell = sums[group.currency, group.frequency]
        cell[0 if group.status == DonationStatus.PAID else 2] += group.count
        cell[1] += group.amount  # gross: every paid gift, refunded or not
        cell[3] += group.refunded
        cell[4] += group.lost
    labels = {Frequency.ONE_TIME: _("One-time"), Frequency.MONTHLY: _("Monthly")}
    columns = [
        Column("currency", _("Currency")),
        Column("frequency", _("Frequency"), shown=lambda value: labels[Frequency(value)]),
        *numbers(
            ("paid_gifts", _("Paid gifts")),
            ("gross_amount", _("Gross")),
            ("refunded_gifts", _("Refunded gifts")),
            ("refunded_amount", _("Refunded")),
            ("disputes_lost_amount", _("Lost in disputes")),
            ("net_amount", _("Net")),
        ),
    ]
    order = {Frequency.ONE_TIME: 0, Frequency.MONTHLY: 1}
    rows = [
        (
            currency,
            frequency.value,
            paid,
            Money(gross, currency),
            back,
            Money(refunded, currency),
            Money(lost, currency),
            Money(gross - refunded - lost, currency),
        )
        for (currency, frequency), (paid, gross, back, refunded, lost, _unused) in sorted(
            sums.items(), key=lambda item: (item[0][0], order[item[0][1]])
        )
    ]
    return Table("amounts", _("Stripe gifts by currency"), columns, rows)


def monthly_table(lines: list[MonthlyLine]) -> Table:
    """Active monthly donors per currency at the scope's end, and what they give a month."""
    columns = [
        Column("currency", _("Currency")),
        *numbers(
            ("active_monthly_donors", _("Active monthly donors")),
            ("monthly_amount", _("Given each month")),
            ("past_due", _("Payment failing now")),
        ),
    ]
    rows = [
        (line.currency, line.donors, Money(line.monthly_amount, line.currency), line.past_due)
        for line in lines
    ]
    return Table("monthly", _("Active monthly donors"), columns, rows)


def fairness_table(session: Session, scope: Scope, *, page_size: int) -> Table:
    """Each member's exposure in the rotation over the scope's days, beside its portal clicks."""
    read_snapshot(session)
    clicks_scope = Scope(scope.since, scope.until, arrived_via=ArrivedVia.PORTAL)
    clicks = {
        line.recipient.id: line.humans
        for line in queries.referrals_by_member(session, plan(session, clicks_scope))
    }
    lines = fairness.exposure(session, scope.days, page_size=page_size, clicks=clicks)
    columns = [
        *recipient_columns(_("Member slug"), _("Member")),
        *numbers(
            ("days_listed", _("Days listed")),
            ("first_page_days", _("Days on the first page")),
            ("expected_first_page_days", _("Expected under chance")),
            ("average_position", _("Average position")),
            ("expected_average_position", _("Expected average position")),
            ("portal_clicks", _("Portal clicks by people")),
        ),
    ]
    rows = [
        (
            line.recipient.slug,
            line.recipient.name,
            line.days_listed,
            line.first_page_days,
            round(line.expected_first_page, 2),
            _rounded(line.average_position),
            _rounded(line.expected_average_position),
            line.clicks,
        )
        for line in lines
    ]
    return Table("fairness", _("Exposure in the directory's rotation"), columns, rows)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
