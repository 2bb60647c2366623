"""Refunds: ``POST /v1/refunds`` (full or partial, of a PaymentIntent or a Charge), and a
refund that fails later, as one to a closed card does."""

from __future__ import annotations

import copy

from stripe_sandbox import payments, transfers
from stripe_sandbox.errors import StripeError, exclusive_parameters
from stripe_sandbox.ids import now
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
from stripe_sandbox.state import NO_REQUEST, Sandbox

REFUND_CREATE = obj(
    {
        "payment_intent": string(),
        "charge": string(),
        "amount": integer(),
        "reason": enum("duplicate", "fraudulent", "requested_by_customer"),
        "metadata": metadata(),
        "reverse_transfer": boolean(),
        "refund_application_fee": boolean(),
        "expand": array(string()),
    },
    unsupported=("instructions_email", "origin", "customer"),
)
FAILURE_REASONS = ("expired_or_canceled_card", "lost_or_stolen_card", "unknown")


def create(sandbox: Sandbox, params: dict, request=NO_REQUEST) -> dict:
    """Refund a succeeded charge in full or in part: ``refund.created``, ``charge.refunded``."""
    cleaned = clean_params(REFUND_CREATE, params)
    with sandbox.store.lock:
        charge = _charge_to_refund(sandbox, cleaned)
        connect = {key: cleaned.get(key, False) for key in _CONNECT}
        if any(connect.values()) and not charge["transfer_data"]:
            name = next(key for key in _CONNECT if connect[key])
            raise StripeError(
                f"{name} can only be used with a destination charge; {charge['id']} has no "
                "transfer_data.",
                param=name,
            )
        refunded = refund_charge(
            sandbox,
            charge,
            amount=cleaned.get("amount"),
            reason=cleaned.get("reason"),
            metadata=cleaned.get("metadata") or {},
            request=request,
            reverse=(lambda new: _reverse_transfer(sandbox, charge, new, request))
            if connect["reverse_transfer"]
            else None,
        )
        if connect["refund_application_fee"] and charge["application_fee_amount"]:
            # Proportionally, as Stripe does; the ApplicationFee object is not modelled.
            fee = charge["application_fee_amount"] * refunded["amount"] // charge["amount"]
            kept = sandbox.store.private.setdefault(charge["id"], {})
            kept["fee_refunded"] = kept.get("fee_refunded", 0) + fee
        return refunded


_CONNECT = ("reverse_transfer", "refund_application_fee")


def _reverse_transfer(sandbox: Sandbox, charge: dict, refunded: dict, request) -> None:
    """Take the refunded share of a destination charge back from its connected account."""
    transfer = transfers.destination_transfer(sandbox, charge)
    share = transfer["amount"] * refunded["amount"] // charge["amount"]
    share = min(share, transfer["amount"] - transfer["amount_reversed"])
    if share <= 0:
        return
    reversal = transfers.reversal_of(
        sandbox, transfer, share, metadata={}, request=request, source_refund=refunded["id"]
    )
    refunded["transfer_reversal"] = reversal["id"]


def refund_charge(
    sandbox: Sandbox,
    charge: dict,
    *,
    amount: int | None = None,
    reason: str | None = None,
    metadata: dict | None = None,
    request=NO_REQUEST,
    reverse=None,
) -> dict:
    """Refund ``charge`` (held under the store lock by the caller); returns the refund.
    ``reverse(refund)`` takes a destination charge's share back before the refund's events."""
    remaining = charge["amount"] - charge["amount_refunded"]
    if charge["disputed"]:
        raise StripeError(
            f"Charge {charge['id']} has been charged back; cannot issue a refund.",
            code="charge_disputed",
            param="charge",
        )
    if charge["refunded"] or remaining <= 0:
        raise StripeError(
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
            param="charge",
        )
    amount = remaining if amount is None else amount
    if amount <= 0:
        raise StripeError("Refund amount must be positive.", param="amount")
    if amount > remaining:
        raise StripeError(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            code="amount_too_large",
            param="amount",
        )
    new_refund = payments.refund(charge, created=now())
    new_refund.update(amount=amount, reason=reason, metadata=dict(metadata or {}))
    sandbox.store.add(new_refund)
    if reverse is not None:
        reverse(new_refund)
    payments.apply_refund(charge, copy.deepcopy(new_refund))
    sandbox.emit("refund.created", new_refund, request=request)
    sandbox.emit("charge.refunded", charge, request=request)
    return new_refund


def fail(sandbox: Sandbox, refund_id: str, reason: str = "expired_or_canceled_card") -> dict:
    """A succeeded refund fails and its money returns: ``refund.updated``,
    ``charge.refund.updated`` (the same refund, as Stripe also sends it), ``refund.failed``."""
    if reason not in FAILURE_REASONS:
        raise StripeError(f"reason must be one of {', '.join(FAILURE_REASONS)}", param="reason")
    with sandbox.store.lock:
        found = sandbox.store.require("refund", refund_id, "refund")
        if found["status"] not in ("pending", "succeeded"):
            raise StripeError(f"Refund {refund_id} is {found['status']}.", param="refund")
        # Stripe also sets ``failure_reason`` and ``failure_balance_transaction`` on a failed
        # refund; fixtures3.json lists neither, so the sandbox keeps to the fixture's fields.
        found["status"] = "failed"
        charge = sandbox.store.require("charge", found["charge"])
        charge["amount_refunded"] -= found["amount"]
        charge["refunded"] = False
        for listed in charge["refunds"]["data"]:
            if listed["id"] == refund_id:
                listed.update(copy.deepcopy(found))
        sandbox.emit("refund.updated", found)
        sandbox.emit("charge.refund.updated", found)
        sandbox.emit("refund.failed", found)
        return found


def _charge_to_refund(sandbox: Sandbox, cleaned: dict) -> dict:
    if "payment_intent" in cleaned and "charge" in cleaned:
        raise exclusive_parameters("charge", "payment_intent")
    if "charge" in cleaned:
        return _succeeded(sandbox.store.require("charge", cleaned["charge"], "charge"))
    if "payment_intent" not in cleaned:
        raise StripeError(
            "One of the following params should be provided for this request: payment_intent "
            "or charge.",
            code="parameter_missing",
        )
    intent = sandbox.store.require("payment_intent", cleaned["payment_intent"], "payment_intent")
    if intent["latest_charge"] is None:
        raise StripeError(
            f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
            code="charge_not_refundable",
            param="payment_intent",
        )
    return _succeeded(sandbox.store.require("charge", intent["latest_charge"]))


def _succeeded(charge: dict) -> dict:
    if charge["status"] != "succeeded":
        raise StripeError(
            f"Charge {charge['id']} has not succeeded and cannot be refunded.",
            code="charge_not_refundable",
            param="charge",
        )
    return charge
