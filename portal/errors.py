"""Every error a visitor can cause gets a clear page of its own, never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)


class BadInput(BadRequest):
    """A 400 whose field messages are safe to show the visitor."""

    def __init__(self, field_errors: dict[str, list[str]]):
        super().__init__()
        self.field_errors = field_errors


class DatabaseInteger(IntegerConverter):
    """``<int:…>`` in a route, up to the largest id a database column holds: a longer number in an
    address is a 404, as any unknown id is, instead of an overflow in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_integers(app: Flask) -> None:
    """Make ``<int:…>`` a ``DatabaseInteger``; call before any route is added."""
    app.url_map.converters["int"] = DatabaseInteger


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul_bytes)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Exception, _unexpected)


def _titles() -> dict[int, str]:
    return {
        400: _("That request could not be understood"),
        403: _("You don't have access to this page"),
        404: _("We couldn't find that page"),
        405: _("That action isn't available here"),
        413: _("That upload is too large"),
        429: _("Too many attempts"),
        503: _("The portal is not ready"),
    }


def render_error(code: int, message: str | None = None, details=None):
    title = _titles().get(code, _("Something went wrong"))
    return render_template(
        "errors/error.html", code=code, title=title, message=message, details=details or {}
    ), code


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, BadInput):
        return render_error(400, _("Please check what you entered."), error.field_errors)
    response = render_error(error.code, error.description if error.code == 503 else None)
    if error.code == 405 and error.valid_methods:
        return (*response, {"Allow": ", ".join(error.valid_methods)})
    return response


def _csrf_error(error: CSRFError):
    return render_error(
        400,
        _(
            "This form has expired or was sent from elsewhere. Please go back, reload the "
            "page and try again."
        ),
    )


def _unexpected(error: Exception):
    log.exception("unhandled error")
    return render_error(500, _("Sorry, that didn't work. Please try again in a moment."))


def _refuse_nul_bytes() -> None:
    """No person types a NUL, and PostgreSQL refuses it in text: a clear 400, never a 500."""
    from flask import abort, request

    if "\x00" in request.path:
        abort(404)
    values = list(request.args.values())
    if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)
