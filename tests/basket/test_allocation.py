"""Any basket splits into exact minor units, and money coming back splits back exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.basket import allocation
from portal.basket.allocation import SplitError
from portal.basket.payouts import owed
from portal.donate.money import CURRENCIES

keys = st.lists(
    st.text("abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12), min_size=1, max_size=20
).map(lambda ks: list(dict.fromkeys(ks)))
seeds = st.text(min_size=1, max_size=20)
totals = st.integers(min_value=0, max_value=10**9)


@st.composite
def weighted(draw, min_weight=0):
    members = draw(keys)
    weights = [draw(st.integers(min_weight, 10**6)) for _ in members]
    if sum(weights) == 0:
        weights[0] = 1
    return dict(zip(members, weights, strict=True))


@st.composite
def percentages(draw):
    members = draw(keys)
    cuts = sorted(
        draw(st.lists(st.integers(0, 10_000), min_size=len(members) - 1, max_size=len(members) - 1))
    )
    bounds = [0, *cuts, 10_000]
    return {k: bounds[i + 1] - bounds[i] for i, k in enumerate(members)}


@given(totals, weighted(), seeds)
def test_weighted_split_adds_up_and_stays_within_one_unit_of_the_exact_share(total, weights, seed):
    shares = allocation.by_weights(total, weights, seed)

    assert sum(shares.values()) == total
    whole = sum(weights.values())
    for key, share in shares.items():
        exact = Fraction(total * weights[key], whole)
        assert exact - 1 < share < exact + 1


@given(totals, keys, seeds)
def test_even_split_differs_by_at_most_one_unit(total, members, seed):
    shares = allocation.evenly(total, members, seed)

    assert sum(shares.values()) == total
    assert max(shares.values()) - min(shares.values()) <= 1


@given(totals, percentages(), seeds)
def test_percentage_split_adds_up(total, percents, seed):
    shares = allocation.by_percentages(total, percents, seed)

    assert sum(shares.values()) == total


@given(totals, weighted(), seeds)
def test_the_same_basket_always_splits_the_same_way(total, weights, seed):
    reordered = dict(reversed(list(weights.items())))

    assert allocation.by_weights(total, weights, seed) == allocation.by_weights(
        total, reordered, seed
    )


def test_leftover_units_do_not_always_go_to_the_first_name():
    members = ["a-first", "b-second", "c-third"]

    winners = {
        max(allocation.evenly(100, members, f"basket-{n}").items(), key=lambda kv: kv[1])[0]
        for n in range(30)
    }

    assert winners == set(members)


def test_leftover_order_is_the_published_hash_rule():
    import hashlib

    expected = sorted(["x", "y", "z"], key=lambda k: hashlib.sha256(f"s:{k}".encode()).digest())

    assert allocation.leftover_order("s", ["x", "y", "z"]) == expected


@pytest.mark.parametrize(
    ("percents", "kind"),
    [({"a": 5000, "b": 4000}, "sum"), ({"a": 10_001, "b": -1}, "weights")],
)
def test_percentages_that_do_not_make_a_whole_are_refused(percents, kind):
    with pytest.raises(SplitError) as refused:
        allocation.by_percentages(1000, percents, "s")

    assert refused.value.kind == kind


@pytest.mark.parametrize("amounts", [{}, {"a": 0}, {"a": -5, "b": 10}])
def test_own_amounts_that_cannot_be_given_are_refused(amounts):
    with pytest.raises(SplitError):
        allocation.by_amounts(amounts)


@given(weighted(min_weight=1), st.integers(0, 10**6), st.sampled_from(sorted(CURRENCIES)), seeds)
def test_line_items_with_fee_cover_add_up_to_what_is_charged(amounts, fee, _currency, seed):
    lines = allocation.parts(amounts, fee, seed)

    assert sum(line.total for line in lines) == sum(amounts.values()) + fee
    assert [line.key for line in lines] == list(amounts)


@given(weighted(), st.lists(st.integers(0, 10**9), max_size=6), seeds)
def test_refunds_and_disputes_split_back_exactly_and_never_exceed_a_members_part(
    allocated, returns, seed
):
    splits = allocation.returned_in_total(returns, allocated, seed)

    paid = sum(allocated.values())
    left = paid
    for amount, split in zip(returns, splits, strict=True):
        assert sum(split.values()) == min(amount, left)
        left -= sum(split.values())
    for key, part in allocated.items():
        assert 0 <= sum(split[key] for split in splits) <= part


@given(weighted(min_weight=1), seeds)
def test_a_full_refund_gives_each_member_back_exactly_its_part(allocated, seed):
    [split] = allocation.returned_in_total([sum(allocated.values())], allocated, seed)

    assert split == allocated


def test_a_partial_refund_is_split_in_proportion():
    split = allocation.returned(300, {"a": 600, "b": 300, "c": 100}, "s")

    assert split == {"a": 180, "b": 90, "c": 30}


@st.composite
def paid_baskets(draw):
    """A basket's lines as the page makes them, a payment (as asked, or changed later), its
    refunds and a dispute."""
    members = draw(keys)
    currency = CURRENCIES[draw(st.sampled_from(sorted(CURRENCIES)))]
    amounts = {k: draw(st.integers(100, currency.maximum // 20)) for k in members}
    fee = draw(st.integers(0, sum(amounts.values()) // 10))
    seed = draw(seeds)
    lines = allocation.parts(amounts, fee, seed)
    asked = sum(line.total for line in lines)
    paid = draw(st.one_of(st.just(asked), st.integers(1, 2 * asked)))
    fee_paid = fee if paid == asked else draw(st.integers(0, paid // 10))
    refunds = draw(st.lists(st.integers(1, paid), max_size=4))
    disputed = draw(st.integers(0, paid))
    return paid, fee_paid, lines, refunds, disputed, seed


@given(paid_baskets())
def test_every_payments_parts_add_up_to_what_was_paid_refunded_and_disputed(basket):
    paid, fee, lines, refunds, disputed, seed = basket

    parts = allocation.payment_parts(paid, fee, lines, refunds, disputed, seed).values()

    assert sum(p.amount + p.fee_cover for p in parts) == paid
    assert sum(p.fee_cover for p in parts) == fee
    refunded = sum(p.refunded for p in parts)
    assert refunded == min(sum(refunds), paid)
    assert sum(p.disputed for p in parts) == min(disputed, paid - refunded)
    assert all(p.refunded + p.disputed <= p.amount + p.fee_cover for p in parts)


@given(paid_baskets())
def test_a_payment_made_as_asked_gives_each_member_exactly_its_line(basket):
    _paid, _fee, lines, _refunds, _disputed, seed = basket
    asked = sum(line.total for line in lines)

    parts = allocation.payment_parts(asked, sum(ln.fee_cover for ln in lines), lines, [], 0, seed)

    assert {k: (p.amount, p.fee_cover) for k, p in parts.items()} == {
        line.key: (line.amount, line.fee_cover) for line in lines
    }


@given(paid_baskets())
def test_transfers_never_pay_out_more_than_the_coalition_still_holds(basket):
    paid, fee, lines, refunds, disputed, seed = basket

    parts = allocation.payment_parts(paid, fee, lines, refunds, disputed, seed).values()

    sent_back = sum(p.refunded + p.disputed for p in parts)
    assert sum(owed(p) for p in parts) <= paid - sent_back
    assert all(0 <= owed(p) <= p.amount for p in parts)
