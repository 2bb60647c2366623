"""Columns that several report tables share, so that a heading is written (and translated) once
and a CSV header cannot drift between the staff report, a member's report and the campaign pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from flask_babel import gettext as _

from portal.reports.tables import Column, numbers


class ReferralCounts(Protocol):
    """A line of referral counts: a recipient's, a day's or a period's."""

    humans: int
    bots: int
    visitors: int
    portal: int
    link: int
    embed: int


def recipient_columns(slug: str | None = None, name: str | None = None) -> list[Column]:
    """The recipient's slug and name, under the headings given (default: "Recipient")."""
    return [
        Column("member", slug or _("Recipient slug")),
        Column("name", name or _("Recipient")),
    ]


def referral_columns(count: int = 6, *, embed: str | None = None) -> list[Column]:
    """The first ``count`` of: referrals by people, by bots, unique visitors, then the people
    by how they arrived (portal, shared link, ``embed``: the member's own site)."""
    return numbers(
        ("humans", _("Referrals by people")),
        ("bots", _("Bots and link previews")),
        ("unique_visitors", _("Unique visitors")),
        ("portal_clicks", _("Portal clicks")),
        ("shared_link_visits", _("Shared-link visits")),
        ("embed_clicks", embed or _("Clicks on members’ own sites")),
    )[:count]


def referral_cells(line: ReferralCounts) -> tuple[int, ...]:
    """``line``'s values under the six `referral_columns`."""
    return (line.humans, line.bots, line.visitors, line.portal, line.link, line.embed)


def amount_columns(currencies: Iterable[str]) -> list[Column]:
    """One amount column per currency; currencies are never added together."""
    return numbers(*((f"amount_{c}", _("Amount (%(currency)s)", currency=c)) for c in currencies))
