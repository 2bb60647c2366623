"""Amounts as donors type them, in each language: what they typed is what Stripe is asked for,
and a form that could mean two amounts is asked about, never guessed."""

from __future__ import annotations

import re

import pytest
from babel import Locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.donate.money import CURRENCIES, AmountError, parse_amount
from portal.donate.service import ReturnUrls, checkout_locale, checkout_request
from portal.models import Donation, Frequency, Organization, Referral

PORTAL_LOCALES = ["en", "ar", "he"]
# Not portal languages (yet): they prove the rule for locales that write 75,50 and 1.000.
OTHER_LOCALES = ["de", "fr"]
ARABIC_INDIC = str.maketrans("0123456789.,", "٠١٢٣٤٥٦٧٨٩٫٬")


def _amounts(code: str):
    currency = CURRENCIES[code]
    return st.integers(currency.minimum, currency.maximum)


def _written(minor: int, locale: str, style: str) -> str:
    """``minor`` as a donor in ``locale`` might type it."""
    whole, cents = divmod(minor, 100)
    symbols = Locale.parse(locale).number_symbols["latn"]
    group = symbols["group"] if style == "grouped" else ""
    digits = f"{whole:,}".replace(",", group)
    decimal = {"point": ".", "comma": ","}.get(style, symbols["decimal"])
    text = f"{digits}{decimal}{cents:02d}" if cents or style in {"point", "comma"} else digits
    return text.translate(ARABIC_INDIC) if style == "arabic-indic" else text


def _stripe_is_asked(minor: int, code: str) -> tuple[int, str]:
    """What Checkout would be asked to charge for a donation of ``minor``."""
    org = Organization(slug="parents-circle", name="Parents Circle")
    donation = Donation(
        id=1,
        organization=org,
        referral=Referral(ref="0" * 32),
        amount=minor,
        currency=code,
        frequency=Frequency.ONE_TIME,
    )
    params = checkout_request(donation, ReturnUrls("https://s", "https://c"), locale="en").params
    price = params["line_items"][0]["price_data"]
    return price["unit_amount"], price["currency"]


@pytest.mark.parametrize("locale", PORTAL_LOCALES + OTHER_LOCALES)
@pytest.mark.parametrize("code", sorted(CURRENCIES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_unambiguous_way_of_writing_an_amount_charges_exactly_it(locale, code, data):
    minor = data.draw(_amounts(code))
    styles = ["plain", "grouped", "point", "comma"] + (["arabic-indic"] if locale == "ar" else [])
    typed = _written(minor, locale, data.draw(st.sampled_from(styles)))
    if re.fullmatch(r"\d{1,3}[.,]\d{3}", typed):
        typed += ".00" if "," in typed else ",00"  # one mark and three digits: asked, see below

    parsed = parse_amount(typed, CURRENCIES[code], locale)

    assert _stripe_is_asked(parsed, code) == (minor, code.lower())


@pytest.mark.parametrize("locale", PORTAL_LOCALES + OTHER_LOCALES)
@pytest.mark.parametrize("code", sorted(CURRENCIES))
@settings(max_examples=40, deadline=None)
@given(thousands=st.integers(1, 999), units=st.integers(0, 999), mark=st.sampled_from(".,"))
def test_one_mark_before_three_digits_is_asked_about_unless_it_groups_thousands_here(
    locale, code, thousands, units, mark
):
    typed = f"{thousands}{mark}{units:03d}"
    group = Locale.parse(locale).number_symbols["latn"]["group"]

    if mark == group:
        _assert_grouped(typed, CURRENCIES[code], locale, (thousands * 1000 + units) * 100)
        return
    with pytest.raises(AmountError) as asked:
        parse_amount(typed, CURRENCIES[code], locale)

    assert asked.value.kind == "ambiguous"
    assert asked.value.readings[0] == (thousands * 1000 + units) * 100
    if units % 10 == 0:
        assert asked.value.readings[1] == thousands * 100 + units // 10


def _assert_grouped(typed, currency, locale, minor) -> None:
    if currency.minimum <= minor <= currency.maximum:
        assert parse_amount(typed, currency, locale) == minor
        return
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, currency, locale)
    assert refused.value.kind == "range"


@pytest.mark.parametrize("locale", PORTAL_LOCALES + OTHER_LOCALES)
@pytest.mark.parametrize(("typed", "minor"), [("75,50", 7550), ("75.50", 7550), ("75,5", 7550)])
def test_a_comma_or_a_point_before_cents_means_cents_everywhere(locale, typed, minor):
    assert parse_amount(typed, CURRENCIES["EUR"], locale) == minor


@pytest.mark.parametrize(
    "typed", ["abc", "", "1,2,3", "12,34,567", "--5", "5e3", "1.000.000,5,5", "½"]
)
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, CURRENCIES["EUR"], "en")

    assert refused.value.kind == "number"


def test_more_than_two_decimals_is_refused():
    with pytest.raises(AmountError) as refused:
        parse_amount("75,5050", CURRENCIES["EUR"], "en")

    assert refused.value.kind == "decimals"


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_typed_amount_in_any_portal_language_is_what_checkout_charges(
    give, recipient, stripe_client, db_session, app, data
):
    app.config.update(CHECKOUT_RATE_LIMIT=10_000, LANGUAGES=PORTAL_LOCALES)
    locale = data.draw(st.sampled_from(PORTAL_LOCALES))
    code = data.draw(st.sampled_from(sorted(CURRENCIES)))
    minor = data.draw(_amounts(code))
    style = data.draw(st.sampled_from(["plain", "comma", "arabic-indic"]))

    give(
        query=f"?lang={locale}",
        preset="other",
        other_amount=_written(minor, locale, style),
        currency=code,
    )

    db_session.rollback()
    donation = db_session.scalars(select(Donation).order_by(Donation.id.desc())).first()
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert (checkout.amount_total, checkout.currency) == (minor, code.lower())


@pytest.mark.usefixtures("recipient")
def test_an_ambiguous_amount_is_asked_about_with_both_readings(give, db_session):
    response = give(preset="other", other_amount="1.000", currency="EUR")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“1.000” could mean €1,000.00 or €1.00." in html
    assert "without a thousands separator, like 1000" in html
    db_session.rollback()
    assert db_session.scalars(select(Donation)).all() == []


@pytest.mark.usefixtures("recipient")
def test_seventy_five_fifty_with_a_comma_is_charged_as_such(give, stripe_client, db_session):
    give(preset="other", other_amount="75,50", currency="EUR")

    db_session.rollback()
    donation = db_session.scalars(select(Donation)).one()
    checkout = stripe_client.v1.checkout.sessions.retrieve(donation.stripe_checkout_session_id)
    assert (checkout.amount_total, checkout.currency) == (7550, "eur")


@pytest.mark.parametrize(
    ("locale", "sent"), [("en", "en"), ("he", "auto"), ("ar", "auto"), ("en_GB", "en-GB")]
)
def test_checkout_is_only_ever_sent_a_locale_it_accepts(locale, sent):
    assert checkout_locale(locale) == sent
