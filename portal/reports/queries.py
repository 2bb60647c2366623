"""The report's numbers: referrals by member, day and source, and the Stripe ledger's totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Result, String, and_, case, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from portal.donate.queries import lost_in_disputes, refunded_amount
from portal.models import (
    ANY,
    ArrivedVia,
    Donation,
    DonationStatus,
    Frequency,
    HandoffMode,
    Organization,
    OrgStatus,
    Referral,
    StripeSubscription,
    SubscriptionStatus,
)
from portal.reports import facts
from portal.reports.facts import Sources
from portal.reports.scope import Scope

CHANNELS = tuple(via.value for via in ArrivedVia)


@dataclass(frozen=True)
class Recipient:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class MemberLine:
    """One recipient's referrals; ``portal`` and ``link`` split the humans by how they arrived."""

    recipient: Recipient
    humans: int = 0
    bots: int = 0
    visitors: int = 0
    portal: int = 0
    link: int = 0
    embed: int = 0


@dataclass(frozen=True)
class DayLine:
    day: date
    humans: int = 0
    bots: int = 0
    visitors: int = 0


@dataclass(frozen=True)
class SourceLine:
    value: str
    humans: int
    bots: int


@dataclass(frozen=True)
class LedgerGroup:
    """Donations of one status, kind, currency and frequency: how many, and their sum."""

    status: DonationStatus
    renewal: bool
    currency: str
    frequency: Frequency
    count: int
    amount: int
    refunded: int = 0  # minor units refunded, partial refunds included
    lost: int = 0  # minor units lost in disputes


def summed_counts(
    session: Session, sources: Sources, keys: tuple[str, ...], by: tuple[str, ...]
) -> Result:
    """Rows of the ``by`` columns' values, then referrals by people, by bots and unique visitors
    summed over them, for the arrival ``keys`` (`facts.referral_counts`)."""
    fact = facts.referral_counts(sources, keys, by)
    group = [fact.c[name] for name in by]
    sums = (func.sum(fact.c.humans), func.sum(fact.c.bots), func.sum(fact.c.visitors))
    return session.execute(select(*group, *sums).group_by(*group))


def referrals_by_member(session: Session, sources: Sources) -> list[MemberLine]:
    """Every recipient with referrals in the scope (and every listed one), most humans first."""
    scope = sources.scope
    total_key = scope.arrived_via.value if scope.arrived_via else ANY
    keys = tuple({total_key, *(CHANNELS if total_key == ANY else ())})
    rows = summed_counts(session, sources, keys, ("organization_id", "arrived_key"))
    counts: dict[int, dict[str, tuple[int, int, int]]] = {}
    for org_id, key, humans, bots, visitors in rows:
        counts.setdefault(org_id, {})[key] = (int(humans), int(bots), int(visitors))
    lines = []
    for recipient in _recipients(session, scope, with_counts=counts):
        by_key = counts.get(recipient.id, {})
        humans, bots, visitors = by_key.get(total_key, (0, 0, 0))
        portal = humans if total_key == ArrivedVia.PORTAL else by_key.get("portal", (0,))[0]
        link = humans if total_key == ArrivedVia.LINK else by_key.get("link", (0,))[0]
        embed = humans if total_key == ArrivedVia.EMBED else by_key.get("embed", (0,))[0]
        lines.append(MemberLine(recipient, humans, bots, visitors, portal, link, embed))
    return sorted(
        lines, key=lambda line: (-line.humans, -line.bots, line.recipient.name.casefold())
    )


def referrals_by_day(session: Session, sources: Sources) -> list[DayLine]:
    """Every day of the scope, in order, days without referrals included."""
    scope = sources.scope
    key = scope.arrived_via.value if scope.arrived_via else ANY
    rows = summed_counts(session, sources, (key,), ("day",))
    found = {day: DayLine(day, int(h), int(b), int(v)) for day, h, b, v in rows}
    return [found.get(day, DayLine(day)) for day in scope.days]


def top_sources(
    session: Session, sources: Sources, kind: str, *, limit: int | None = None
) -> list[SourceLine]:
    """Inbound campaigns or referring hosts by human referrals (``""``: none given)."""
    fact = facts.source_counts(sources, kind)
    humans, bots = func.sum(fact.c.humans), func.sum(fact.c.bots)
    query = (
        select(fact.c.value, humans, bots)
        .group_by(fact.c.value)
        .order_by(humans.desc(), bots.desc(), fact.c.value)
        .limit(limit)
    )
    return [SourceLine(value, int(h), int(b)) for value, h, b in session.execute(query)]


