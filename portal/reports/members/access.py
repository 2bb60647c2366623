"""Which member's report this browser may see: its report link, held in a cookie after first use."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from portal.db.session import get_session
from portal.reports.members import service
from portal.secret_links import SecretLink
from portal.state import portal_state

LONGEST_TOKEN = 400
# Long enough to read the report, change its dates, download its tables and build a campaign
# link; then the member opens the link again.
REPORT_LINK = SecretLink(cookie="member_report", path="/reports/member/", max_age=3600)


def held_link() -> service.Link:
    """The report link this browser holds; raises ``service.LinkError`` without a working one."""
    return open_token(REPORT_LINK.held())


def open_token(token: str | None) -> service.Link:
    """The report link ``token`` opens; raises ``service.LinkError`` (404 or 410) otherwise."""
    if not token:
        raise service.LinkError(
            404,
            _(
                "To see your report, open the link you were sent again. For your privacy, this "
                "page remembers it for an hour only."
            ),
        )
    if len(token) > LONGEST_TOKEN:
        raise service.LinkError(404, _("This report link is not valid."))
    now = portal_state().clocks.reports()
    return service.open_link(get_session(), current_app.secret_key, token, now=now)
