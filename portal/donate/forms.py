"""The donation form: presets or an own amount, currency, frequency, fees, dedication, consent."""

from __future__ import annotations

from flask_babel import get_locale
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
from portal.donate.service import checkout_locale
from portal.i18n import active_locale

OTHER = "other"

_AMOUNT_MESSAGES = {
    "number": _l("Enter the amount as a number, like 50 or 50.00."),
    "decimals": _l("That currency takes at most two decimals."),
    "range": _l("Please give between %(minimum)s and %(maximum)s."),
}
_AMBIGUOUS = {
    1: _l(
        "Did you mean %(first)s? Please type the amount without a thousands separator, "
        "like %(example)s."
    ),
    2: _l(
        "“%(typed)s” could mean %(first)s or %(second)s. Please type the amount without a "
        "thousands separator, like %(example)s."
    ),
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
    # The total, currency and frequency the submit button showed ("7725:EUR:monthly"): a gift
    # goes to Checkout only once the donor has seen exactly what will be charged.
    shown_total = HiddenField(validators=[Optional(), Length(max=40)])

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
        if typed:
            # An own amount wins over the preset picked for the donor; nothing is charged before
            # the button (or, without script, a confirmation) has shown the total.
            field.data = OTHER
            self.amount_minor = self._parse(typed, currency)
            return
        if choice is None or choice == OTHER:
            raise ValidationError(_l("Choose an amount, or type the amount you would like."))
        self.amount_minor = self._parse(choice, currency)

    @staticmethod
    def _parse(text: str, currency) -> int:
        locale = number_locale()
        try:
            return parse_amount(text, currency, locale)
        except AmountError as error:
            raise ValidationError(amount_message(error, text, locale)) from None


def number_locale() -> str:
    """The locale whose way of writing numbers the donor's typing is read in."""
    return str(get_locale() or "en")


def amount_message(error: AmountError, typed: str, locale: str) -> str:
    code = error.currency.code
    if error.kind == "ambiguous":
        shown = [display(minor, code, locale) for minor in error.readings]
        return _AMBIGUOUS[len(shown)] % {
            "typed": typed.strip(),
            "first": shown[0],
            "second": shown[-1],
            "example": plain(error.readings[0], code),
        }
    return _AMOUNT_MESSAGES[error.kind] % {
        "minimum": display(error.currency.minimum, code, locale),
        "maximum": display(error.currency.maximum, code, locale),
    }


def choices_of(donation) -> dict:
    """Form data that repeats a donation's choices, fee cover, dedication and opt-in included."""
    code = donation.currency
    value = plain(donation.amount - donation.fee_cover, code)
    presets = {plain(p, code) for p in CURRENCIES[code].presets}
    return {
        "currency": code,
        "frequency": donation.frequency.value,
        "preset": value if value in presets else OTHER,
        "other_amount": "" if value in presets else value,
        "cover_fees": donation.fee_cover > 0,
        "dedication": donation.dedication or "",
        "share_email": donation.share_email,
    }


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
            minor = parse_amount(amount, CURRENCIES[code], number_locale())
        except AmountError:
            minor = None
        if minor is not None:
            value = plain(minor, code)
            presets = {plain(p, code) for p in CURRENCIES[code].presets}
            data["preset"] = value if value in presets else OTHER
            if value not in presets:
                data["other_amount"] = value
    if "preset" not in data:
        # A sensible gift is chosen already (the second preset), so the button can say what a
        # donor who changes nothing will give.
        code = data.get("currency", "USD")
        data["preset"] = plain(CURRENCIES[code].presets[1], code)
    for flag in ("cover_fees", "share_email"):
        if args.get(flag) in {"1", "true", "on", "y"}:
            data[flag] = True
    if args.get("dedication"):
        data["dedication"] = args["dedication"][:120]
    return data


def payment_page_lacks_language() -> bool:
    """Checkout has no page in this language (Arabic, Hebrew): the form must say so beforehand."""
    return checkout_locale(active_locale()) == "auto"
