"""What reports keep beside the raw rows: daily roll-ups, their high-water mark, member report keys.

The roll-ups are a cache of the referral log for the days it still holds: any such day can be
rebuilt from the raw rows, and the reports read raw rows for every day the roll-up has not caught
up with. For days pruned from the log (``reports/retention.py``) they are all that is left.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base
from portal.models.core import Organization, Referral
from portal.models.donations import Donation
from portal.models.types import UTCDateTime, utcnow

# The roll-up's "any value" key: a row under it counts a day's visitors once across the values.
ANY = "*"
# The source roll-up's recipient for rows that count every recipient together.
EVERY_RECIPIENT = 0


class Span(StrEnum):
    DAY = "day"
    MONTH = "month"  # the sum of the month's day rows, so that long ranges read few rows


class ReferralRollup(Base):
    """One member's referrals over one UTC day (or month), for one hand-off mode and channel.

    Each period is stored for every combination of a real value and ``ANY`` (a small cube),
    because unique visitors do not add up across channels: someone who came through the portal
    and a shared link on the same day is one visitor, so the "any channel" row has its own count.
    Across days they do add up: a visitor hash lasts one day, so a month row sums its days.
    ``campaign_key`` is ``ANY`` for all traffic, or one inbound campaign for its tagged referrals
    only, so that a report narrowed to a campaign reads roll-ups too.
    """

    __tablename__ = "referral_rollup"
    # The catch-up replaces a week of days at a time: without this it would walk every key.
    # The primary key serves reports over every recipient (mode, channel, campaign, then days);
    # ``ix_referral_rollup_member`` serves one recipient's (its member page, its lifetime funnel),
    # which would otherwise walk every recipient's rows for the range. On PostgreSQL it holds
    # the counts too, so the page reads the index alone.
    __table_args__ = (
        Index("ix_referral_rollup_day", "span", "day"),
        Index(
            "ix_referral_rollup_member",
            "span",
            "organization_id",
            "campaign_key",
            "mode_key",
            "arrived_key",
            "day",
            postgresql_include=["humans", "bots", "visitors"],
        ),
        {"sqlite_with_rowid": False},
    )

    span: Mapped[str] = mapped_column(String(10), primary_key=True)
    mode_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    arrived_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    campaign_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the period's first day
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    humans: Mapped[int] = mapped_column(Integer)
    bots: Mapped[int] = mapped_column(Integer)
    visitors: Mapped[int] = mapped_column(Integer)  # distinct human visitor hashes, per day


class SourceRollup(Base):
    """Referrals per UTC day (or month) by inbound campaign or referring host (``""``: none).

    Kept at three levels: every recipient and campaign together (``EVERY_RECIPIENT``,
    ``ANY``), each recipient's own (its id, ``ANY``), and each campaign's referring hosts
    (``EVERY_RECIPIENT``, the campaign), so that the whole report and one narrowed to a member or
    a campaign each read few rows.
    """

    __tablename__ = "referral_source_rollup"
    __table_args__ = (
        Index("ix_referral_source_rollup_campaign", "span", "kind", "campaign_key", "day"),
        Index("ix_referral_source_rollup_day", "span", "day"),
        {"sqlite_with_rowid": False},
    )

    span: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # "campaign" or "host"
    organization_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[str] = mapped_column(String(255), primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), primary_key=True)
    arrived_via: Mapped[str] = mapped_column(String(20), primary_key=True)
    humans: Mapped[int] = mapped_column(Integer)
    bots: Mapped[int] = mapped_column(Integer)


class RollupMark(Base):
    """How far the roll-ups have caught up with the referral log.

    Every referral with an id up to ``referral_id`` whose day is on or before ``closed_through``
    is counted in the roll-ups; anything else is read from the raw rows.
    """

    __tablename__ = "rollup_mark"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    referral_id: Mapped[int] = mapped_column(Integer, default=0)
    closed_through: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RollupVisitor(Base):
    """A visitor the open day's roll-ups have counted already, under its referral's keys.

    The day in progress is rolled up as its rows arrive (``reports/rollup.py``, the "open"
    mark), and the reports add the rows that came after. A later row brings a new unique visitor
    to a roll-up row only when its hash is not here under that row's keys, which is what keeps
    those counts exact without reading the day's earlier rows again. Only the open day's
    visitors are kept, and only until it closes (a hash lives one day).
    """

    __tablename__ = "referral_rollup_visitor"
    __table_args__ = ({"sqlite_with_rowid": False},)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    visitor_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(20), primary_key=True)
    arrived_via: Mapped[str] = mapped_column(String(20), primary_key=True)
    campaign: Mapped[str] = mapped_column(String(100), primary_key=True)  # "" for none


class MemberReportKey(Base):
    """The version every report link of one member is signed with; raising it revokes them all."""

    __tablename__ = "member_report_key"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    rotated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()


# A campaign filter reads raw rows: this index keeps that to the campaign's own rows. It holds
# only tagged referrals (a filter always names a campaign), so the many hand-offs that arrive
# without one skip it: one page fewer written on the portal's hottest insert.
_TAGGED = Referral.utm_campaign.is_not(None)
Index(
    "ix_referral_campaign_created",
    Referral.utm_campaign,
    Referral.created_at,
    sqlite_where=_TAGGED,
    postgresql_where=_TAGGED,
)

# The Stripe totals read every donation of the range, grouped by status, currency and frequency:
# an index in that order lets the database group without sorting, and holding every column the
# totals need (refunds, and the referral's channel and campaign a filter asks for) spares
# reading the wide rows (checkout URLs, notes) themselves. PostgreSQL needs the id in it too.
Index(
    "ix_donation_ledger",
    Donation.status,
    Donation.currency,
    Donation.frequency,
    Donation.created_at,
    Donation.amount,
    Donation.organization_id,
    Donation.stripe_checkout_session_id,
    Donation.stripe_invoice_id,
    Donation.amount_refunded,
    Donation.referral_id,
    Donation.referral_channel,
    Donation.referral_campaign,
    postgresql_include=["id"],
)

# Basket payments of a range (the basket parts table): only donations in a basket are indexed,
# so the report reads those alone rather than every donation of the range.
_IN_BASKET = Donation.basket_id.is_not(None)
Index(
    "ix_donation_basket_created",
    Donation.created_at,
    sqlite_where=_IN_BASKET,
    postgresql_where=_IN_BASKET,
)
