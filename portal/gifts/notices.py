"""The mail a donor gets about their gift, written in the language they gave in.

``notice_message(kind, donation, email=…)`` renders one of the ledger's notices (``"thanks"``,
``"payment_failed"``, ``"refunded"``, ``"cancelled"``) as a ``portal.mail.Message``. Each says
what was given, to whom, who issues the receipt, and carries the gift's private manage link.
``queue_notices`` turns the notices a ledger store collected while applying one event into
outbox rows in that same transaction: drafts (``portal.mail.Draft``) holding only the values
the mail is written from, so that the ledger's write lock never waits for templates, money
formats or signed links; the mail sender writes them with ``NoticeRenderer`` just before sending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from types import SimpleNamespace
from weakref import WeakKeyDictionary

from babel.lists import format_list
from flask import current_app, has_request_context, url_for
from flask.globals import app_ctx, request_ctx
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from portal.db.session import get_session
from portal.donate.links import manage_token
from portal.donate.money import display
from portal.mail import Draft, Message, queue
from portal.mail.outbox import CursorOutbox
from portal.models import Basket, Organization
from portal.texts import member_texts

log = logging.getLogger(__name__)

KINDS = ("thanks", "payment_failed", "refunded", "cancelled")
RENDERER = "gift_notice"  # the mail sender's name for ``NoticeRenderer``
_SLOT = "0"  # stands for the token in a link built to learn its start
# URL adapter -> its manage links' start; an adapter made for one request goes with it.
_PREFIXES: WeakKeyDictionary = WeakKeyDictionary()


def manage_url(donation_id: int) -> str:
    """The private link to a gift, for mail (an absolute URL)."""
    token = manage_token(current_app.config["SECRET_KEY"], donation_id)
    return url_for("gifts.enter", token=token, _external=True)


def manage_url_prefix() -> str:
    """What a gift's private link starts with, for the host this request (or ``SERVER_NAME``)
    names: the link is this and the gift's token.

    Kept for each URL adapter Flask builds links with (the webhook's door keeps one a host):
    building the link took ~40 µs of every delivery that queued a notice."""
    context = request_ctx if has_request_context() else app_ctx
    adapter = context.url_adapter
    if adapter is None:
        return _built_prefix()  # Flask says why no link can be built here
    prefix = _PREFIXES.get(adapter)
    if prefix is None:
        prefix = _PREFIXES[adapter] = _built_prefix()
    return prefix


def _built_prefix() -> str:
    return url_for("gifts.enter", token=_SLOT, _external=True).removesuffix(_SLOT)


def notice_message(
    kind: str,
    donation,
    *,
    email: str,
    first=None,
    organization: Organization | None = None,
    refunded: int = 0,
    link_prefix: str | None = None,
    name: str | None = None,
) -> Message:
    """The mail for ``kind`` about ``donation`` (one payment: a ``Donation`` or its values).
    ``first`` is the gift's first payment when ``donation`` is a later month (the gift's
    language and manage link are its); ``organization`` the recipient when ``donation`` is
    bare values; ``link_prefix`` what the manage link starts with (``manage_url_prefix``), when
    there is no request to build it for; ``name`` who the gift is for, when already known."""
    if kind not in KINDS:
        raise ValueError(f"no mail for a {kind!r} notice")
    gift = first or donation
    language = gift.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    if link_prefix is None:
        link = manage_url(gift.id)
    else:
        link = link_prefix + manage_token(current_app.config["SECRET_KEY"], gift.id)
    with force_locale(language):
        words = {
            "name": name or _recipients(gift, organization or donation.organization, language),
            "amount": display(donation.amount, donation.currency, language),
            "monthly": str(donation.frequency) == "monthly",
            "basket": getattr(gift, "basket_id", None) is not None,  # its amount is fixed
            "manage_url": link,
            "portal": current_app.config["PORTAL_NAME"],
        }
        if kind == "refunded":
            words["refunded"] = display(refunded or donation.amount, donation.currency, language)
        subject = _subject(kind, words)
        # The template alone: a mail needs none of the page context (signed-in user, banners).
        template = current_app.jinja_env.get_template(f"gifts/mail_{kind}.txt")
        text = template.render(words, gettext=_catalogue_gettext(get_translations()))
    return Message(to=email, subject=subject, text=text, language=language)


def _catalogue_gettext(translations):
    """The templates' ``_`` (jinja's newstyle gettext over Flask-Babel's, never autoescaped in
    a text mail) with the language's catalogue looked up once a mail, not once a sentence."""
    return lambda string, **variables: translations.ugettext(string) % variables