def ledger_groups(session: Session, scope: Scope) -> list[LedgerGroup]:
    """The Stripe ledger of the scope, grouped; a donation is dated by when it was created.

    Renewals (a monthly gift's later invoices, which had no checkout) are summed apart inside
    each group rather than grouped on, so the ledger index serves the grouping as it stands.
    """
    renewal = and_(
        Donation.stripe_checkout_session_id.is_(None), Donation.stripe_invoice_id.is_not(None)
    )
    start, end = scope.bounds
    groups = (Donation.status, Donation.currency, Donation.frequency)
    lost = lost_in_disputes()
    query = (
        select(
            *groups,
            func.count(Donation.id),
            func.sum(Donation.amount),
            func.count(Donation.id).filter(renewal),
            func.sum(Donation.amount).filter(renewal),
            func.sum(refunded_amount()),
            func.sum(func.coalesce(lost.c.lost, 0)),
        )
        .outerjoin(lost, lost.c.donation_id == Donation.id)
        # Every status, named: the index's first column then narrows each search by itself.
        .where(Donation.status.in_(list(DonationStatus)))
        .where(Donation.created_at >= start, Donation.created_at < end)
        .group_by(*groups)
    )
    lines = []
    for row in session.execute(_ledger_filters(query, scope)):
        status, currency, frequency, count, amount, renewals, renewed, refunded, lost_sum = row
        amount, renewed = int(amount or 0), int(renewed or 0)
        code, money_back = currency.upper(), (int(refunded or 0), int(lost_sum or 0))
        # Refunds and disputes are counted once per group, with its one-time gifts if it has
        # them (they are sums of money, not of gifts).
        if renewals:
            back = (0, 0) if count > renewals else money_back
            lines.append(LedgerGroup(status, True, code, frequency, renewals, renewed, *back))
        if count > renewals:
            lines.append(
                LedgerGroup(
                    status, False, code, frequency, count - renewals, amount - renewed, *money_back
                )
            )
    return lines


@dataclass(frozen=True)
class MonthlyLine:
    """Monthly gifts in one currency running on the scope's last day."""

    currency: str
    donors: int  # one per monthly gift (a subscription), whatever its number of payments
    monthly_amount: int  # what they give each month, in minor units
    past_due: int  # of those, how many Stripe reports past due or unpaid now


def active_monthly(session: Session, scope: Scope) -> list[MonthlyLine]:
    """Monthly gifts whose first payment went through by the scope's end and that had not
    ended by then, per currency; a gift is counted once, by its first payment."""
    _start, end = scope.bounds
    firsts = (
        select(func.min(Donation.id))
        .where(Donation.stripe_subscription_id.is_not(None))
        .group_by(Donation.stripe_subscription_id)
    )
    behind = StripeSubscription.status.in_([SubscriptionStatus.PAST_DUE, SubscriptionStatus.UNPAID])
    query = (
        select(
            Donation.currency,
            func.count(Donation.id),
            # What Stripe charges now: a donor may have changed the first payment's amount.
            func.sum(func.coalesce(StripeSubscription.amount, Donation.amount)),
            func.count(Donation.id).filter(behind),
        )
        .outerjoin(StripeSubscription, StripeSubscription.id == Donation.stripe_subscription_id)
        .where(Donation.id.in_(firsts))
        .where(Donation.status.in_([DonationStatus.PAID, DonationStatus.REFUNDED]))
        .where(Donation.created_at < end)
        .where(or_(Donation.subscription_ended_at.is_(None), Donation.subscription_ended_at >= end))
        .group_by(Donation.currency)
        .order_by(Donation.currency)
    )
    return [
        MonthlyLine(currency.upper(), count, int(amount or 0), past_due)
        for currency, count, amount, past_due in session.execute(_ledger_filters(query, scope))
    ]


def _ledger_filters(query, scope: Scope):
    if scope.member is not None:
        query = query.where(Donation.organization_id == scope.member.id)
    if scope.mode == HandoffMode.EXTERNAL:
        query = query.where(false())  # every donation in the ledger went through Stripe
    if scope.arrived_via or scope.campaign:
        query = query.where(Donation.referral_id.is_not(None))
        if scope.arrived_via:
            channel = _attributed(
                Donation.referral_channel, type_coerce(Referral.arrived_via, String)
            )
            query = query.where(channel == scope.arrived_via.value)
        if scope.campaign:
            query = query.where(
                _attributed(Donation.referral_campaign, Referral.utm_campaign) == scope.campaign
            )
    return query


def _attributed(copied, column):
    """The gift's referral's ``column``: its copy on the donation once the catch-up has made it
    (``referral_channel`` set), else looked up in the referral, for that donation alone."""
    looked_up = select(column).where(Referral.id == Donation.referral_id).scalar_subquery()
    return case((Donation.referral_channel.is_not(None), copied), else_=looked_up)


def recipients(session: Session) -> list[Recipient]:
    """Every recipient, by name: the report's member filter offers these."""
    rows = session.execute(select(Organization.id, Organization.slug, Organization.name))
    return sorted((Recipient(*row) for row in rows), key=lambda r: r.name.casefold())


def _recipients(session: Session, scope: Scope, *, with_counts) -> list[Recipient]:
    if scope.member is not None:
        member = scope.member
        return [Recipient(member.id, member.slug, member.name)]
    listed = Organization.status == OrgStatus.ACTIVE
    query = select(Organization.id, Organization.slug, Organization.name)
    if with_counts:
        query = query.where(or_(listed, Organization.id.in_(list(with_counts))))
    else:
        query = query.where(listed)
    return [Recipient(*row) for row in session.execute(query)]
