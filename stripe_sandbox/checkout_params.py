"""What ``POST /v1/checkout/sessions`` accepts, and Stripe's rules between parameters."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from stripe_sandbox.errors import StripeError, missing_parameter, resource_missing
from stripe_sandbox.objects import line_items_total
from stripe_sandbox.params import (
    array,
    boolean,
    clean_params,
    enum,
    integer,
    metadata,
    obj,
    string,
)

LOCALES = (
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil",
    "fr", "fr-CA", "hi-IN", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb",
    "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK",
    "zh-TW",
)  # fmt: skip

# Real Stripe parameters the sandbox does not model; they get a clear "not implemented"
# answer instead of Stripe's "unknown parameter", which would be a false statement.
_UNSUPPORTED = (
    "adaptive_pricing", "after_expiration", "allowed_payment_method_types", "automatic_tax",
    "branding_settings", "consent_collection", "currency", "custom_fields", "customer",
    "customer_account", "customer_update", "discounts", "excluded_payment_method_types",
    "integration_identifier", "invoice_creation", "managed_payments", "name_collection",
    "optional_items", "origin_context", "payment_method_collection",
    "payment_method_configuration", "payment_method_data", "payment_method_options",
    "permissions", "redirect_on_completion", "return_url", "saved_payment_method_options",
    "setup_intent_data", "shipping_address_collection", "shipping_options",
    "tax_id_collection", "wallet_options",
)  # fmt: skip

_PRODUCT_DATA = obj(
    {"name": string(), "description": string(), "metadata": metadata()},
    required=("name",),
    unsupported=("images", "tax_code", "unit_label"),
)
_RECURRING = obj(
    {"interval": enum("day", "week", "month", "year"), "interval_count": integer()},
    required=("interval",),
)
_PRICE_DATA = obj(
    {
        "currency": string(),
        "product": string(),
        "product_data": _PRODUCT_DATA,
        "unit_amount": integer(),
        "recurring": _RECURRING,
    },
    required=("currency",),
    unsupported=("tax_behavior", "unit_amount_decimal"),
)
_LINE_ITEM = obj(
    {"price": string(), "price_data": _PRICE_DATA, "quantity": integer()},
    unsupported=("adjustable_quantity", "dynamic_tax_rates", "metadata", "tax_rates"),
)
_MESSAGE = obj({"message": string()}, required=("message",), emptiable=True)
_PI_TRANSFER = obj({"destination": string(), "amount": integer()}, required=("destination",))
_SUB_TRANSFER = obj(
    {"destination": string(), "amount_percent": integer()}, required=("destination",)
)
_COMMON_DATA = {"metadata": metadata(), "description": string(), "on_behalf_of": string()}

SESSION_CREATE = obj(
    {
        "mode": enum("payment", "setup", "subscription"),
        "submit_type": enum("auto", "book", "donate", "pay", "subscribe"),
        "line_items": array(_LINE_ITEM),
        "client_reference_id": string(),
        "metadata": metadata(),
        "success_url": string(),
        "cancel_url": string(),
        "customer_email": string(),
        "customer_creation": enum("always", "if_required"),
        "locale": enum(*LOCALES),
        "expires_at": integer(),
        "billing_address_collection": enum("auto", "required"),
        "allow_promotion_codes": boolean(),
        "phone_number_collection": obj({"enabled": boolean()}, required=("enabled",)),
        "payment_method_types": array(enum("card")),
        "ui_mode": enum("hosted_page"),
        "expand": array(string()),
        "custom_text": obj(
            {
                "after_submit": _MESSAGE,
                "shipping_address": _MESSAGE,
                "submit": _MESSAGE,
                "terms_of_service_acceptance": _MESSAGE,
            }
        ),
        "payment_intent_data": obj(
            {
                **_COMMON_DATA,
                "receipt_email": string(),
                "statement_descriptor": string(),
                "statement_descriptor_suffix": string(),
                "transfer_group": string(),
                "transfer_data": _PI_TRANSFER,
                "application_fee_amount": integer(),
            },
            unsupported=("capture_method", "setup_future_usage"),
        ),
        "subscription_data": obj(
            {
                **_COMMON_DATA,
                "transfer_data": _SUB_TRANSFER,
                "application_fee_percent": string(),
            },
            unsupported=("billing_cycle_anchor", "trial_period_days"),
        ),
    },
    unsupported=_UNSUPPORTED,
)

EXPAND_ONLY = obj({"expand": array(string())})

# Stripe's documented minimum charge amounts (in minor units) for common currencies.
_MINIMUM_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "chf": 50, "jpy": 50}
_SUBMIT_TYPES = {
    "payment": ("auto", "book", "donate", "pay"),
    "subscription": ("auto", "donate", "pay", "subscribe"),
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_MIN_LIFETIME = 30 * 60
_MAX_LIFETIME = 24 * 60 * 60


def validate_session_create(params: dict, *, created: int) -> dict:
    """Return cleaned create parameters, or raise the error Stripe would give."""
    cleaned = clean_params(SESSION_CREATE, params)
    mode = _check_mode(cleaned)
    items = cleaned.get("line_items") or []
    if not items:
        raise StripeError(
            "`line_items` is required in `payment` and `subscription` mode.",
            code="parameter_missing",
            param="line_items",
        )
    for index, item in enumerate(items):
        _check_line_item(item, f"line_items[{index}]", mode)
    _check_mode_rules(cleaned, mode)
    _check_currency_and_amount(cleaned, mode)
    _check_urls_and_email(cleaned)
    _check_expiry(cleaned, created)
    return cleaned


def _check_mode(cleaned: dict) -> str:
    mode = cleaned.get("mode")
    if mode is None:
        raise missing_parameter("mode")
    if mode == "setup":
        raise StripeError("The Stripe sandbox does not implement `setup` mode.", param="mode")
    return mode


def _check_line_item(item: dict, name: str, mode: str) -> None:
    if "price" in item:
        raise resource_missing("price", item["price"], param=f"{name}[price]")
    if "price_data" not in item:
        raise StripeError(
            f"You must specify either `price` or `price_data` in `{name}`.", param=name
        )
    if "quantity" not in item:
        raise missing_parameter(f"{name}[quantity]")
    if item["quantity"] < 1:
        raise StripeError(
            "This value must be greater than or equal to 1.", param=f"{name}[quantity]"
        )
    _check_price_data(item["price_data"], f"{name}[price_data]")
    if mode == "payment" and "recurring" in item["price_data"]:
        raise StripeError(
            "You specified `payment` mode but passed a recurring price. Either switch to "
            "`subscription` mode or use only one-time prices.",
            param=name,
        )


def _check_price_data(data: dict, name: str) -> None:
    if "product" in data:
        raise resource_missing("product", data["product"], param=f"{name}[product]")
    if "product_data" not in data:
        raise StripeError(
            f"You must specify either `product` or `product_data` in `{name}`.", param=name
        )
    if "unit_amount" not in data:
        raise missing_parameter(f"{name}[unit_amount]")
    if not 0 <= data["unit_amount"] <= 99_999_999:
        raise StripeError(
            "This value must be between 0 and 99999999.", param=f"{name}[unit_amount]"
        )
    if not re.fullmatch(r"[A-Za-z]{3}", data["currency"]):
        raise StripeError(f"Invalid currency: {data['currency']}", param=f"{name}[currency]")
    data["currency"] = data["currency"].lower()
    if data.get("recurring", {}).get("interval_count", 1) < 1:
        raise StripeError(
            "This value must be greater than or equal to 1.",
            param=f"{name}[recurring][interval_count]",
        )


def _check_mode_rules(cleaned: dict, mode: str) -> None:
    other_data = "subscription_data" if mode == "payment" else "payment_intent_data"
    if other_data in cleaned:
        raise StripeError(f"You can not pass `{other_data}` in `{mode}` mode.", param=other_data)
    if mode == "subscription" and "customer_creation" in cleaned:
        raise StripeError(
            "`customer_creation` can only be used in `payment` mode.", param="customer_creation"
        )
    submit_type = cleaned.get("submit_type")
    if submit_type is not None and submit_type not in _SUBMIT_TYPES[mode]:
        raise StripeError(
            f"`submit_type={submit_type}` is not supported in `{mode}` mode.", param="submit_type"
        )
    if mode == "subscription":
        _check_recurring(cleaned["line_items"])
    _check_application_fee(cleaned)
    for key in ("payment_intent_data", "subscription_data"):
        destination = cleaned.get(key, {}).get("transfer_data", {}).get("destination")
        if destination is not None and not destination.startswith("acct_"):
            raise resource_missing(
                "destination", destination, param=f"{key}[transfer_data][destination]"
            )


def _check_recurring(items: list[dict]) -> None:
    cycles = {
        (
            item["price_data"]["recurring"]["interval"],
            item["price_data"]["recurring"].get("interval_count", 1),
        )
        for item in items
        if "recurring" in item["price_data"]
    }
    if not cycles:
        raise StripeError(
            "You must provide at least one recurring price in `subscription` "
            "mode when using prices.",
            param="line_items",
        )
    if len(cycles) > 1:
        raise StripeError(
            "Checkout does not support multiple prices with different billing intervals.",
            param="line_items",
        )


def _check_currency_and_amount(cleaned: dict, mode: str) -> None:
    currencies = {item["price_data"]["currency"] for item in cleaned["line_items"]}
    if len(currencies) > 1:
        raise StripeError("Checkout does not support multiple currencies.", param="line_items")
    currency = currencies.pop()
    total = sum(
        item["price_data"]["unit_amount"] * item["quantity"] for item in cleaned["line_items"]
    )
    minimum = _MINIMUM_AMOUNT.get(currency, 0)
    if mode == "payment" and total < minimum:
        raise StripeError(
            "The Checkout Session's total amount due must add up to at least "
            f"{minimum} ({currency}, in the smallest currency unit).",
            param="line_items",
        )


def _check_urls_and_email(cleaned: dict) -> None:
    for key in ("success_url", "cancel_url"):
        if key in cleaned:
            parts = urlsplit(cleaned[key])
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise StripeError("Not a valid URL", param=key)
    email = cleaned.get("customer_email")
    if email is not None and not _EMAIL.match(email):
        raise StripeError(f"Invalid email address: {email}", param="customer_email")
    reference = cleaned.get("client_reference_id", "")
    if len(reference) > 200:
        raise StripeError(
            "Invalid string: client_reference_id must be at most 200 characters",
            param="client_reference_id",
        )


def _check_expiry(cleaned: dict, created: int) -> None:
    expires_at = cleaned.get("expires_at")
    if expires_at is None:
        return
    if expires_at < created + _MIN_LIFETIME:
        raise StripeError(
            "The `expires_at` timestamp must be at least 30 minutes from Checkout "
            "Session creation.",
            param="expires_at",
        )
    if expires_at > created + _MAX_LIFETIME:
        raise StripeError(
            "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
            param="expires_at",
        )


_PERCENT = re.compile(r"\d{1,3}(\.\d{1,2})?\Z")


def _check_application_fee(cleaned: dict) -> None:
    """Application fees need a connected account, and cannot exceed what is charged."""
    for key, fee in (
        ("payment_intent_data", "application_fee_amount"),
        ("subscription_data", "application_fee_percent"),
    ):
        data = cleaned.get(key, {})
        if fee not in data:
            continue
        param = f"{key}[{fee}]"
        if "transfer_data" not in data and "on_behalf_of" not in data:
            raise StripeError(
                f"Can only apply an {fee} when the payment goes to a connected account "
                "(`transfer_data[destination]` or `on_behalf_of`).",
                param=param,
            )
        if fee == "application_fee_percent":
            if not _PERCENT.match(data[fee]) or float(data[fee]) > 100:
                raise StripeError("Invalid decimal: a percentage from 0 to 100.", param=param)
            data[fee] = float(data[fee])
        elif not 0 <= data[fee] <= line_items_total(cleaned["line_items"]):
            raise StripeError(
                "The application fee cannot be more than the amount charged.", param=param
            )
