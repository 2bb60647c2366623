"""Counts since the start of the log, from the month roll-ups plus the raw rows they lack.

Pruned days live only in the roll-ups, so a count "since the start" must come from them too:
the month rows hold every rolled-up day; a day with rows newer than the mark (a late replay)
is taken out of them and read raw instead, as are the days after the mark, as ``facts`` does for
a range, except the open day's rows the month rows already hold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from portal.dates import day_range
from portal.models import ANY, HandoffMode, Referral, ReferralRollup, Span, created_within
from portal.reports.rollup import Coverage, coverage

Key = tuple[int, str, str]  # recipient id, campaign ("" for none), arrival channel


def people_by_campaign(
    session: Session, mode: HandoffMode, organization_id: int | None = None
) -> dict[Key, int]:
    """People's referrals of one hand-off ``mode`` by recipient, campaign and channel, ever."""
    covered = coverage(session)
    mark = covered.mark
    counts: dict[Key, int] = defaultdict(int)
    if mark.closed_through is None:
        _add_raw(session, counts, mode, organization_id, created_within(None, None))
        return counts
    late_days = sorted(d for d in covered.late if covered.raw(d) and d <= mark.closed_through)
    _add_rolled(session, counts, mode, organization_id, Span.MONTH, None, +1)
    if late_days:
        _add_rolled(session, counts, mode, organization_id, Span.DAY, late_days, -1)
    open_from, _ = day_range(mark.closed_through + timedelta(days=1), None)
    ranges = _unclosed(covered, open_from, organization_id)
    for day in late_days:
        ranges.append(created_within(*day_range(day, day), organization_id=organization_id))
    _add_raw(session, counts, mode, organization_id, [or_(*(and_(*r) for r in ranges))])
    return {key: count for key, count in counts.items() if count}


def _unclosed(covered: Coverage, start, organization_id: int | None) -> list[list]:
    """Rows after the last closed day the month rows lack: all of them but the open day's,
    of which only the tail (the month rows hold the rest)."""
    day = covered.open_day
    if day is None:
        return [created_within(start, None, organization_id=organization_id)]
    open_start, open_end = day_range(day, day)
    return [
        created_within(start, open_start, organization_id=organization_id),
        # The tail by its ids (the newest rows), not by a recipient's whole day.
        [
            Referral.id > covered.open.referral_id,
            Referral.created_at >= open_start,
            Referral.created_at < open_end,
        ],
        created_within(open_end, None, organization_id=organization_id),
    ]


def _add_rolled(session, counts, mode, organization_id, span, days, sign: int) -> None:
    """Add (or take away) roll-up rows; a campaign's own rows count its tagged referrals, the
    rest of ``ANY`` is those without one."""
    table = ReferralRollup
    query = select(table.organization_id, table.campaign_key, table.arrived_key).add_columns(
        func.sum(table.humans)
    )
    query = query.where(
        table.span == span, table.mode_key == mode.value, table.arrived_key != ANY
    ).group_by(table.organization_id, table.campaign_key, table.arrived_key)
    if days is not None:
        query = query.where(table.day.in_(days))
    if organization_id is not None:
        query = query.where(table.organization_id == organization_id)
    for org, campaign, channel, people in session.execute(query):
        people = sign * int(people)
        if campaign == ANY:
            counts[(org, "", channel)] += people
        else:
            counts[(org, campaign, channel)] += people
            counts[(org, "", channel)] -= people


def _add_raw(session, counts, mode, organization_id, conditions) -> None:
    campaign = func.coalesce(Referral.utm_campaign, "")
    query = (
        select(Referral.organization_id, campaign, Referral.arrived_via, func.count(Referral.id))
        .where(*conditions, Referral.mode == mode, not_(Referral.is_bot))
        .group_by(Referral.organization_id, campaign, Referral.arrived_via)
    )
    if organization_id is not None:
        query = query.where(Referral.organization_id == organization_id)
    for org, tag, channel, people in session.execute(query):
        counts[(org, tag if tag != ANY else "", str(channel))] += people
