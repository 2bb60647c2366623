"""What the donor is about to give, in words: the submit button, the summary and the fee hint.

The page, the no-script confirmation and the form's script (through ``/donate/<slug>/quote``)
all take their words from here, so the button always says what Checkout will charge.
"""

from __future__ import annotations

from flask_babel import gettext as _

from portal.donate.forms import DonationForm
from portal.donate.money import display, fee_cover
from portal.donate.service import Gift
from portal.models import Frequency
from portal.texts import reader_language


def gift_from_form(form: DonationForm, fee_basis_points: int) -> Gift:
    """The gift a validated form describes, fee cover included when ticked."""
    fee = fee_cover(form.amount_minor, fee_basis_points) if form.cover_fees.data else 0
    return Gift(
        amount=form.amount_minor,
        fee_cover=fee,
        currency=form.currency.data,
        frequency=Frequency(form.frequency.data),
        dedication=(form.dedication.data or "").strip() or None,
        share_email=bool(form.share_email.data),
        language=reader_language(),
    )


def shown_total(gift: Gift) -> str:
    """What the button showed, as the form carries it back: ``"7725:EUR:monthly"``."""
    return f"{gift.total}:{gift.currency}:{gift.frequency.value}"


def button_label(gift: Gift, locale: str) -> str:
    total = display(gift.total, gift.currency, locale)
    if gift.frequency == Frequency.MONTHLY:
        return _("Give %(amount)s every month", amount=total)
    return _("Give %(amount)s once", amount=total)


def summary(gift: Gift, recipient: str, locale: str) -> str:
    """The sentence that confirms a gift before Checkout when no script kept the button current."""
    total = display(gift.total, gift.currency, locale)
    if gift.frequency == Frequency.MONTHLY:
        text = _(
            "You are about to give %(amount)s to %(name)s every month.",
            amount=total,
            name=recipient,
        )
    else:
        text = _("You are about to give %(amount)s to %(name)s once.", amount=total, name=recipient)
    if gift.fee_cover:
        text += " " + _(
            "That is your gift of %(gift)s and %(fee)s to cover card fees.",
            gift=display(gift.amount, gift.currency, locale),
            fee=display(gift.fee_cover, gift.currency, locale),
        )
    return text


def fee_hint(amount: int, currency: str, basis_points: int, locale: str) -> str:
    """How much ticking "cover the fees" adds to this gift, in its own currency."""
    return _(
        "On a gift of %(amount)s this adds %(fee)s.",
        amount=display(amount, currency, locale),
        fee=display(fee_cover(amount, basis_points), currency, locale),
    )
