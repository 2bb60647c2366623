"""The mail a donor gets about their gift, written in the language they gave in.

``notice_message(kind, donation, email=…)`` renders one of the ledger's notices (``"thanks"``,
``"payment_failed"``, ``"refunded"``, ``"cancelled"``) as a ``portal.mail.Message``. Each says
what was given, to whom, who issues the receipt, and carries the gift's private manage link.
``queue_notices`` turns the notices a ledger store collected while applying one event into
outbox rows in that same transaction. Needs an app context (it renders templates).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from babel.lists import format_list
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from portal.db.fastpath import Prepared
from portal.db.session import get_session
from portal.donate.links import manage_token
from portal.donate.money import display
from portal.mail import Message, queue
from portal.mail.outbox import CursorOutbox
from portal.models import TRANSLATED_FIELDS, Basket, Organization, OrganizationText
from portal.texts import member_texts

log = logging.getLogger(__name__)

KINDS = ("thanks", "payment_failed", "refunded", "cancelled")


def manage_url(donation_id: int) -> str:
    """The private link to a gift, for mail (an absolute URL)."""
    token = manage_token(current_app.config["SECRET_KEY"], donation_id)
    return url_for("gifts.enter", token=token, _external=True)


def notice_message(
    kind: str,
    donation,
    *,
    email: str,
    first=None,
    organization: Organization | RecipientTexts | None = None,
    refunded: int = 0,
) -> Message:
    """The mail for ``kind`` about ``donation`` (one payment: a ``Donation`` or a row read by
    the ledger's cursor). ``first`` is the gift's first payment when ``donation`` is a later
    month (the gift's language and manage link are its); ``organization`` the recipient when
    ``donation`` is a bare row."""
    if kind not in KINDS:
        raise ValueError(f"no mail for a {kind!r} notice")
    gift = first or donation
    org = organization or donation.organization  # an Organization, or its RecipientTexts
    language = gift.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):
        words = {
            "name": _recipients(gift, org, language),
            "amount": display(donation.amount, donation.currency, language),
            "monthly": str(donation.frequency) == "monthly",
            "basket": getattr(gift, "basket_id", None) is not None,  # its amount is fixed
            "manage_url": manage_url(gift.id),
            "portal": current_app.config["PORTAL_NAME"],
        }
        if kind == "refunded":
            words["refunded"] = display(refunded or donation.amount, donation.currency, language)
        subject = _subject(kind, words)
        # The template alone: a mail needs none of the page context (signed-in user, banners).
        text = current_app.jinja_env.get_template(f"gifts/mail_{kind}.txt").render(words)
    return Message(to=email, subject=subject, text=text, language=language)


def _recipients(gift, org: Organization | RecipientTexts, language: str) -> str:
    """Who the gift is for: the recipient, or a basket's members ("A, B and C")."""
    basket_id = getattr(gift, "basket_id", None)
    if basket_id is None:
        return member_texts(org, language).name
    lines = get_session().get(Basket, basket_id).lines
    names = [member_texts(line.organization, language).name for line in lines]
    return format_list(names, locale=language)


def donor_email(obj: dict) -> str | None:
    """The donor's address in a Stripe object, where Stripe puts one (Checkout, invoice, charge)."""
    return (
        (obj.get("customer_details") or {}).get("email")
        or obj.get("customer_email")
        or (obj.get("billing_details") or {}).get("email")
        or obj.get("receipt_email")
    )


def queue_notices(
    store, event_object: dict, put: Callable[[str, Message], None], organization
) -> int:
    """Queue a mail for each of ``store.notices`` through ``put(key, message)``, in the
    ledger's transaction; returns how many. A notice whose event carries no address (a
    subscription's end, a refund object) goes to the address kept from the gift's earlier
    events; a cancellation through the manage link or the console mails its own confirmation."""
    seen = donor_email(event_object)
    queued = 0
    for notice in store.notices:
        donation = store.donation("id", notice.donation_id)
        if donation is None:
            continue
        subscription = getattr(donation, "stripe_subscription_id", None)
        first = (store.donation("subscription", subscription) if subscription else None) or donation
        email = _address(first, seen)
        if not email:
            continue
        refunded = store.refunded(donation.id) if str(notice.kind) == "refunded" else 0
        message = notice_message(
            str(notice.kind),
            donation,
            email=email,
            first=first,
            organization=organization(donation.organization_id),
            refunded=refunded,
        )
        put(notice.outbox_key, message)
        queued += 1
    return queued


class LedgerMail:
    """The ledger writer's notices as mail, queued on the writer's own cursor (same
    transaction as the ledger change). Rendering trouble is logged and never loses the change.

    The recipient's texts are read on that cursor too, with statements compiled once: loading
    the ``Organization`` through an ORM session cost the webhook more than the ledger did."""

    def __init__(self, dialect) -> None:
        self._outbox = CursorOutbox(dialect)
        self._texts = CursorRecipientTexts(dialect)

    def __call__(self, store, cursor, event: dict) -> int:
        return _guarded(
            store,
            event,
            lambda key, message: self._outbox.queue(cursor, key, message),
            lambda organization_id: self._texts.read(cursor, organization_id),
        )


def session_mail(session):
    """The same for a ledger store on an ORM session (the thanks page, reconcile-stripe)."""
    return lambda store, event: _guarded(
        store, event, lambda key, message: queue(session, key, message), _organization
    )


class RecipientTexts:
    """What ``member_texts`` reads of a recipient (its texts in every language), as plain rows."""

    def __init__(self, original, translations: dict) -> None:
        self._original = original
        self._translations = translations
        self.original_language = original.original_language

    def text_in(self, field: str, language: str) -> str:
        """As ``Organization.text_in``."""
        version = (
            self._original
            if language == self.original_language
            else self._translations.get(language)
        )
        return (getattr(version, field) or "") if version is not None else ""


class CursorRecipientTexts:
    """``RecipientTexts`` read on a DBAPI cursor, through two statements compiled once."""

    def __init__(self, dialect) -> None:
        orgs, texts = Organization.__table__, OrganizationText.__table__
        fields = [*TRANSLATED_FIELDS, "original_language"]
        self._original = Prepared(
            select(*(orgs.c[name] for name in fields)).where(orgs.c.id == bindparam("org")),
            dialect,
        )
        self._translations = Prepared(
            select(texts.c.language, *(texts.c[name] for name in TRANSLATED_FIELDS)).where(
                texts.c.organization_id == bindparam("org")
            ),
            dialect,
        )

    def read(self, cursor, organization_id: int) -> RecipientTexts:
        original = self._original.first(cursor, org=organization_id)
        if original is None:
            raise LookupError(f"no recipient {organization_id}")
        rows = self._translations.all(cursor, org=organization_id)
        return RecipientTexts(original, {row.language: row for row in rows})


def _address(first, seen: str | None) -> str | None:
    """The address this event carries, else the one the gift's checkout left on its first
    payment (``contact_email``) for the notices whose events carry none, like a refund."""
    return seen or getattr(first, "contact_email", None)


def _guarded(store, event: dict, put, organization) -> int:
    if not store.notices:
        return 0
    obj = event["data"]["object"] if "data" in event else event
    try:
        return queue_notices(store, obj, put, organization)
    except (LookupError, TypeError, ValueError, RuntimeError) as error:
        # A template or lookup bug must not refuse Stripe's event: the ledger is the truth.
        log.exception("mail for %s not queued: %s", event.get("id"), error)
        return 0


def _organization(organization_id: int) -> Organization:
    return get_session().get(Organization, organization_id)


def _subject(kind: str, words: dict) -> str:
    name = words["name"]
    if kind == "thanks":
        return _("Thank you for your gift to %(name)s", name=name)
    if kind == "payment_failed":
        return _("Your monthly gift to %(name)s could not be charged", name=name)
    if kind == "refunded":
        return _("Your gift to %(name)s has been refunded", name=name)
    return _("Your monthly gift to %(name)s has ended", name=name)
