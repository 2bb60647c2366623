"""Members' sites report the gifts that followed a referral: signed, idempotent, no donor data."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portal.models import AuditEntry, Conversion, Frequency


def _gift(ref: str, **more) -> dict:
    return {"portal_ref": ref, "amount": "25.50", "currency": "eur", "frequency": "monthly", **more}


def _conversions(db_session) -> list[Conversion]:
    db_session.rollback()
    return list(db_session.scalars(select(Conversion)))


@pytest.fixture
def member(make_org, enable_postbacks):
    org = make_org("ecopeace")
    return org, enable_postbacks(org)


def test_a_signed_report_of_a_referral_is_recorded_once(db_session, member, hand_off, report):
    org, secret = member
    ref = hand_off(org)

    response = report("ecopeace", secret, _gift(ref))

    assert (response.status_code, response.json) == (201, {"status": "recorded"})
    [conversion] = _conversions(db_session)
    assert (conversion.ref, conversion.amount, conversion.currency) == (ref, 2550, "EUR")
    assert conversion.frequency == Frequency.MONTHLY


def test_a_replayed_report_changes_nothing(db_session, member, hand_off, report):
    org, secret = member
    ref = hand_off(org)
    report("ecopeace", secret, _gift(ref))

    again = report("ecopeace", secret, _gift(ref))

    assert (again.status_code, again.json) == (200, {"status": "already recorded"})
    assert len(_conversions(db_session)) == 1


def test_a_report_signed_with_another_secret_is_refused(db_session, member, hand_off, report):
    org, _secret = member
    response = report("ecopeace", "not-the-secret", _gift(hand_off(org)))

    assert (response.status_code, response.json) == (401, {"status": "signature does not match"})
    assert _conversions(db_session) == []


# A timestamp from the future comes nearer while the request travels: a few seconds' margin keeps
# the loaded machine's delay from carrying it back inside the window.
@pytest.mark.parametrize("age", [-310, 301, 3600])
def test_a_stale_or_future_timestamp_is_refused(db_session, member, hand_off, report, age):
    org, secret = member

    response = report("ecopeace", secret, _gift(hand_off(org)), at=time.time() - age)

    assert response.status_code == 401
    assert "five-minute" in response.json["status"]
    assert _conversions(db_session) == []


def test_a_body_changed_after_signing_is_refused(client, db_session, member):
    from portal.conversions.signature import HEADER, sign

    _org, secret = member
    signed = b'{"portal_ref": "x", "amount": 1, "currency": "USD", "frequency": "one_time"}'
    header = sign(secret, int(time.time()), signed)

    response = client.post(
        "/conversions/ecopeace", data=signed.replace(b"1,", b"9,"), headers={HEADER: header}
    )

    assert response.status_code == 401
    assert _conversions(db_session) == []


def test_an_unknown_reference_is_refused(db_session, member, report):
    _org, secret = member

    response = report("ecopeace", secret, _gift("0123456789abcdef"))

    assert response.status_code == 422
    assert response.json["status"].startswith("unknown portal_ref")
    assert _conversions(db_session) == []


def test_another_members_reference_is_refused(db_session, make_org, member, hand_off, report):
    _org, secret = member
    theirs = hand_off(make_org("roots"))

    response = report("ecopeace", secret, _gift(theirs))

    assert response.status_code == 422
    assert _conversions(db_session) == []


@pytest.mark.parametrize(
    "donor_data", [{"email": "a@b.example"}, {"name": "Dana"}, {"donor": {"id": 7}}]
)
def test_donor_data_of_any_kind_is_refused(db_session, member, hand_off, report, donor_data):
    org, secret = member

    response = report("ecopeace", secret, _gift(hand_off(org), **donor_data))

    assert response.status_code == 422
    assert "no donor data" in response.json["status"]
    assert _conversions(db_session) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "-5"}, "amount must be positive"),
        ({"amount": "1.234"}, "amount must be positive"),
        ({"amount": "lots"}, "amount must be a number"),
        ({"currency": "XXQ"}, "currency must be"),
        ({"frequency": "weekly"}, "frequency must be"),
    ],
)
def test_bad_fields_get_a_clear_422(member, hand_off, report, fields, message):
    org, secret = member

    response = report("ecopeace", secret, _gift(hand_off(org)) | fields)

    assert response.status_code == 422
    assert message in response.json["status"]


def test_a_body_that_is_not_json_gets_a_422(member, report):
    _org, secret = member

    assert report("ecopeace", secret, {}, body=b"portal_ref=1").status_code == 422


def test_a_member_without_postbacks_is_not_found(make_org, hand_off, report):
    org = make_org("roots")

    assert report("roots", "anything", _gift(hand_off(org))).status_code == 404


def test_a_new_secret_stops_the_old_one_and_is_audited(
    db_session, member, enable_postbacks, hand_off, report
):
    org, old = member
    new = enable_postbacks(org)

    assert report("ecopeace", old, _gift(hand_off(org))).status_code == 401
    assert report("ecopeace", new, _gift(hand_off(org))).status_code == 201
    entries = db_session.scalars(select(AuditEntry).filter_by(field="postback_secret")).all()
    assert len(entries) == 2
    assert all(old not in (e.before or "") + (e.after or "") for e in entries)


def test_concurrent_duplicates_make_one_conversion(app, db_session, member, hand_off):
    import json

    from portal.conversions.signature import HEADER, sign

    org, secret = member
    body = json.dumps(_gift(hand_off(org))).encode()

    def send(_):
        with app.test_client() as browser:
            header = sign(secret, int(time.time()), body)
            return browser.post(
                "/conversions/ecopeace", data=body, headers={HEADER: header}
            ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, range(16)))

    assert statuses.count(201) == 1
    assert set(statuses) <= {200, 201}
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Conversion)) == 1
