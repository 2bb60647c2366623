"""Connect transfers: ``POST /v1/transfers`` and ``POST /v1/transfers/{id}/reversals``.

The platform pays a connected account from a charge it collected (``source_transaction``) and
takes money back with a reversal, in Stripe's object shapes: ``transfer`` with its
``reversals`` list, and ``transfer_reversal``. Emits ``transfer.created`` and
``transfer.reversed``.
"""

from __future__ import annotations

import copy

from stripe_sandbox.errors import StripeError, resource_missing
from stripe_sandbox.ids import new_id, now
from stripe_sandbox.params import array, clean_params, integer, metadata, obj, string
from stripe_sandbox.state import NO_REQUEST, Sandbox

TRANSFER_CREATE = obj(
    {
        "amount": integer(),
        "currency": string(),
        "destination": string(),
        "source_transaction": string(),
        "transfer_group": string(),
        "description": string(),
        "metadata": metadata(),
        "expand": array(string()),
    },
    required=("currency", "destination"),
    unsupported=("source_type",),
)
REVERSAL_CREATE = obj(
    {
        "amount": integer(),
        "description": string(),
        "metadata": metadata(),
        "expand": array(string()),
    },
    unsupported=("refund_application_fee",),
)


def create(sandbox: Sandbox, params: dict, request=NO_REQUEST) -> dict:
    """A transfer to a connected account, checked against its source charge if it names one."""
    cleaned = clean_params(TRANSFER_CREATE, params)
    amount = cleaned.get("amount")
    if amount is None or amount <= 0:
        raise StripeError("Invalid positive integer", param="amount")
    destination = cleaned["destination"]
    if not destination.startswith("acct_"):
        raise resource_missing("account", destination, "destination")
    with sandbox.store.lock:
        source = cleaned.get("source_transaction")
        if source is not None:
            _check_source(sandbox, source, amount, cleaned["currency"].lower())
        transfer = _transfer(cleaned, amount)
        sandbox.store.add(transfer)
        sandbox.emit("transfer.created", transfer, request=request)
        return copy.deepcopy(transfer)


def reverse(sandbox: Sandbox, transfer_id: str, params: dict, request=NO_REQUEST) -> dict:
    """Take back all or part of what is left of a transfer."""
    cleaned = clean_params(REVERSAL_CREATE, params)
    with sandbox.store.lock:
        transfer = sandbox.store.require("transfer", transfer_id, "id")
        left = transfer["amount"] - transfer["amount_reversed"]
        return reversal_of(
            sandbox,
            transfer,
            cleaned.get("amount", left),
            metadata=cleaned.get("metadata") or {},
            request=request,
        )


def destination_transfer(sandbox: Sandbox, charge: dict) -> dict:
    """The transfer of a destination charge to its connected account (the caller holds the
    store lock). Stripe makes it when the charge succeeds; the sandbox when it is first needed,
    without ``transfer.created``."""
    destination = charge["transfer_data"]["destination"]
    made = [t for t in for_source(sandbox, charge["id"]) if t["destination"] == destination]
    if made:
        return made[0]
    details = {
        "currency": charge["currency"],
        "destination": destination,
        "source_transaction": charge["id"],
        "transfer_group": charge["transfer_group"],
    }
    return sandbox.store.add(
        _transfer(details, charge["transfer_data"]["amount"] or charge["amount"])
    )


def reversal_of(
    sandbox: Sandbox,
    transfer: dict,
    amount: int,
    *,
    metadata: dict,
    request=NO_REQUEST,
    source_refund: str | None = None,
) -> dict:
    """Reverse ``amount`` of ``transfer`` (the caller holds the store lock):
    ``transfer.reversed``."""
    left = transfer["amount"] - transfer["amount_reversed"]
    if amount <= 0 or amount > left:
        raise StripeError(
            f"Reversal amount ({amount}) must be positive and at most what is left of "
            f"the transfer ({left}).",
            param="amount",
        )
    reversal = {
        "id": new_id("trr_"),
        "object": "transfer_reversal",
        "amount": amount,
        "balance_transaction": new_id("txn_"),
        "created": now(),
        "currency": transfer["currency"],
        "destination_payment_refund": new_id("pyr_"),
        "metadata": dict(metadata),
        "source_refund": source_refund,
        "transfer": transfer["id"],
    }
    transfer["amount_reversed"] += amount
    transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
    transfer["reversals"]["data"].insert(0, copy.deepcopy(reversal))
    transfer["reversals"]["total_count"] += 1
    sandbox.emit("transfer.reversed", transfer, request=request)
    return reversal


def for_source(sandbox: Sandbox, charge_id: str) -> list[dict]:
    """Every transfer paid from ``charge_id`` (the caller holds the store lock)."""
    return [
        o
        for o in sandbox.store.objects.values()
        if o["object"] == "transfer" and o.get("source_transaction") == charge_id
    ]


def _check_source(sandbox: Sandbox, charge_id: str, amount: int, currency: str) -> None:
    charge = sandbox.store.require("charge", charge_id, "source_transaction")
    if charge["status"] != "succeeded":
        raise StripeError(
            f"The source transaction {charge_id} has not succeeded.",
            param="source_transaction",
        )
    if charge["currency"] != currency:
        raise StripeError(
            "The currency of source_transaction's balance transaction "
            f"({charge['currency']}) must be the same as the transfer currency ({currency}).",
            param="currency",
        )
    sent = sum(t["amount"] - t["amount_reversed"] for t in for_source(sandbox, charge_id))
    if sent + amount > charge["amount"]:
        raise StripeError(
            f"Transfers from {charge_id} would exceed its amount ({charge['amount']}).",
            code="balance_insufficient",
            param="amount",
        )


def _transfer(cleaned: dict, amount: int) -> dict:
    transfer_id = new_id("tr_")
    return {
        "id": transfer_id,
        "object": "transfer",
        "amount": amount,
        "amount_reversed": 0,
        "balance_transaction": new_id("txn_"),
        "created": now(),
        "currency": cleaned["currency"].lower(),
        "description": cleaned.get("description"),
        "destination": cleaned["destination"],
        "destination_payment": new_id("py_"),
        "livemode": False,
        "metadata": dict(cleaned.get("metadata") or {}),
        "reversals": {
            "object": "list",
            "data": [],
            "has_more": False,
            "total_count": 0,
            "url": f"/v1/transfers/{transfer_id}/reversals",
        },
        "reversed": False,
        "source_transaction": cleaned.get("source_transaction"),
        "source_type": "card",
        "transfer_group": cleaned.get("transfer_group"),
    }
