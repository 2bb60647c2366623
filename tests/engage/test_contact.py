"""Writing to a member: relayed by real SMTP, the member's address never shown, abuse held back."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from portal.models import ContactAddress, ContactRelay, OutboxMail, StaffRole
from tests.helpers.pages import text_of, token_on
from tests.helpers.staff import fresh
from tests.helpers.workers import contact_messages, worker_processes

HIDDEN = "roots-inbox@roots.example.org"
WRITE = "/engage/contact/roots"


@pytest.fixture
def member(make_org, db_session):
    org = make_org("roots", name="Roots")
    db_session.add(ContactAddress(organization_id=org.id, email=HIDDEN))
    db_session.commit()
    return org


@pytest.fixture
def mail_app(app, smtp_server):
    app.config["MAIL_URL"] = smtp_server.url
    app.config["MAIL_FROM"] = "The Coalition <giving@coalition.example>"
    return app


def write(client, **fields):
    token = token_on(client.get(WRITE))
    return client.post(WRITE, data={"csrf_token": token, **fields})


@pytest.mark.usefixtures("mail_app", "member")
def test_a_message_reaches_the_member_by_real_smtp_without_the_visitors_address(
    client, runner, smtp_server
):
    response = write(
        client, message="We would like to visit in spring.", name="Ana", email="ana@example.net"
    )

    assert response.status_code == 303
    assert runner.invoke(args=["deliver-mail"]).exit_code == 0
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == HIDDEN
    assert mail["Reply-To"] is None  # not ticked: the email typed is not passed on
    body = mail.get_body(("plain",)).get_content()
    assert "We would like to visit in spring." in body
    assert "ana@example.net" not in body
    assert "did not share an email address" in body


@pytest.mark.usefixtures("mail_app", "member")
def test_a_ticked_box_shares_the_visitors_address_as_reply_to(client, runner, smtp_server):
    write(client, message="Hello", email="ana@example.net", share_email="y")

    runner.invoke(args=["deliver-mail"])

    [mail] = smtp_server.wait_for(1)
    assert mail["Reply-To"] == "ana@example.net"


@pytest.mark.usefixtures("member")
def test_the_members_address_appears_on_no_page(client):
    pages = ["/organizations/roots", WRITE, f"{WRITE}/sent", "/engage", "/listen", "/"]

    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert HIDDEN not in response.get_data(as_text=True), page


@pytest.mark.usefixtures("member")
def test_the_member_page_carries_the_form(client):
    html = client.get("/organizations/roots").get_data(as_text=True)

    assert f'action="{WRITE}"' in html
    assert 'name="website"' in html  # the hidden trap


def test_a_member_without_an_address_has_no_form(make_org, client):
    make_org("ecopeace")

    assert client.get("/engage/contact/ecopeace").status_code == 404
    assert "/engage/contact/" not in client.get("/organizations/ecopeace").get_data(as_text=True)


@pytest.mark.usefixtures("member")
def test_a_filled_trap_field_is_answered_like_a_person_but_nothing_is_sent(client, db_session):
    response = write(client, message="Buy now", website="https://spam.example")

    assert response.status_code == 303
    assert fresh(db_session).scalar(select(func.count(OutboxMail.id))) == 0


@pytest.mark.usefixtures("member")
def test_a_message_over_the_length_limit_is_refused_whole(client, db_session):
    response = write(client, message="x" * 3001)

    assert response.status_code == 400
    assert "Field cannot be longer than 3000 characters." in response.get_data(as_text=True)
    assert fresh(db_session).scalar(select(func.count(ContactRelay.id))) == 0


@pytest.mark.usefixtures("member")
def test_a_post_without_the_forms_token_is_refused(client, db_session):
    response = client.post(WRITE, data={"message": "Hello"})

    assert response.status_code == 400
    assert fresh(db_session).scalar(select(func.count(ContactRelay.id))) == 0


@pytest.mark.usefixtures("member")
def test_sharing_needs_a_real_address(client, db_session):
    response = write(
        client, message="Hi", email="ana@example.net\nBcc: all@example.org", share_email="y"
    )

    assert response.status_code == 400
    assert fresh(db_session).scalar(select(func.count(ContactRelay.id))) == 0


@pytest.mark.usefixtures("member")
def test_one_visitor_is_held_to_the_limit(app, client):
    app.config["CONTACT_RATE_LIMIT"] = 2

    codes = [write(client, message=f"Note {n}").status_code for n in range(3)]

    assert codes == [303, 303, 429]


@pytest.mark.slow
@pytest.mark.usefixtures("member")
def test_the_limit_holds_across_two_worker_processes(app_config):
    config = {key: value for key, value in app_config.items() if key != "SERVER_NAME"}
    config["CONTACT_RATE_LIMIT"] = 3
    context = worker_processes()
    barrier = context.Manager().Barrier(2)

    with context.Pool(2) as pool:
        codes = sum(pool.starmap(contact_messages, [(config, "roots", 3, barrier)] * 2), Counter())

    assert codes == Counter({303: 3, 429: 3})


@pytest.mark.usefixtures("member")
def test_staff_see_counts_never_messages(client, login_as):
    for n in range(2):
        write(client, message=f"Private words {n}")
    login_as(StaffRole.ADMIN)

    response = client.get("/staff/engage/contacts")

    row = response.get_data(as_text=True).split("Roots")[1].split("</tr>")[0]
    assert "<td>2</td>" in row
    assert "Private words" not in response.get_data(as_text=True)


def test_staff_set_where_messages_go(make_org, login_as, post_form, db_session):
    org = make_org("ecopeace")
    login_as()

    post_form(
        f"/staff/engage/contacts/{org.id}",
        {"email": "hello@eco.example.org"},
        page="/staff/engage/contacts",
    )

    assert fresh(db_session).get(ContactAddress, org.id).email == "hello@eco.example.org"


def test_staff_cannot_set_a_non_address(make_org, login_as, post_form, db_session):
    org = make_org("ecopeace")
    login_as()

    response = post_form(
        f"/staff/engage/contacts/{org.id}",
        {"email": "not an address"},
        page="/staff/engage/contacts",
        follow_redirects=True,
    )

    assert "is not an email address" in text_of(response)
    assert fresh(db_session).get(ContactAddress, org.id) is None
