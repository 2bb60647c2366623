"""The hand-off, written once for every door into it: the Flask view and the WSGI fast path.

Each door only reads its request into an ``Arrival``. From there ``hand_off`` does the rest the
same way for both: the visit (what a referral may keep of the request), the plan (where the
donor goes), whether it is logged (not for HEAD or a prefetch), the durable write, and the
answer's status; ``HEADERS`` are the answer's own headers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from portal.models import ArrivedVia
from portal.referrals.routing import Route
from portal.referrals.service import REDIRECT_STATUS, UTM_KEYS, Visit, plan_handoff

if TYPE_CHECKING:
    from portal.referrals.pipeline import ReferralPipeline

# Headers with which browsers announce a speculative prefetch or prerender.
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
# The hand-off's answer may not be cached (each is a referral) and tells the member's page only
# that the donor came from the portal, not from which page.
HEADERS = (("Cache-Control", "no-store"), ("Referrer-Policy", "origin"))
_MAX_TAG = 100


@dataclass(frozen=True, slots=True)
class Arrival:
    """A request at ``/go/<slug>`` as whichever door received it reads it."""

    method: str
    query: Mapping[str, str]
    user_agent: str
    client_ip: str
    referrer: str | None
    host: str
    purpose: str = ""  # the prefetch headers' values, lower case
    # What the session cookie remembers from the landing page: ``campaign``, ``landing_referrer``.
    remembered: Mapping[str, object] = field(default_factory=dict)

    @property
    def via(self) -> ArrivedVia:
        """The arrival channel: a portal button POSTs; a member's embedded button says
        ``via=embed``; any other GET is a shared link."""
        if self.method == "POST":
            return ArrivedVia.PORTAL
        if self.query.get("via") == ArrivedVia.EMBED:
            return ArrivedVia.EMBED
        return ArrivedVia.LINK


@dataclass(frozen=True, slots=True)
class Answer:
    """The redirect to send, and whether to replay the spool once it is sent."""

    location: str
    status: int
    replay_spool: bool


def hand_off(
    pipeline: ReferralPipeline,
    route: Route,
    arrival: Arrival,
    *,
    coalition: Route | None,
    form_url: Callable[[str | None, dict[str, str]], str] | None,
) -> Answer | None:
    """Plan the donor's redirect and make its referral durable before answering.

    None when the plan needs the portal's own pages and ``form_url`` is None (the fast path
    then lets the Flask view answer).
    """
    visit = visit_of(arrival)
    handoff = plan_handoff(route, visit, coalition=coalition, tags=pipeline.tags, form_url=form_url)
    if handoff is None:
        return None
    replay = False
    if handoff.record is not None and arrival.method != "HEAD" and not is_prefetch(arrival):
        replay = pipeline.record(handoff.record, visit)
    return Answer(handoff.url, REDIRECT_STATUS[visit.arrived_via], replay)


def visit_of(arrival: Arrival, via: ArrivedVia | None = None) -> Visit:
    """What the arrival tells about the donor, reduced to what a referral may keep.

    A link's own tags and referrer (a shared or an embedded one) win over what the landing
    page left in the cookie; a portal button carries the landing page's.
    """
    via = via or arrival.via
    remembered = arrival.remembered
    if via != ArrivedVia.PORTAL:
        tags = campaign_from(arrival.query) or dict(remembered.get("campaign") or {})
        referrer = external_referrer_host(arrival.referrer, arrival.host)
    else:
        tags = dict(remembered.get("campaign") or {})
        referrer = remembered.get("landing_referrer")
    return Visit(
        arrived_via=via,
        user_agent=arrival.user_agent[:512],
        client_ip=arrival.client_ip,
        referrer_host=referrer,
        campaign=tags,
    )


def is_prefetch(arrival: Arrival) -> bool:
    """True for a speculative prefetch or prerender, which no person has asked for yet."""
    purpose = arrival.purpose
    return bool(purpose) and any(word in purpose for word in ("prefetch", "prerender", "preview"))


def clean_tag(value: str | None) -> str | None:
    """A tag as it may be stored: printable, trimmed, bounded; None when nothing is left."""
    if not value:
        return None
    cleaned = "".join(ch for ch in value if ch.isprintable()).strip()[:_MAX_TAG]
    return cleaned or None


def campaign_from(args: Mapping[str, str] | None) -> dict[str, str]:
    """The inbound campaign tags in a query, cleaned; only those with a value."""
    if not args:
        return {}
    tags = {key: clean_tag(args.get(key)) for key in UTM_KEYS}
    return {key: value for key, value in tags.items() if value}


def external_referrer_host(referrer: str | None, own_host: str) -> str | None:
    """The host of the page that linked here, unless it is this site."""
    if not referrer:
        return None
    try:
        host = urlsplit(referrer).hostname
    except ValueError:
        return None
    if not host or host == own_host.split(":")[0]:
        return None
    return host[:255]
