"""The basket parts table: every member's parts of a range's basket payments, read in a fixed
number of statements however many payments the range holds."""

from __future__ import annotations

from datetime import timedelta

from portal.basket.queries import donation_parts
from portal.models import (
    Basket,
    BasketLine,
    Dispute,
    DisputeStatus,
    DonationStatus,
    Frequency,
    HandoffMode,
    Refund,
    RefundStatus,
    SplitKind,
)
from portal.reports.baskets import parts_by_member
from portal.state import portal_state
from tests.helpers.reports import TODAY, at
from tests.helpers.statements import statements_sent


def _baskets(db_session, add_donation, orgs, count: int, first: int = 0) -> list:
    """``count`` paid basket payments to ``orgs``, some refunded in part, some disputed."""
    payments = []
    for n in range(first, first + count):
        basket = Basket(
            reference=f"bsk-{n}",
            currency="USD",
            frequency=Frequency.ONE_TIME,
            split=SplitKind.AMOUNTS,
        )
        for position, org in enumerate(orgs[: 2 + n % 2]):
            basket.lines.append(
                BasketLine(organization_id=org.id, position=position, amount=1000 + 250 * n)
            )
        db_session.add(basket)
        db_session.flush()
        total = sum(line.amount for line in basket.lines)
        donation = add_donation(
            orgs[0], at(TODAY - timedelta(days=n % 5)), total, basket_id=basket.id, commit=False
        )
        db_session.flush()
        if n % 3 == 1:
            for k, status in enumerate((RefundStatus.SUCCEEDED, RefundStatus.FAILED)):
                db_session.add(
                    Refund(
                        donation_id=donation.id,
                        stripe_refund_id=f"re_{n}_{k}",
                        amount=333,
                        currency="usd",
                        status=status,
                    )
                )
        if n % 4 == 2:
            db_session.add(
                Dispute(
                    donation_id=donation.id,
                    stripe_dispute_id=f"dp_{n}",
                    amount=total,
                    currency="usd",
                    status=DisputeStatus.LOST,
                )
            )
        payments.append(donation)
    db_session.commit()
    return payments


def _expected(db_session, payments, member_id=None) -> dict:
    """The table's sums, made payment by payment from each payment's own parts."""
    sums: dict = {}
    for donation in payments:
        for part in donation_parts(db_session, donation):
            if member_id is not None and part.organization.id != member_id:
                continue
            key = (part.organization.slug, part.organization.name, donation.currency)
            cell = sums.setdefault(key, [0] * 5)
            for i, value in enumerate(
                (1, part.amount, part.fee_cover, part.refunded, part.disputed)
            ):
                cell[i] += value
    return sums


def test_basket_parts_take_the_same_statements_for_two_payments_or_twelve(
    app, db_session, make_org, add_donation
):
    orgs = [make_org(slug, handoff_mode=HandoffMode.STRIPE) for slug in ("a", "b", "c")]
    start, end = at(TODAY - timedelta(days=10)), at(TODAY + timedelta(days=1))
    engine = portal_state(app).database.engine
    counted, payments = {}, []
    for more in (2, 10):
        payments += _baskets(db_session, add_donation, orgs, more, first=len(payments))
        db_session.expire_all()  # nothing cached from the set-up: the table reads everything
        with statements_sent(engine) as sent:
            sums = parts_by_member(db_session, start, end)
        counted[len(payments)] = len(sent)
        assert sums == _expected(db_session, payments)

    assert counted[2] == counted[12]
    assert counted[12] <= 8  # BEGIN, the payments, lines and members (and their texts), …


def test_a_members_basket_parts_are_its_own(db_session, make_org, add_donation):
    orgs = [make_org(slug, handoff_mode=HandoffMode.STRIPE) for slug in ("a", "b", "c")]
    payments = _baskets(db_session, add_donation, orgs, 6)
    payments[0].status = DonationStatus.FAILED  # never counted
    db_session.commit()
    start, end = at(TODAY - timedelta(days=10)), at(TODAY + timedelta(days=1))

    sums = parts_by_member(db_session, start, end, member_id=orgs[2].id)

    assert sums == _expected(db_session, payments[1:], member_id=orgs[2].id)
    assert {slug for slug, _name, _code in sums} == {"c"}
