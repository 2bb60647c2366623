"""The basket a donor is filling, held in a cookie: member slugs only, no account, no script."""

from __future__ import annotations

import re

from flask import Request, Response, current_app

from portal.basket.plan import MAX_MEMBERS

COOKIE = "basket"
_SEPARATOR = "~"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def slugs_in(request: Request) -> list[str]:
    """The slugs in the donor's basket, in the order added; anything malformed is dropped."""
    raw = request.cookies.get(COOKIE, "")
    kept = [s for s in raw.split(_SEPARATOR) if _SLUG.match(s)]
    return list(dict.fromkeys(kept))[:MAX_MEMBERS]


def keep(response: Response, slugs: list[str]) -> Response:
    """Write the basket back; an empty basket removes the cookie."""
    if not slugs:
        response.delete_cookie(COOKIE, samesite="Lax")
        return response
    response.set_cookie(
        COOKIE,
        _SEPARATOR.join(slugs),
        max_age=30 * 86400,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response
