"""The manage page's form: a monthly gift's new amount, read like the donation form's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from portal.donate.forms import amount_message, number_locale
from portal.donate.money import CURRENCIES, AmountError, parse_amount


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
            raise ValidationError(amount_message(error, field.data, locale)) from None
