"""The campaign links list, once for the page and its CSV."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.campaigns.qr import link_url
from portal.campaigns.queries import LinkNumbers
from portal.models import CampaignLink
from portal.reports.columns import amount_columns
from portal.reports.tables import Column, Table, amounts, numbers


def links_table(links: list[CampaignLink], by_link: dict[int, LinkNumbers]) -> Table:
    """One row per link; a column of amounts per currency that any link has received."""
    currencies = sorted({c for line in by_link.values() for c in line.amounts})
    columns = [
        Column("recipient", _("Recipient")),
        Column("campaign", _("Campaign")),
        Column("source", _("Source")),
        Column("medium", _("Medium")),
        Column("url", _("Link")),
        *numbers(
            ("people", _("Visits by people")),
            ("unique_visitors", _("Unique visitors")),
            ("previews", _("Link previews")),
            ("bots", _("Other bots")),
            ("gifts", _("Gifts")),
        ),
        *amount_columns(currencies),
    ]
    rows = []
    for link in links:
        line = by_link[link.id]
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
                *amounts(line.amounts, currencies),
            )
        )
    return Table("links", _("Campaign links"), columns, rows)
