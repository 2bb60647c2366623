"""The funnel of members who take gifts on their own page: clicks by people, the gifts their
sites reported, and the amounts, by member, campaign and arrival channel. Since the start."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Conversion, HandoffMode, Organization, Referral
from portal.reports import lifetime
from portal.reports.columns import amount_columns
from portal.reports.tables import Column, Table, amounts, numbers


@dataclass
class FunnelLine:
    member: str
    campaign: str
    channel: str
    people: int = 0
    gifts: int = 0
    amounts: dict[str, int] = field(default_factory=dict)


def funnel(session: Session, org: Organization | None = None) -> list[FunnelLine]:
    """One line per member, campaign and channel that had people or reported gifts."""
    group = (Organization.name, Referral.utm_campaign, Referral.arrived_via)
    where = [Referral.mode == HandoffMode.EXTERNAL]
    if org is not None:
        # A conversion's member is always its referral's: naming it lets the database start
        # from the member's few conversions rather than every referral the portal sent it.
        where += [Conversion.organization_id == org.id, Referral.organization_id == org.id]
    gifts = (
        select(*group, Conversion.currency, func.count(Conversion.id), func.sum(Conversion.amount))
        .join(Referral, Referral.id == Conversion.referral_id)
        .join(Organization, Organization.id == Referral.organization_id)
        .where(*where)
        .group_by(*group, Conversion.currency)
    )
    lines: dict[tuple, FunnelLine] = {}

    def line(name, campaign, channel) -> FunnelLine:
        key = (name, campaign or "", str(channel))
        return lines.setdefault(key, FunnelLine(*key))

    # Clicks come from the report roll-ups, which outlive the raw rows they fold.
    clicks = lifetime.people_by_campaign(
        session, HandoffMode.EXTERNAL, org.id if org is not None else None
    )
    names = _names(session, {org_id for org_id, _campaign, _channel in clicks}, org)
    for (org_id, campaign, channel), people in clicks.items():
        line(names[org_id], campaign, channel).people += people
    for name, campaign, channel, currency, count, amount in session.execute(gifts):
        found = line(name, campaign, channel)
        found.gifts += count
        found.amounts[currency] = found.amounts.get(currency, 0) + int(amount)
    return [lines[key] for key in sorted(lines)]


def _names(session: Session, ids: set[int], org: Organization | None) -> dict[int, str]:
    """The names of the members with clicks: only those, since the funnel shows only them."""
    if org is not None:
        return {org.id: org.name}
    if not ids:
        return {}
    query = select(Organization.id, Organization.name).where(Organization.id.in_(sorted(ids)))
    return {id_: name for id_, name in session.execute(query)}


def funnel_table(lines: list[FunnelLine]) -> Table:
    currencies = sorted({c for line in lines for c in line.amounts})
    columns = [
        Column("member", _("Member")),
        Column("campaign", _("Campaign"), shown=lambda value: value or _("(no campaign tag)")),
        Column("channel", _("Arrived through")),
        *numbers(("people", _("Clicks by people")), ("gifts", _("Gifts reported"))),
        *amount_columns(currencies),
    ]
    rows = [
        (
            line.member,
            line.campaign,
            line.channel,
            line.people,
            line.gifts,
            *amounts(line.amounts, currencies),
        )
        for line in lines
    ]
    return Table("funnel", _("From click to gift, on members’ own pages"), columns, rows)
