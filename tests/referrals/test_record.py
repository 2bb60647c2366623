"""The referral record names exactly the referral table's columns."""

from __future__ import annotations

from portal.models import Referral
from portal.referrals.record import ReferralRecord


def test_a_referral_record_holds_every_column_the_fast_path_binds():
    columns = {column.name for column in Referral.__table__.columns} - {"id"}

    assert ReferralRecord.__required_keys__ == columns
    assert not ReferralRecord.__optional_keys__
