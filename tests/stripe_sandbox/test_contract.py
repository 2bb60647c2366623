"""Contract: every object the sandbox returns has Stripe's field names and JSON types.

The reference is Stripe's published ``fixtures3.json`` (read from ../shared, never copied).
Rules, applied recursively:

* Every key the sandbox returns at an object's top level exists in Stripe's fixture for that
  resource; inside nested hashes, a key absent from the fixture's (often sparse) example must
  at least be a field that stripe-python's generated class for that hash declares.
* Every key in the fixture is present in what the sandbox returns (nothing is dropped).
* Each value's JSON type is the fixture's, or one stripe-python's annotation allows (which is
  where ``null`` is allowed for nullable fields, and ids for expandable objects).
"""

from __future__ import annotations

import decimal
import inspect
import json
import types
import typing
from pathlib import Path

import pytest
import stripe
from stripe.checkout import Session

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "stripe" / "fixtures3.json"
_CLASSES = {
    "charge": stripe.Charge,
    "checkout.session": Session,
    "customer": stripe.Customer,
    "dispute": stripe.Dispute,
    "event": stripe.Event,
    "invoice": stripe.Invoice,
    "invoice_payment": stripe.InvoicePayment,
    "line_item": stripe.InvoiceLineItem,
    "payment_intent": stripe.PaymentIntent,
    "plan": stripe.Plan,
    "price": stripe.Price,
    "refund": stripe.Refund,
    "subscription": stripe.Subscription,
    "subscription_item": stripe.SubscriptionItem,
}


@pytest.fixture(scope="module")
def resources():
    if not FIXTURES.is_file():
        pytest.skip(f"Stripe's fixtures3.json is not at {FIXTURES} (only present in this CI)")
    return json.loads(FIXTURES.read_text())["resources"]


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _annotation_kinds(hint) -> set[str]:
    """The JSON kinds a stripe-python annotation allows."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is type(None):
        return {"null"}
    if hint is typing.Any:
        return {"null", "boolean", "integer", "number", "string", "array", "object"}
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_annotation_kinds(arg) for arg in args))
    if origin is typing.Literal:
        return {_kind(arg) for arg in args}
    if origin is list:
        return {"array"}
    simple = {str: "string", int: "integer", bool: "boolean", decimal.Decimal: "string"}
    if hint in simple:
        return {simple[hint]}
    if hint is float:
        return {"number", "integer"}
    return {"object"}  # nested classes, forward references to resources, typed dicts


def _hints(cls) -> dict:
    """Field annotations as stripe-python declares them (forward references left unresolved)."""
    if not _is_class(cls):
        return {}
    merged: dict = {}
    for klass in reversed(cls.__mro__):
        merged.update(inspect.get_annotations(klass))
    return merged


def _is_class(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, stripe.StripeObject)


def _nested_class(hint):
    """The stripe-python class describing a nested hash, or None."""
    if isinstance(hint, typing.ForwardRef):
        hint = hint.__forward_arg__
    if isinstance(hint, str):
        return getattr(stripe, hint, None)
    if _is_class(hint):
        return hint
    for arg in typing.get_args(hint):
        found = _nested_class(arg)
        if found is not None:
            return found
    return None


def _list_object_item_class(hint):
    """For a ``ListObject[X]`` annotation (possibly Optional), the class of X; else None."""
    for candidate in (hint, *typing.get_args(hint)):
        if "ListObject" in str(typing.get_origin(candidate)):
            return _nested_class(typing.get_args(candidate)[0])
    return None


def _list_item_class(hint):
    """For a ``List[X]`` annotation (possibly Optional), the class of X; else None."""
    for candidate in (hint, *typing.get_args(hint)):
        if typing.get_origin(candidate) is list:
            return _nested_class(typing.get_args(candidate)[0])
    return None


class Contract:
    """Collects every mismatch between a sandbox object and Stripe's fixture."""

    def __init__(self, resources):
        self.resources = resources
        self.problems: list[str] = []

    def is_resource(self, value: dict) -> bool:
        name = value.get("object")
        return isinstance(name, str) and name in self.resources

    def check_resource(self, obj: dict, path: str) -> None:
        name = obj["object"]
        self.check_hash(obj, self.resources[name], _CLASSES.get(name), path, top=True)

    def check_hash(self, actual: dict, expected: dict, cls, path: str, top=False) -> None:
        hints = _hints(cls)
        for key in expected:
            if key not in actual:
                self.problems.append(f"{path}.{key}: dropped (Stripe's fixture has it)")
        for key, value in actual.items():
            where = f"{path}.{key}"
            if key not in expected and (top or key not in hints):
                self.problems.append(f"{where}: invented (not in Stripe's fixture)")
                continue
            self.check_value(value, expected.get(key), hints.get(key), where, key)

    def check_value(self, value, expected, hint, where: str, key: str) -> None:
        allowed = {_kind(expected)} | (_annotation_kinds(hint) if hint is not None else set())
        if "number" in allowed:
            allowed.add("integer")
        if _kind(value) not in allowed:
            self.problems.append(f"{where}: {_kind(value)} where Stripe has {sorted(allowed)}")
        elif isinstance(value, list):
            self.check_list(value, expected, _list_item_class(hint), where)
        elif not isinstance(value, dict) or key == "metadata":
            return
        elif self.is_resource(value) and (_is_free_form(hint) or not isinstance(expected, dict)):
            # A whole resource (an event's data.object, an expanded id): Stripe's own fixture
            # for that resource is the reference, not the example embedded here.
            self.check_resource(value, where)
        elif _list_object_item_class(hint) is not None:
            self.check_list_object(value, expected, _list_object_item_class(hint), where)
        elif not _is_free_form(hint):
            self.check_hash(
                value, expected if isinstance(expected, dict) else {}, _nested_class(hint), where
            )

    def check_list_object(self, value: dict, expected, item_class, where: str) -> None:
        """A ``{"object": "list", "data": [...]}`` hash; items are checked as ``item_class``."""
        expected = expected if isinstance(expected, dict) else {}
        self.check_hash(
            {k: v for k, v in value.items() if k != "data"},
            {k: v for k, v in expected.items() if k != "data"},
            None,
            where,
        )
        self.check_list(value.get("data", []), expected.get("data"), item_class, f"{where}.data")

    def check_list(self, items: list, expected, item_class, where: str) -> None:
        sample = expected[0] if isinstance(expected, list) and expected else None
        for index, item in enumerate(items):
            at = f"{where}[{index}]"
            if isinstance(item, dict) and isinstance(sample, dict):
                self.check_hash(item, sample, item_class, at)
            elif isinstance(item, dict) and self.is_resource(item):
                self.check_resource(item, at)
            elif sample is not None and _kind(item) != _kind(sample):
                self.problems.append(f"{at}: {_kind(item)} where Stripe has {_kind(sample)}")


