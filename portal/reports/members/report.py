"""A member's report page: its tables (the same rows as its CSV files) and its chart."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from portal.i18n import day
from portal.reports import charts
from portal.reports.baskets import parts_by_member, parts_table
from portal.reports.columns import referral_cells, referral_columns
from portal.reports.members import queries
from portal.reports.members.queries import BY_DAY
from portal.reports.scope import Scope
from portal.reports.tables import Column, Money, Table, build, numbers


@dataclass
class MemberReport:
    scope: Scope
    by: str
    tables: dict[str, Table]
    chart: Markup


def member_report(
    session: Session, scope: Scope, by: str, *, only: str | None = None
) -> MemberReport:
    """Everything the member's page shows for ``scope``, counted ``by`` day or month; with
    ``only`` (a CSV download of one of its tables), that table alone and no chart."""
    referrals = cache(lambda: queries.referrals_by_period(session, scope, by))
    gifts = cache(lambda: queries.gifts_by_period(session, scope, by))
    period = _("Day (UTC)") if by == BY_DAY else _("Month (UTC)")
    builders = {
        "referrals": lambda: _referral_table(referrals(), period),
        "gifts": lambda: _gift_table(gifts(), period),
        "gift_totals": lambda: _gift_table(queries.gift_totals(gifts()), None),
        "basket_parts": lambda: parts_table(
            parts_by_member(session, *scope.bounds, member_id=scope.member_id), with_member=False
        ),
    }
    chart = _chart(scope, referrals()) if only is None else Markup("")
    return MemberReport(scope, by, build(builders, only), chart)


def _referral_table(lines: list[queries.PeriodLine], period: str) -> Table:
    columns = [
        Column("period", period),
        *referral_columns(embed=_("Clicks on your own site’s button")),
    ]
    rows = [(line.period, *referral_cells(line)) for line in lines]
    table = Table("referrals", _("Referrals the portal sent you"), columns, rows)
    return table.with_totals(_("Whole range"))


def _gift_table(lines: list[queries.GiftLine], period: str | None) -> Table:
    """Gifts per period and currency, or (``period`` None) per currency over the whole range."""
    columns = [
        Column("currency", _("Currency")),
        *numbers(
            ("paid_gifts", _("Paid gifts")),
            ("paid_amount", _("Paid")),
            ("refunded_gifts", _("Refunded gifts")),
            ("refunded_amount", _("Refunded")),
        ),
    ]
    rows = [
        (
            line.currency,
            line.paid,
            Money(line.paid_amount, line.currency),
            line.refunded,
            Money(line.refunded_amount, line.currency),
        )
        for line in lines
    ]
    if period is None:
        return Table("gift_totals", _("Gifts over the whole range, by currency"), columns, rows)
    columns.insert(0, Column("period", period))
    rows = [(line.period, *row) for line, row in zip(lines, rows, strict=True)]
    return Table("gifts", _("Gifts collected for you through Stripe"), columns, rows)


def _chart(scope: Scope, lines: list[queries.PeriodLine]) -> Markup:
    return charts.line_chart(
        _("Referrals the portal sent you"),
        _(
            "Referrals by people and by bots or link previews, from %(since)s to %(until)s "
            "(UTC). The table below gives the same numbers.",
            since=day(scope.since),
            until=day(scope.until),
        ),
        [line.period for line in lines],
        {
            _("People"): [line.humans for line in lines],
            _("Bots and link previews"): [line.bots for line in lines],
        },
    )
