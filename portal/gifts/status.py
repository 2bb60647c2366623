"""A payment's state as the donor reads it on the gift's own page and in its notices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

_PAYMENT_STATUS = {
    "open": _l("Not completed"),
    "processing": _l("Being confirmed"),
    "paid": _l("Paid"),
    "failed": _l("Failed"),
    "expired": _l("Not completed"),
    "refunded": _l("Refunded"),
}


def payment_status(status: str) -> str:
    """A payment's state in the donor's words."""
    return str(_PAYMENT_STATUS.get(str(status), status))
