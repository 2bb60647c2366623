"""The words a donor reads about their gift: page notes and the confirmation mails."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from portal.donate.money import display
from portal.gifts.notices import manage_url
from portal.mail import Message
from portal.texts import member_texts


def unavailable() -> str:
    return _(
        "We could not reach our payment provider just now, and nothing changed. "
        "Please try again in a minute."
    )


def cancelled_note(at_period_end: bool) -> str:
    if at_period_end:
        return _(
            "Your monthly gift will end after the period you have already given for. "
            "We have emailed you a confirmation."
        )
    return _(
        "Your monthly gift is cancelled: nothing more will be charged. "
        "We have emailed you a confirmation."
    )


def cancelled(first, state, email: str) -> Message:
    """The confirmation that a monthly gift ends, in the language the donor gave in."""
    language = first.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        name = member_texts(first.organization, language).name
        amount = display(first.amount, first.currency, language)
        ends = format_date(state.ends_at, "long") if state.ends_at else None
        subject = _("Your monthly gift to %(name)s has ended", name=name)
        if state.status != "canceled" and ends:
            subject = _("Your monthly gift to %(name)s ends on %(date)s", name=name, date=ends)
        text = render_template(
            "gifts/mail_cancelled.txt",
            name=name,
            amount=amount,
            ends=ends if state.status != "canceled" else None,
            portal=current_app.config["PORTAL_NAME"],
        )
    return Message(to=email, subject=subject, text=text, language=language)


def amount_refused(basket: bool) -> str:
    if basket:
        return _(
            "The amount of a basket gift cannot be changed here: it is shared among several "
            "members. To give a different amount, cancel this gift and give again through "
            "the basket."
        )
    return _("Only a running monthly gift can change its amount.")


def amount_changed_note(first, changed) -> str:
    amount = display(changed.state.amount or 0, first.currency)
    if changed.state.next_payment_at is None:
        return _("Your monthly gift is now %(amount)s.", amount=amount)
    return _(
        "Your monthly gift is now %(amount)s, from the payment on %(date)s. "
        "We have emailed you a confirmation.",
        amount=amount,
        date=format_date(changed.state.next_payment_at, "long"),
    )


def amount_changed(first):
    """The confirmation of a new monthly amount, in the language the donor gave in."""

    def message(changed, email: str) -> Message:
        language = first.language or current_app.config["BABEL_DEFAULT_LOCALE"]
        state = changed.state
        with force_locale(language):
            name = member_texts(first.organization, language).name
            text = render_template(
                "gifts/mail_amount_changed.txt",
                name=name,
                before=display(changed.before, first.currency, language),
                amount=display(state.amount or 0, first.currency, language),
                date=format_date(state.next_payment_at, "long") if state.next_payment_at else None,
                manage_url=manage_url(first.id),
                portal=current_app.config["PORTAL_NAME"],
            )
            subject = _("Your monthly gift to %(name)s has a new amount", name=name)
        return Message(to=email, subject=subject, text=text, language=language)

    return message
