"""The campaign links list, once for the page and its CSV."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.campaigns.qr import link_url
from portal.campaigns.queries import LinkNumbers
from portal.models import CampaignLink
from portal.reports.tables import Column, Money, Table


def links_table(links: list[CampaignLink], numbers: dict[int, LinkNumbers]) -> Table:
    """One row per link; a column of amounts per currency that any link has received."""
    currencies = sorted({c for line in numbers.values() for c in line.amounts})
    columns = [
        Column("recipient", _("Recipient")),
        Column("campaign", _("Campaign")),
        Column("source", _("Source")),
        Column("medium", _("Medium")),
        Column("url", _("Link")),
        Column("people", _("Visits by people"), numeric=True),
        Column("unique_visitors", _("Unique visitors"), numeric=True),
        Column("previews", _("Link previews"), numeric=True),
        Column("bots", _("Other bots"), numeric=True),
        Column("gifts", _("Gifts"), numeric=True),
        *(
            Column(f"amount_{c}", _("Amount (%(currency)s)", currency=c), numeric=True)
            for c in currencies
        ),
    ]
    rows = []
    for link in links:
        line = numbers[link.id]
        rows.append(
            (
                link.organization.name,
                link.campaign,
                link.source,
                link.medium,
                link_url(link),
                line.people,
                line.unique_visitors,
                line.previews,
                line.bots,
                line.gifts,
                *(Money(line.amounts.get(c, 0), c) for c in currencies),
            )
        )
    return Table("links", _("Campaign links"), columns, rows)
