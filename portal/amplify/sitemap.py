"""The public pages a search engine may list, each in every language the portal speaks."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Organization, OrgStatus, RecipientKind

# Pages with no parameter. Another feature's public page joins the sitemap by being listed here.
STATIC_ENDPOINTS = (
    "directory.home",
    "directory.organizations",
    "donate.coalition",
    "listen.index",
    "engage.index",
    "pages.about",
    "pages.contact",
    "pages.privacy",
    "pages.terms",
)


@dataclass(frozen=True)
class SitemapPage:
    url: str  # the x-default: the visitor's browser picks the language
    alternates: tuple[tuple[str, str], ...]  # (language, URL); none with a single language

    @property
    def locations(self) -> list[str]:
        """Every URL of the page: search engines want each language version listed."""
        return [self.url, *(url for _, url in self.alternates)]


def public_pages(session: Session, languages: list[str]) -> list[SitemapPage]:
    """Every public page, with its URL in each language."""
    pages = [_page(endpoint, languages) for endpoint in STATIC_ENDPOINTS]
    members = session.scalars(
        select(Organization.slug)
        .filter_by(status=OrgStatus.ACTIVE, kind=RecipientKind.MEMBER)
        .order_by(Organization.slug)
    )
    pages += [_page("directory.organization", languages, slug=slug) for slug in members]
    return pages


def _page(endpoint: str, languages: list[str], **values: str) -> SitemapPage:
    return SitemapPage(
        url=url_for(endpoint, **values, _external=True),
        alternates=tuple(
            (code, url_for(endpoint, **values, lang=code, _external=True))
            for code in (languages if len(languages) > 1 else [])
        ),
    )
