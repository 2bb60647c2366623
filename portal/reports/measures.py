"""What the reports count in referral rows: people, bots and link previews, unique visitors.

The roll-ups store these measures and the reports read them, from roll-ups or raw rows alike;
both take them from here, so a number means the same wherever it is counted.
"""

from __future__ import annotations

from sqlalchemy import String, exists, func, not_, type_coerce

from portal.models import Referral, RollupVisitor

# The columns the "top sources" tables count by: a campaign tag, or the referring site.
SOURCES = {"campaign": Referral.utm_campaign, "host": Referral.referrer_host}


def humans(rows=Referral):
    """Referrals by people, among ``rows`` (the log, or a copy of some of its columns)."""
    return func.count().filter(not_(rows.is_bot))


def bots(rows=Referral):
    """Referrals by bots and link previews."""
    return func.count().filter(rows.is_bot)


def visitors(rows=Referral):
    """Distinct human visitor hashes; summed per day, since a hash lives for one day only."""
    return func.count(rows.visitor_hash.distinct()).filter(not_(rows.is_bot))


def new_visitors(rows, day, *, mode: bool, arrived: bool, campaign: bool):
    """Distinct human visitor hashes among ``rows`` (later rows of the open ``day``) that the
    day's roll-ups have not counted yet under the same recipient and keys: ``mode``,
    ``arrived`` and ``campaign`` say which of the referral's values the count is kept apart by.
    Added to the roll-up's count, it gives the day's exact count."""
    seen = [
        RollupVisitor.day == day,
        RollupVisitor.visitor_hash == rows.visitor_hash,
        RollupVisitor.organization_id == rows.organization_id,
    ]
    if mode:
        seen.append(RollupVisitor.mode == type_coerce(rows.mode, String))
    if arrived:
        seen.append(RollupVisitor.arrived_via == type_coerce(rows.arrived_via, String))
    if campaign:
        seen.append(RollupVisitor.campaign == func.coalesce(rows.utm_campaign, ""))
    counted = exists().where(*seen)
    return func.count(rows.visitor_hash.distinct()).filter(not_(rows.is_bot), ~counted)
