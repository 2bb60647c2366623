"""The visitor hash is HMAC-SHA256 of (address, User-Agent, recipient) under the day's salt."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from portal.referrals.visitors import visitor_hash

salts = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)


@given(
    salts=st.lists(salts, min_size=1, max_size=6),
    address=st.ip_addresses().map(str),
    agent=st.text(max_size=200),
    recipient=st.integers(min_value=1, max_value=10**6),
)
def test_visitor_hash_is_the_days_hmac_whichever_salts_came_before(
    salts, address, agent, recipient
):
    # Several days' salts in turn: the hash must never be keyed with another day's salt.
    for salt in salts:
        message = f"{address}\x1f{agent}\x1f{recipient}".encode()
        expected = hmac.new(salt.encode(), message, hashlib.sha256).hexdigest()[:32]

        assert visitor_hash(salt, address, agent, recipient) == expected


def test_the_same_visitor_is_someone_else_under_the_next_days_salt():
    today = visitor_hash("a" * 64, "203.0.113.7", "Mozilla/5.0", 3)

    assert today == visitor_hash("a" * 64, "203.0.113.7", "Mozilla/5.0", 3)
    assert today != visitor_hash("b" * 64, "203.0.113.7", "Mozilla/5.0", 3)
