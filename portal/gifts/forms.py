"""The manage page's form (a monthly gift's new amount) and the console's refund forms, their
amounts read like the donation form's."""

from __future__ import annotations

from dataclasses import replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.donate.forms import amount_message, number_locale
from portal.donate.money import CURRENCIES, AmountError, display, parse_amount


class AmountForm(FlaskForm):
    """``amount`` in the gift's currency, in the donor's way of writing numbers; the same
    limits as the donation form. ``amount_minor`` holds it once validated."""

    amount = StringField(
        _l("New monthly amount"),
        validators=[DataRequired(_l("Type the new monthly amount.")), Length(max=20)],
    )

    def __init__(self, currency: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = CURRENCIES[currency]
        self.amount_minor: int | None = None

    def validate_amount(self, field) -> None:
        locale = number_locale()
        try:
            self.amount_minor = parse_amount(field.data, self.currency, locale)
        except AmountError as error:
            raise ValidationError(self._refusal(error, field.data, locale)) from None

    def _refusal(self, error: AmountError, typed: str, locale: str) -> str:
        return amount_message(error, typed, locale)


_REASON_LABELS = {
    "requested_by_customer": _l("The donor asked for it"),
    "duplicate": _l("A duplicate payment"),
    "fraudulent": _l("Fraudulent: the card's owner did not give"),
}


def reason_label(reason: str) -> str:
    """Stripe's refund reason in the staff member's words."""
    return str(_REASON_LABELS[reason])


class RefundForm(AmountForm):
    """Staff's refund of one payment: ``amount`` in its currency, read like the donation form's,
    more than nothing and at most ``left`` minor units; one of Stripe's reasons."""

    amount = StringField(
        _l("Amount to refund"),
        validators=[DataRequired(_l("Type the amount to refund.")), Length(max=20)],
    )
    reason = SelectField(_l("Reason, as Stripe records it"), default="requested_by_customer")

    def __init__(self, currency: str, left: int, *args, **kwargs):
        super().__init__(currency, *args, **kwargs)
        self.reason.choices = [(key, label) for key, label in _REASON_LABELS.items()]
        # Any amount up to what is left: a refund has no minimum gift.
        self.currency = replace(CURRENCIES[currency], minimum=1, maximum=left)

    def _refusal(self, error: AmountError, typed: str, locale: str) -> str:
        if error.kind != "range":
            return super()._refusal(error, typed, locale)
        left = display(self.currency.maximum, self.currency.code)
        return _("Refund more than nothing and at most %(left)s, what is left of this payment.") % {
            "left": left
        }


class ConfirmRefundForm(FlaskForm):
    """The confirmation: the plan the page stated, signed (``gifts/refunding.py``)."""

    plan = HiddenField(validators=[DataRequired(), Length(max=500)])
