"""Links that carry a secret (a member's report link, a donor's manage-gift link): the secret
leaves the address at once.

A token in a path ends up in browser history, in a Referer and in every access log on the way.
So the one request that brings it is answered by ``SecretLink.exchange``: the token goes into a
short-lived, HttpOnly cookie that only the link's own pages receive, and a 303 sends the browser
to the same page without the token. The page reads the token back with ``SecretLink.held``.
``redact`` blanks out the token in any log line that still names a secret link's address (the
first request's), and gunicorn.conf.py applies it to the access and error logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, redirect, request
from werkzeug.wrappers import Response

REDACTED = "[redacted]"
# Every prefix under which a path segment is a secret token. A new kind of secret link adds its
# prefix here, so that the logs redact it too.
SECRET_PATH_PREFIXES = ("/reports/member/", "/gift/")
_TOKEN_IN_PATH = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATH_PREFIXES) + r")[^/?#\s\"]+"
)


@dataclass(frozen=True, slots=True)
class SecretLink:
    """A kind of secret link: the cookie that holds its token and the token-free address."""

    cookie: str
    path: str
    max_age: int

    def exchange(self, token: str) -> Response:
        """Keep ``token`` in a cookie and redirect to the token-free address, query kept."""
        query = request.query_string.decode("latin-1")
        response = redirect(self.path + (f"?{query}" if query else ""), code=303)
        response.set_cookie(
            self._name(),
            token,
            max_age=self.max_age,
            path=self.path,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",  # the link is opened from an email or a chat: another site
        )
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def held(self) -> str | None:
        """The token this browser was given by ``exchange``, while its cookie lasts."""
        return request.cookies.get(self._name())

    def _name(self) -> str:
        # ``__Secure-``: a browser accepts the cookie only from HTTPS, so no plain-http page can
        # plant one. (``__Host-`` would need the cookie on every path.)
        secure = current_app.config["SESSION_COOKIE_SECURE"]
        return f"__Secure-{self.cookie}" if secure else self.cookie


def redact(text: str) -> str:
    """``text`` with every secret link's token replaced by ``[redacted]``."""
    return _TOKEN_IN_PATH.sub(lambda match: match[1] + REDACTED, text)
