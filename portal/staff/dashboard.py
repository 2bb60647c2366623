"""The staff dashboard's links and sections: each feature adds its own, in any order, so the
console never imports the features it shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy.orm import Session

from portal.state import portal_state


@dataclass(frozen=True)
class DashboardLink:
    endpoint: str
    label: str
    description: str = ""
    admin_only: bool = False


def add_dashboard_link(
    app: Flask, endpoint: str, label: str, description: str = "", *, admin_only: bool = False
) -> None:
    """Show a link to ``endpoint`` on the staff dashboard (reports and later features call this).

    Works before or after the console's own ``init_app``.
    """
    portal_state(app).dashboard_links.append(
        DashboardLink(endpoint, label, description, admin_only)
    )


@dataclass(frozen=True)
class DashboardSection:
    template: str  # drawn with ``data``: what ``read`` returned
    read: Callable[[Session], object]


def add_dashboard_section(app: Flask, template: str, read: Callable[[Session], object]) -> None:
    """Draw ``template`` on the staff dashboard, before the links, with ``read(session)`` as
    ``data`` (the ledger's "Needs action" is one)."""
    portal_state(app).dashboard_sections.append(DashboardSection(template, read))
