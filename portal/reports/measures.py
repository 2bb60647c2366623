"""What the reports count in referral rows: people, bots and link previews, unique visitors.

The roll-ups store these measures and the reports read them, from roll-ups or raw rows alike;
both take them from here, so a number means the same wherever it is counted.
"""

from __future__ import annotations

from sqlalchemy import func, not_

from portal.models import Referral

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
