"""The donation form: presets or an own amount, currency, frequency, fees, dedication, consent."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from portal.donate.money import CURRENCIES, AmountError, display, parse_amount, plain

OTHER = "other"

_AMOUNT_MESSAGES = {
    "number": _l("Enter the amount as a number, like 50 or 50.00."),
    "decimals": _l("That currency takes at most two decimals."),
    "range": _l("Please give between %(minimum)s and %(maximum)s."),
}


class DonationForm(FlaskForm):
    currency = SelectField(
        _l("Currency"), choices=[SelectChoice(code, code) for code in CURRENCIES], default="USD"
    )
    # Checked here rather than by WTForms, so that a typed amount with no radio picked counts.
    preset = RadioField(_l("Amount"), validate_choice=False)
    other_amount = StringField(_l("Other amount"), validators=[Optional(), Length(max=20)])
    frequency = RadioField(
        _l("How often"),
        choices=[
            SelectChoice("one_time", _l("One time")),
            SelectChoice("monthly", _l("Every month")),
        ],
        default="one_time",
    )
    cover_fees = BooleanField(_l("Add a little to cover card fees"))
    dedication = StringField(
        _l("Dedicate this gift (optional)"),
        validators=[Optional(), Length(max=120)],
        description=_l("For example: in honour of my grandmother, Miriam"),
    )
    share_email = BooleanField()
    attempt = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currency = CURRENCIES.get(self.currency.data) or CURRENCIES["USD"]
        self.preset.choices = [
            *(
                SelectChoice(plain(minor, currency.code), display(minor, currency.code))
                for minor in currency.presets
            ),
            SelectChoice(OTHER, _l("Other amount")),
        ]
        self.amount_minor: int | None = None

    def validate_preset(self, field) -> None:
        currency = CURRENCIES[self.currency.data]
        typed = (self.other_amount.data or "").strip()
        choice = field.data if field.data not in (None, "", "None") else None
        if choice is None or choice == OTHER:
            if not typed:
                raise ValidationError(_l("Choose an amount, or type the amount you would like."))
            self.amount_minor = self._parse(typed, currency)
            return
        self.amount_minor = self._parse(choice, currency)
        if typed and self._parse(typed, currency) != self.amount_minor:
            # Both a preset and an own amount: charging either could surprise the donor.
            raise ValidationError(
                _l("You picked %(picked)s and typed %(typed)s. Please keep only the one you mean.")
                % {"picked": display(self.amount_minor, currency.code), "typed": typed}
            )

    @staticmethod
    def _parse(text: str, currency) -> int:
        try:
            return parse_amount(text, currency)
        except AmountError as error:
            raise ValidationError(
                _AMOUNT_MESSAGES[error.kind]
                % {
                    "minimum": display(currency.minimum, currency.code),
                    "maximum": display(currency.maximum, currency.code),
                }
            ) from None


def prefill(args) -> dict:
    """Form data from a prefilled link (``?amount=50&currency=EUR&frequency=monthly``).

    Values that do not fit are dropped rather than refused: a link only suggests a gift.
    """
    data: dict = {}
    currency = (args.get("currency") or "").upper()
    if currency in CURRENCIES:
        data["currency"] = currency
    if args.get("frequency") in {"one_time", "monthly"}:
        data["frequency"] = args["frequency"]
    amount = args.get("amount")
    if amount:
        code = data.get("currency", "USD")
        try:
            minor = parse_amount(amount, CURRENCIES[code])
        except AmountError:
            minor = None
        if minor is not None:
            value = plain(minor, code)
            presets = {plain(p, code) for p in CURRENCIES[code].presets}
            data["preset"] = value if value in presets else OTHER
            if value not in presets:
                data["other_amount"] = value
    for flag in ("cover_fees",):
        if args.get(flag) in {"1", "true", "on", "y"}:
            data[flag] = True
    if args.get("dedication"):
        data["dedication"] = args["dedication"][:120]
    return data
