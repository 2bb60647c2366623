"""The staff dashboard's links: each feature adds its own pages, in any order."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

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
