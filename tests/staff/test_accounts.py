"""Staff accounts: argon2id passwords of 12 characters or more, the CLI and the admin page."""

from __future__ import annotations

import hashlib

import pytest
from argon2 import Type, extract_parameters
from sqlalchemy import select

from portal.models import Staff, StaffRole, StaffStatus
from portal.staff import passwords
from tests.helpers.pages import text_of
from tests.helpers.staff import PASSWORD, fresh


def stored(db_session, email: str) -> Staff | None:
    fresh(db_session)
    return db_session.scalar(select(Staff).filter_by(email=email))


def test_hashes_are_argon2id_at_or_above_owasp_parameters():
    parameters = extract_parameters(passwords.hash_password("a long enough password"))

    assert parameters.type == Type.ID
    assert parameters.memory_cost >= 19 * 1024
    assert parameters.time_cost >= 2
    assert parameters.parallelism >= 1


@pytest.mark.parametrize(
    ("length", "accepted"), [(11, False), (12, True), (64, True), (1024, True), (1025, False)]
)
def test_password_length_rules(length, accepted):
    # Random-looking characters, so that only the length decides.
    strong = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(20))

    assert (passwords.password_problem(strong[:length]) is None) is accepted


def test_long_password_is_never_truncated(make_staff, sign_in):
    password = "x" * 72 + "the part bcrypt would drop"
    staff = make_staff(password=password)

    almost = sign_in(staff.email, "x" * 72 + "the part bcrypt would DROP")
    exact = sign_in(staff.email, password)

    assert almost.status_code == 200
    assert exact.status_code == 303


def test_create_staff_asks_for_the_password_twice(runner, db_session, sign_in):
    answer = "a passphrase for the console"

    result = runner.invoke(
        args=["create-staff", "Rana@Coalition.example", "--role", "viewer"],
        input=f"{answer}\n{answer}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created viewer account rana@coalition.example." in result.output
    assert answer not in result.output
    assert stored(db_session, "rana@coalition.example").role == StaffRole.VIEWER
    assert sign_in("rana@coalition.example", answer).status_code == 303


def test_create_staff_can_generate_and_print_the_password_once(runner, sign_in):
    result = runner.invoke(
        args=["create-staff", "ops@coalition.example", "--role", "admin", "--generate-password"]
    )

    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if "shown only this once" in line]
    password = line.rsplit(": ", 1)[1]
    assert len(password) >= passwords.MIN_LENGTH
    assert result.output.count(password) == 1
    assert sign_in("ops@coalition.example", password).status_code == 303


def test_create_staff_refuses_a_short_password(runner, db_session):
    result = runner.invoke(
        args=["create-staff", "ops@coalition.example", "--role", "admin"], input="short\nshort\n"
    )

    assert result.exit_code != 0
    assert "Use at least 12 characters." in result.output
    assert stored(db_session, "ops@coalition.example") is None


def test_create_staff_refuses_an_existing_email(runner, make_staff):
    make_staff("ops@coalition.example")

    result = runner.invoke(
        args=["create-staff", "OPS@coalition.example", "--role", "admin", "--generate-password"]
    )

    assert result.exit_code != 0
    assert "There is already an account for ops@coalition.example." in result.output


def test_create_staff_needs_a_known_role(runner):
    result = runner.invoke(args=["create-staff", "ops@coalition.example", "--role", "owner"])

    assert result.exit_code == 2
    assert "admin" in result.output and "viewer" in result.output


def test_there_are_no_default_accounts(db_session):
    assert db_session.scalars(select(Staff)).all() == []


def test_admin_opens_an_account_and_sees_its_password_once(
    client, login_as, post_form, sign_in, app
):
    login_as()

    response = post_form(
        "/staff/accounts/new",
        {"email": "new@coalition.example", "role": "viewer"},
        page="/staff/accounts/new",
    )

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text_of(response)
    password = page.split("with this password: ", 1)[1].split()[0]
    assert sign_in("new@coalition.example", password, browser=app.test_client()).status_code == 303
    assert password not in text_of(client.get("/staff/accounts"))


def test_opening_an_account_twice_says_so(login_as, post_form, make_staff):
    make_staff("new@coalition.example")
    login_as()

    response = post_form(
        "/staff/accounts/new", {"email": "new@coalition.example", "role": "viewer"}
    )

    assert response.status_code == 400
    assert "There is already an account for new@coalition.example." in text_of(response)


def test_admin_changes_a_role_and_it_is_audited(
    client, login_as, post_form, make_staff, db_session
):
    colleague = make_staff("colleague@coalition.example", role=StaffRole.VIEWER)
    login_as()

    post_form(f"/staff/accounts/{colleague.id}/role", {"role": "admin"})

    assert stored(db_session, colleague.email).role == StaffRole.ADMIN
    audit = text_of(client.get("/staff/audit"))
    assert "staff colleague@coalition.example role viewer admin" in audit