def _is_free_form(hint) -> bool:
    return hint is not None and "UntypedStripeObject" in str(hint)


@pytest.fixture
def contract(resources):
    """Check objects against the fixture; ``contract(obj)`` asserts no problems."""

    def _check(*objects_to_check):
        checker = Contract(resources)
        for obj in objects_to_check:
            checker.check_resource(obj, obj["object"])
        assert checker.problems == []

    return _check


def _get(client, path):
    return client.raw_request("get", path).data


@pytest.fixture
def objects_after(client, make_session, sandbox, press):
    """Drive a session to a state; return every object it touches, as raw JSON."""

    def _drive(mode, *actions):
        session = make_session(client, mode)
        for action in actions:
            if action in ("pay", "pay_async", "decline"):
                press(sandbox, session.id, action)
            else:
                getattr(sandbox, action)(session.id)
        found = [_get(client, f"/v1/checkout/sessions/{session.id}")]
        found += [_get(client, f"/v1/events/{e.id}") for e in client.v1.events.list().data]
        for field, collection in (
            ("payment_intent", "payment_intents"),
            ("subscription", "subscriptions"),
            ("invoice", "invoices"),
            ("customer", "customers"),
        ):
            if found[0][field]:
                found.append(_get(client, f"/v1/{collection}/{found[0][field]}"))
        for obj in list(found):
            if obj["object"] == "payment_intent" and obj["latest_charge"]:
                found.append(_get(client, f"/v1/charges/{obj['latest_charge']}"))
        return found

    return _drive


@pytest.mark.parametrize(
    "actions",
    [
        ("payment",),
        ("payment", "pay"),
        ("payment", "pay_async"),
        ("payment", "decline"),
        ("payment", "expire"),
        ("subscription",),
        ("subscription", "pay"),
        ("subscription", "pay_async"),
    ],
    ids="-".join,
)
def test_objects_match_stripes_fixture(objects_after, contract, actions):
    contract(*objects_after(*actions))


