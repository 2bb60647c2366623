"""PaymentIntent, Charge and Refund objects, and the moves between their states."""

from __future__ import annotations

import secrets

from stripe_sandbox.ids import new_id

DECLINE_MESSAGE = "Your card was declined."


def payment_intent(
    intent_id: str,
    *,
    amount: int,
    currency: str,
    created: int,
    data: dict,
    customer: str | None = None,
) -> dict:
    """A PaymentIntent waiting for a payment method; ``data`` is ``payment_intent_data``."""
    transfer = data.get("transfer_data")
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": data.get("application_fee_amount"),
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{intent_id}_secret_{secrets.token_urlsafe(18)}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": customer,
        "customer_account": None,
        "description": data.get("description"),
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": None,
        "metadata": dict(data.get("metadata", {})),
        "next_action": None,
        "on_behalf_of": data.get("on_behalf_of"),
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": data.get("receipt_email"),
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "source": None,
        "statement_descriptor": data.get("statement_descriptor"),
        "statement_descriptor_suffix": data.get("statement_descriptor_suffix"),
        "status": "requires_payment_method",
        "transfer_data": dict(transfer) if transfer else None,
        # Stripe groups destination charges by the PaymentIntent unless told otherwise.
        "transfer_group": data.get("transfer_group")
        or (f"group_{intent_id}" if transfer else None),
    }


def charge(intent: dict, *, email: str, created: int, status: str) -> dict:
    """A card charge for ``intent`` in ``status`` succeeded, pending or failed."""
    charge_id = new_id("ch_")
    succeeded = status == "succeeded"
    failed = status == "failed"
    transfer = intent["transfer_data"]
    return {
        "id": charge_id,
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"] if succeeded else 0,
        "amount_refunded": 0,
        "application": None,
        # The coalition's share of a destination charge (its ApplicationFee is not modelled).
        "application_fee": new_id("fee_")
        if succeeded and intent["application_fee_amount"]
        else None,
        "application_fee_amount": intent["application_fee_amount"],
        "balance_transaction": new_id("txn_") if succeeded else None,
        "billing_details": {
            "address": _empty_address(),
            "email": email,
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "calculated_statement_descriptor": "PEACE SANDBOX",
        "captured": succeeded,
        "created": created,
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": "card_declined" if failed else None,
        "failure_message": DECLINE_MESSAGE if failed else None,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(intent["metadata"]),
        "on_behalf_of": intent["on_behalf_of"],
        "outcome": _outcome(status),
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": intent["payment_method"],
        "payment_method_details": {"card": _card_details(intent["amount"]), "type": "card"},
        "receipt_email": intent["receipt_email"],
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/charges/{charge_id}/refunds",
        },
        "review": None,
        "shipping": None,
        "source": None,
        "source_transfer": None,
        "statement_descriptor": intent["statement_descriptor"],
        "statement_descriptor_suffix": intent["statement_descriptor_suffix"],
        "status": status,
        "transfer_data": {"amount": transfer.get("amount"), "destination": transfer["destination"]}
        if transfer
        else None,
        "transfer_group": intent["transfer_group"],
    }


def _empty_address() -> dict:
    keys = ("city", "country", "line1", "line2", "postal_code", "state")
    return dict.fromkeys(keys)


def _outcome(status: str) -> dict:
    if status == "failed":
        return {
            "advice_code": "try_again_later",
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "declined_by_network",
            "reason": "generic_decline",
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }
    return {
        "advice_code": None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": "approved_by_network",
        "reason": None,
        "seller_message": "Payment complete.",
        "type": "authorized",
    }


def _card_details(amount: int) -> dict:
    return {
        "amount_authorized": amount,
        "authorization_code": None,
        "brand": "visa",
        "checks": {
            "address_line1_check": None,
            "address_postal_code_check": None,
            "cvc_check": "pass",
        },
        "country": "US",
        "exp_month": 12,
        "exp_year": 2034,
        "extended_authorization": {"status": "disabled"},
        "fingerprint": "SandboxVisa4242",
        "funding": "credit",
        "incremental_authorization": {"status": "unavailable"},
        "installments": None,
        "last4": "4242",
        "mandate": None,
        "multicapture": {"status": "unavailable"},
        "network": "visa",
        "network_token": {"used": False},
        "network_transaction_id": None,
        "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
        "regulated_status": "unregulated",
        "three_d_secure": None,
        "transaction_link_id": None,
        "wallet": None,
    }


def attach_charge(intent: dict, new_charge: dict) -> None:
    """Point the PaymentIntent at its newest charge and take that charge's outcome."""
    intent["latest_charge"] = new_charge["id"]
    intent["payment_method"] = intent["payment_method"] or new_id("pm_")
    new_charge["payment_method"] = intent["payment_method"]
    _settle_intent(intent, new_charge["status"])


def settle_charge(intent: dict, existing: dict, *, succeeded: bool) -> None:
    """Resolve a pending charge, as a bank debit does days later."""
    existing["status"] = "succeeded" if succeeded else "failed"
    existing["paid"] = existing["captured"] = succeeded
    existing["amount_captured"] = existing["amount"] if succeeded else 0
    existing["balance_transaction"] = new_id("txn_") if succeeded else None
    existing["failure_code"] = None if succeeded else "card_declined"
    existing["failure_message"] = None if succeeded else DECLINE_MESSAGE
    existing["outcome"] = _outcome(existing["status"])
    _settle_intent(intent, existing["status"])


def _settle_intent(intent: dict, charge_status: str) -> None:
    if charge_status == "succeeded":
        intent.update(status="succeeded", amount_received=intent["amount"], last_payment_error=None)
    elif charge_status == "pending":
        intent.update(status="processing", last_payment_error=None)
    else:
        intent.update(status="requires_payment_method", last_payment_error=_decline_error(intent))


def _decline_error(intent: dict) -> dict:
    return {
        "charge": intent["latest_charge"],
        "code": "card_declined",
        "decline_code": "generic_decline",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": DECLINE_MESSAGE,
        "type": "card_error",
    }


def refund(refunded: dict, *, created: int) -> dict:
    """A full, succeeded refund of ``refunded`` (a charge)."""
    return {
        "id": new_id("re_"),
        "object": "refund",
        "amount": refunded["amount"] - refunded["amount_refunded"],
        "balance_transaction": new_id("txn_"),
        "charge": refunded["id"],
        "created": created,
        "currency": refunded["currency"],
        "customer": refunded["customer"],
        "customer_account": None,
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "metadata": {},
        "payment_intent": refunded["payment_intent"],
        "payment_method": refunded["payment_method"],
        "reason": None,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }


def apply_refund(refunded: dict, new_refund: dict) -> None:
    """Record a refund on its charge the way Stripe shows it."""
    refunded["amount_refunded"] += new_refund["amount"]
    refunded["refunded"] = refunded["amount_refunded"] >= refunded["amount"]
    refunded["refunds"]["data"].insert(0, new_refund)
