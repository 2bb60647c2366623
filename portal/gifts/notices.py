"""The mail a donor gets about their gift, written in the language they gave in.

``notice_message(kind, donation, email=…, manage_url=…)`` renders one of the ledger's notices
(``"thanks"``, ``"payment_failed"``, ``"refunded"``, ``"cancelled"``) as a ``portal.mail.Message``
for ``portal.mail.queue``. Each says what was given, to whom, who issues the receipt, and
carries the gift's private manage link. Needs an app context (it renders templates).
"""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.donate.links import manage_token
from portal.donate.money import display
from portal.mail import Message
from portal.models import Donation
from portal.texts import member_texts

KINDS = ("thanks", "payment_failed", "refunded", "cancelled")


def manage_url(donation_id: int) -> str:
    """The private link to a gift, for mail (an absolute URL)."""
    token = manage_token(current_app.config["SECRET_KEY"], donation_id)
    return url_for("gifts.enter", token=token, _external=True)


def notice_message(
    kind: str, donation: Donation, *, email: str, first: Donation | None = None, refunded: int = 0
) -> Message:
    """The mail for ``kind`` about ``donation`` (one payment); ``first`` is the gift's first
    payment when ``donation`` is a later month (its language and manage link are the gift's)."""
    if kind not in KINDS:
        raise ValueError(f"no mail for a {kind!r} notice")
    gift = first or donation
    language = gift.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        words = {
            "name": member_texts(donation.organization, language).name,
            "amount": display(donation.amount, donation.currency, language),
            "refunded": display(refunded or donation.amount, donation.currency, language),
            "monthly": donation.frequency == "monthly",
            "manage_url": manage_url(gift.id),
            "portal": current_app.config["PORTAL_NAME"],
        }
        subject = _subject(kind, words)
        text = render_template(f"gifts/mail_{kind}.txt", **words)
    return Message(to=email, subject=subject, text=text, language=language)


def _subject(kind: str, words: dict) -> str:
    name = words["name"]
    if kind == "thanks":
        return _("Thank you for your gift to %(name)s", name=name)
    if kind == "payment_failed":
        return _("Your monthly gift to %(name)s could not be charged", name=name)
    if kind == "refunded":
        return _("Your gift to %(name)s has been refunded", name=name)
    return _("Your monthly gift to %(name)s has ended", name=name)