def test_settled_and_refunded_payments_match(objects_after, contract, client):
    found = objects_after("payment", "pay_async", "settle", "refund")
    refund_id = next(o for o in found if o["object"] == "charge")["refunds"]["data"][0]["id"]

    contract(*found, _get(client, f"/v1/refunds/{refund_id}"))


def test_renewed_and_cancelled_subscriptions_match(objects_after, contract, sandbox, client):
    session = objects_after("subscription", "pay")[0]
    invoice = sandbox.renew(session["subscription"])
    sandbox.cancel_subscription(session["subscription"])

    contract(
        _get(client, f"/v1/invoices/{invoice['id']}"),
        _get(client, f"/v1/subscriptions/{session['subscription']}"),
        *[_get(client, f"/v1/events/{e.id}") for e in client.v1.events.list().data],
    )


def test_partial_failed_refunds_and_disputes_match(objects_after, contract, sandbox, client):
    session = objects_after("payment", "pay")[0]
    intent = session["payment_intent"]
    partial = client.v1.refunds.create(params={"payment_intent": intent, "amount": 100})
    sandbox.fail_refund(partial.id)
    dispute = sandbox.open_dispute(intent)
    client.v1.disputes.update(dispute["id"], params={"evidence": {"uncategorized_text": "Gift"}})
    sandbox.close_dispute(dispute["id"], "won")

    contract(
        _get(client, f"/v1/refunds/{partial.id}"),
        _get(client, f"/v1/disputes/{dispute['id']}"),
        *[_get(client, f"/v1/events/{e.id}") for e in client.v1.events.list().data],
    )


def test_failed_and_recovered_renewals_match(objects_after, contract, sandbox, client):
    session = objects_after("subscription", "pay")[0]
    failed = sandbox.renew(session["subscription"], outcome="failed")
    sandbox.retry_invoice(failed["id"])
    [payment] = client.v1.invoice_payments.list(params={"invoice": failed["id"]}).data

    contract(
        _get(client, f"/v1/invoices/{failed['id']}"),
        _get(client, f"/v1/invoice_payments/{payment.id}"),
        *[
            _get(client, f"/v1/events/{e.id}")
            for e in client.v1.events.list(params={"limit": 100}).data
        ],
    )


def test_every_resource_kind_was_checked(objects_after):
    found = objects_after("subscription", "pay") + objects_after("payment", "pay")

    kinds = {obj["object"] for obj in found}

    assert kinds >= {
        "checkout.session",
        "event",
        "payment_intent",
        "charge",
        "subscription",
        "invoice",
        "customer",
    }


def test_contract_catches_an_invented_field(resources, objects_after):
    session = objects_after("payment")[0]
    checker = Contract(resources)

    checker.check_resource({**session, "donor_name": "Ana"}, "checkout.session")

    assert checker.problems == ["checkout.session.donor_name: invented (not in Stripe's fixture)"]


def test_contract_catches_a_dropped_field(resources, objects_after):
    session = objects_after("payment")[0]
    del session["payment_status"]
    checker = Contract(resources)

    checker.check_resource(session, "checkout.session")

    assert checker.problems == [
        "checkout.session.payment_status: dropped (Stripe's fixture has it)"
    ]


def test_contract_catches_a_wrong_type(resources, objects_after):
    session = objects_after("payment")[0]
    checker = Contract(resources)

    checker.check_resource({**session, "amount_total": "5000"}, "checkout.session")

    assert checker.problems == [
        "checkout.session.amount_total: string where Stripe has ['integer', 'null']"
    ]


def test_contract_catches_nested_invented_and_dropped_keys(resources, objects_after):
    charge = next(o for o in objects_after("payment", "pay") if o["object"] == "charge")
    charge["payment_method_details"]["card"]["pin"] = "1234"
    del charge["outcome"]["network_status"]
    checker = Contract(resources)

    checker.check_resource(charge, "charge")

    assert sorted(checker.problems) == [
        "charge.outcome.network_status: dropped (Stripe's fixture has it)",
        "charge.payment_method_details.card.pin: invented (not in Stripe's fixture)",
    ]


def test_contract_checks_an_events_object_against_its_own_resource(resources, objects_after):
    event = next(o for o in objects_after("payment", "pay") if o["object"] == "event")
    event["data"]["object"]["payment_status"] = True
    checker = Contract(resources)

    checker.check_resource(event, "event")

    assert checker.problems == [
        "event.data.object.payment_status: boolean where Stripe has ['string']"
    ]