class NoticeRenderer:
    """Writes the mail of a notice queued as a draft by ``queue_notices``: the mail sender calls
    it in its own session (the row's recipient is the address). One per app.

    Who a gift is for (a recipient's name in the donor's language, or a basket's members) is
    kept for ``NAMES_KEPT_SECONDS``: a campaign's thank-yous name the same few recipients, and
    reading a recipient with its texts cost the sender more than writing the mail. A renamed
    member reads its new name in the mail within that time."""

    NAMES_KEPT_SECONDS = 60.0
    _MOST_NAMES = 1024

    def __init__(self) -> None:
        self._names: dict[tuple, tuple[str, float]] = {}

    def __call__(self, session: Session, values: dict) -> Message:
        gift = SimpleNamespace(
            id=values["gift"], language=values["language"], basket_id=values["basket"]
        )
        payment = SimpleNamespace(
            amount=values["amount"], currency=values["currency"], frequency=values["frequency"]
        )
        return notice_message(
            values["kind"],
            payment,
            email="",
            first=gift,
            refunded=values["refunded"],
            link_prefix=values["link"],
            name=self._name(session, gift, values["organization"]),
        )

    def _name(self, session: Session, gift, organization_id: int) -> str:
        key = (gift.basket_id, organization_id if gift.basket_id is None else None, gift.language)
        now = time.monotonic()
        kept = self._names.get(key)
        if kept is not None and kept[1] > now:
            return kept[0]
        organization = session.get(Organization, organization_id)
        if organization is None:
            raise LookupError(f"no recipient {organization_id}")
        name = _recipients(gift, organization, gift.language, session)
        if len(self._names) >= self._MOST_NAMES:
            self._names.clear()
        self._names[key] = (name, now + self.NAMES_KEPT_SECONDS)
        return name


def _recipients(gift, org: Organization, language: str, session: Session | None = None) -> str:
    """Who the gift is for: the recipient, or a basket's members ("A, B and C")."""
    basket_id = getattr(gift, "basket_id", None)
    if basket_id is None:
        return member_texts(org, language).name
    lines = (session or get_session()).get(Basket, basket_id).lines
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


def queue_notices(store, event_object: dict, put: Callable[[str, Draft], None]) -> int:
    """Queue a mail for each of ``store.notices`` through ``put(key, draft)``, in the ledger's
    transaction; returns how many. A notice whose event carries no address (a subscription's
    end, a refund object) goes to the address kept from the gift's earlier events; a
    cancellation through the manage link or the console mails its own confirmation."""
    seen = donor_email(event_object)
    queued = 0
    prefix = None
    for notice in store.notices:
        donation = store.donation("id", notice.donation_id)
        if donation is None:
            continue
        subscription = getattr(donation, "stripe_subscription_id", None)
        first = (store.donation("subscription", subscription) if subscription else None) or donation
        email = _address(first, seen)
        if not email:
            continue
        kind = str(notice.kind)
        language = first.language or current_app.config["BABEL_DEFAULT_LOCALE"]
        prefix = prefix or manage_url_prefix()
        values = {
            "kind": kind,
            "gift": first.id,
            "language": language,
            "basket": getattr(first, "basket_id", None),
            "organization": donation.organization_id,
            "amount": donation.amount,
            "currency": donation.currency,
            "frequency": str(donation.frequency),
            "refunded": store.refunded(donation.id) if kind == "refunded" else 0,
            "link": prefix,
        }
        put(notice.outbox_key, Draft(to=email, renderer=RENDERER, values=values, language=language))
        queued += 1
    return queued


class LedgerMail:
    """The ledger writer's notices as mail, queued on the writer's own cursor (same
    transaction as the ledger change). Trouble is logged and never loses the change."""

    def __init__(self, dialect) -> None:
        self._outbox = CursorOutbox(dialect)

    def __call__(self, store, cursor, event: dict) -> int:
        return _guarded(store, event, lambda key, draft: self._outbox.queue(cursor, key, draft))


def session_mail(session):
    """The same for a ledger store on an ORM session (the thanks page, reconcile-stripe)."""
    return lambda store, event: _guarded(
        store, event, lambda key, draft: queue(session, key, draft)
    )


def _address(first, seen: str | None) -> str | None:
    """The address this event carries, else the one the gift's checkout left on its first
    payment (``contact_email``) for the notices whose events carry none, like a refund."""
    return seen or getattr(first, "contact_email", None)


def _guarded(store, event: dict, put) -> int:
    if not store.notices:
        return 0
    obj = event["data"]["object"] if "data" in event else event
    try:
        return queue_notices(store, obj, put)
    except (LookupError, TypeError, ValueError, RuntimeError) as error:
        # A lookup bug must not refuse Stripe's event: the ledger is the truth.
        log.exception("mail for %s not queued: %s", event.get("id"), error)
        return 0


def _subject(kind: str, words: dict) -> str:
    name = words["name"]
    if kind == "thanks":
        return _("Thank you for your gift to %(name)s", name=name)
    if kind == "payment_failed":
        return _("Your monthly gift to %(name)s could not be charged", name=name)
    if kind == "refunded":
        return _("Your gift to %(name)s has been refunded", name=name)
    return _("Your monthly gift to %(name)s has ended", name=name)