def test_admin_suspends_and_reactivates_a_colleague(login_as, post_form, make_staff, db_session):
    colleague = make_staff("colleague@coalition.example", role=StaffRole.VIEWER)
    login_as()

    post_form(f"/staff/accounts/{colleague.id}/suspend")
    suspended = stored(db_session, colleague.email).status
    post_form(f"/staff/accounts/{colleague.id}/reactivate")

    assert suspended == StaffStatus.SUSPENDED
    assert stored(db_session, colleague.email).status == StaffStatus.ACTIVE


def test_admin_cannot_suspend_or_demote_themselves(client, login_as, post_form, db_session):
    me = login_as()

    post_form(f"/staff/accounts/{me.id}/suspend")
    response = post_form(f"/staff/accounts/{me.id}/role", {"role": "viewer"})

    assert "You can't change your own role" in text_of(client.get(response.headers["Location"]))
    assert stored(db_session, me.email).status == StaffStatus.ACTIVE
    assert stored(db_session, me.email).role == StaffRole.ADMIN


def test_staff_change_their_password_and_other_sessions_end(
    app, client, login_as, post_form, sign_in
):
    me = login_as(StaffRole.VIEWER)
    other_browser = app.test_client()
    sign_in(me.email, browser=other_browser)
    new = "a brand new passphrase"

    response = post_form(
        "/staff/password", {"current": PASSWORD, "new": new, "confirm": new}, page="/staff/password"
    )

    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200
    assert other_browser.get("/staff/").status_code == 302
    assert sign_in(me.email, new, browser=app.test_client()).status_code == 303


def test_password_change_needs_the_current_password(login_as, post_form):
    login_as(StaffRole.VIEWER)
    new = "a brand new passphrase"

    response = post_form(
        "/staff/password", {"current": "not it at all", "new": new, "confirm": new}
    )

    assert response.status_code == 400
    assert "Your current password is not right." in text_of(response)


def test_password_change_is_audited_without_any_password(
    client, login_as, post_form, audit_entries
):
    me = login_as(StaffRole.ADMIN)
    new = "a brand new passphrase"

    post_form("/staff/password", {"current": PASSWORD, "new": new, "confirm": new})

    [entry] = [entry for entry in audit_entries() if entry.field == "password"]
    assert (entry.subject_label, entry.before, entry.after) == (me.email, None, None)
    assert new not in text_of(client.get("/staff/audit"))


def test_a_weaker_old_hash_is_upgraded_at_sign_in(make_staff, sign_in, db_session):
    from argon2 import PasswordHasher

    staff = make_staff()
    staff.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(PASSWORD)
    db_session.commit()

    response = sign_in(staff.email)

    assert response.status_code == 303
    upgraded = extract_parameters(stored(db_session, staff.email).password_hash)
    assert (upgraded.time_cost, upgraded.memory_cost) == (2, 19 * 1024)


def test_an_overlong_password_is_simply_wrong(make_staff, sign_in):
    staff = make_staff()

    response = sign_in(staff.email, PASSWORD + "x" * passwords.MAX_LENGTH)

    assert "That email and password do not match an account." in text_of(response)


@pytest.mark.parametrize(
    "email", ["not-an-email", "two@@coalition.example", "a b@coalition.example", "nodot@localhost"]
)
def test_opening_an_account_needs_a_valid_email(login_as, post_form, db_session, email):
    login_as()

    response = post_form("/staff/accounts/new", {"email": email, "role": "viewer"})

    assert response.status_code == 400
    assert "Give a valid email address." in text_of(response)
    assert len(fresh(db_session).scalars(select(Staff)).all()) == 1


def test_audit_log_pages_newest_first(client, login_as, make_staff, post_form):
    colleague = make_staff("colleague@coalition.example", role=StaffRole.VIEWER)
    login_as()
    for _ in range(26):  # two entries each: 52 entries, one more than a page
        post_form(f"/staff/accounts/{colleague.id}/suspend")
        post_form(f"/staff/accounts/{colleague.id}/reactivate")

    first, second = client.get("/staff/audit"), client.get("/staff/audit?page=2")

    assert "Older" in text_of(first) and "Newer" not in text_of(first)
    assert text_of(first).index("suspended active") < text_of(first).index("active suspended")
    assert "Newer" in text_of(second) and "Older" not in text_of(second)
    assert client.get("/staff/audit?page=3").status_code == 404
    assert client.get("/staff/audit?page=0").status_code == 404
