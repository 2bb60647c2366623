"""Basket gifts in the reports: each member's parts beside its single gifts, per currency.

The basket package splits a payment into parts (``basket.queries.payments_parts``); this module
counts them for the staff report and a member's report.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.basket.queries import payments_parts
from portal.models import BasketLine, Donation, DonationStatus
from portal.reports.columns import recipient_columns
from portal.reports.tables import Column, Money, Table, numbers

COUNTED = (DonationStatus.PAID, DonationStatus.REFUNDED)


def parts_by_member(
    session: Session, start: datetime, end: datetime, *, member_id: int | None = None
) -> dict[tuple[str, str, str], list[int]]:
    """(slug, name, currency) → [payments, gift, fee cover, refunded, disputed] for basket
    payments made in ``[start, end)``; each row adds up with the others to what was paid."""
    query = select(Donation).where(
        Donation.basket_id.is_not(None),
        Donation.status.in_(COUNTED),
        Donation.created_at >= start,
        Donation.created_at < end,
    )
    if member_id is not None:
        query = query.where(
            Donation.basket_id.in_(
                select(BasketLine.basket_id).where(BasketLine.organization_id == member_id)
            )
        )
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * 5)
    for donation, parts in payments_parts(session, query.order_by(Donation.id)):
        for part in parts:
            if member_id is not None and part.organization.id != member_id:
                continue
            org = part.organization
            cell = sums[org.slug, org.name, donation.currency]
            for i, value in enumerate(
                (1, part.amount, part.fee_cover, part.refunded, part.disputed)
            ):
                cell[i] += value
    return dict(sorted(sums.items()))


def parts_table(sums: dict[tuple[str, str, str], list[int]], *, with_member: bool = True) -> Table:
    """The table of basket parts, for the page and its CSV."""
    columns = [
        *recipient_columns(),
        Column("currency", _("Currency")),
        *numbers(
            ("basket_payments", _("Basket payments")),
            ("part_amount", _("Their parts")),
            ("fee_cover_amount", _("Fee cover kept by the coalition")),
            ("refunded_amount", _("Refunded")),
            ("disputed_amount", _("In disputes open or lost")),
        ),
    ]
    rows = [
        (slug, name, code, n, *(Money(v, code) for v in values))
        for (slug, name, code), (n, *values) in sums.items()
    ]
    if not with_member:
        columns, rows = columns[2:], [row[2:] for row in rows]
    return Table("basket_parts", _("Parts of basket gifts"), columns, rows)
