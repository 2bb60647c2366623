"""The directory as CSV: export, a previewed import that is all-or-nothing, and the CLI twin."""

from __future__ import annotations

import csv
import io
import os

import pytest
from sqlalchemy import select

from portal.models import AuditVia, HandoffMode, Organization
from portal.staff import directory_service, importer
from tests.helpers.locks import other_writer_gets_the_lock
from tests.helpers.pages import text_of, token_on
from tests.helpers.staff import UPLOAD, fresh

EXPORT = "/staff/organizations/export.csv"


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_csv(rows: list[dict[str, str]], header=None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def new_row(**changes) -> dict[str, str]:
    row = {
        "slug": "olive-branch",
        "kind": "member",
        "name": "Olive Branch",
        "short_description": "Farmers from both sides share a harvest.",
        "long_description": "",
        "region": "west-bank",
        "country": "Palestine",
        "focus_areas": "economy;environment",
        "website": "",
        "donation_url": "https://olive.example.org/give",
        "listen_url": "",
        "engage_url": "",
        "handoff_mode": "external",
        "stripe_account_id": "",
        "receipt_note": "",
        "status": "active",
    }
    return row | changes


def names(db_session) -> dict[str, str]:
    return {org.slug: org.name for org in fresh(db_session).scalars(select(Organization))}


@pytest.fixture
def directory(make_coalition, make_org):
    make_coalition(name="The Coalition")
    make_org("roots", focus=["dialogue", "youth"], website="https://roots.example.org")
    make_org("parents-circle", handoff_mode=HandoffMode.STRIPE, donation_url=None)


@pytest.fixture
def exported(client, login_as, directory) -> bytes:
    login_as()
    return client.get(EXPORT).data


@pytest.fixture
def lock_while_checking(monkeypatch, database_url) -> list[bool]:
    """Whether another writer could take the write lock, once per row as it is validated."""
    seen: list[bool] = []
    clean_fields = directory_service.clean_fields

    def watched(raw, names):
        seen.append(other_writer_gets_the_lock(database_url))
        return clean_fields(raw, names)

    monkeypatch.setattr(directory_service, "clean_fields", watched)
    return seen


def test_export_is_a_csv_download_with_the_coalition_first(client, exported):
    response = client.get(EXPORT)

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(exported)
    assert [row["slug"] for row in rows] == ["allmep", "parents-circle", "roots"]
    assert rows[2]["focus_areas"] == "dialogue;youth"
    assert rows[1]["donation_url"] == ""


def test_export_keeps_spreadsheet_formulas_inert(client, login_as, make_org):
    make_org("roots", short_description='=HYPERLINK("https://evil.example")')
    login_as()

    [row] = read_csv(client.get(EXPORT).data)

    assert row["short_description"].startswith("'=")


def test_reimporting_the_export_changes_nothing(
    exported, preview, post_form, db_session, audit_entries
):
    before = names(db_session)

    url, page = preview(exported)
    confirmed = post_form(url, page=url)

    assert "0 to add, 0 to update, 3 unchanged, 0 with errors." in text_of(page)
    assert "there is nothing to import" in text_of(page)
    assert confirmed.status_code == 303
    assert names(db_session) == before
    assert audit_entries() == []


def test_formula_like_text_survives_the_round_trip(client, login_as, make_org, preview):
    make_org("roots", short_description="- people first, then politics")
    login_as()

    _url, page = preview(client.get(EXPORT).data)

    assert "0 to add, 0 to update, 1 unchanged" in text_of(page)


def test_preview_lists_additions_and_updates_and_writes_nothing(
    exported, preview, db_session, audit_entries
):
    rows = read_csv(exported)
    rows[2]["donation_url"] = "https://roots.example.org/new-page"
    rows.append(new_row())

    _url, page = preview(write_csv(rows))

    text = text_of(page)
    assert "1 to add, 1 to update, 2 unchanged, 0 with errors." in text
    assert "olive-branch added Olive Branch" in text
    assert (
        "roots updated donation_url : https://roots.example.org/donate → "
        "https://roots.example.org/new-page"
    ) in text
    assert "olive-branch" not in names(db_session)
    assert audit_entries() == []


def test_confirming_applies_the_import_and_audits_it(
    client, exported, preview, post_form, db_session, audit_entries
):
    rows = read_csv(exported)
    rows[2]["status"] = "suspended"
    rows.append(new_row())
    url, _page = preview(write_csv(rows))

    response = post_form(url, page=url)

    assert "Import done: 1 added, 1 updated." in text_of(client.get(response.headers["Location"]))
    db = fresh(db_session)
    assert db.scalar(select(Organization).filter_by(slug="olive-branch")).focus_areas == [
        "economy",
        "environment",
    ]
    assert client.get("/organizations/roots").status_code == 404
    entries = audit_entries()
    assert {entry.via for entry in entries} == {AuditVia.IMPORT}
    assert ("roots", "status", "active", "suspended") in {
        (e.subject_label, e.field, e.before, e.after) for e in entries
    }


def test_the_same_file_twice_changes_nothing_the_second_time(
    exported, preview, post_form, audit_entries
):
    data = write_csv([*read_csv(exported), new_row()])
    url, _page = preview(data)
    post_form(url, page=url)
    first = len(audit_entries())

    _url, again = preview(data)

    assert "0 to add, 0 to update, 4 unchanged" in text_of(again)
    assert len(audit_entries()) == first


@pytest.mark.usefixtures("exported")
def test_confirming_validates_the_file_without_holding_the_write_lock(
    client, preview, lock_while_checking, db_session
):
    url, page = preview(write_csv([new_row(slug=f"member-{n}", name=f"M {n}") for n in range(3)]))
    lock_while_checking.clear()  # the preview checked them too, with no lock to hold

    confirmed = client.post(url, data={"csrf_token": token_on(page)})

    assert confirmed.status_code == 303
    assert {"member-0", "member-1", "member-2"} <= set(names(db_session))
    assert lock_while_checking == [True, True, True]


@pytest.mark.usefixtures("exported")
def test_a_confirmed_import_cannot_be_confirmed_again(preview, post_form):
    url, _page = preview(write_csv([new_row()]))
    post_form(url, page=url)

    response = post_form(url, page=url)

    assert response.status_code == 409
    assert "This file has already been imported." in text_of(response)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([new_row(donation_url="http://olive.example.org")], "3 olive-branch error donation_url"),
        ([new_row(), new_row(name="Twice")], "The slug olive-branch is already on line 3."),
        ([new_row(slug="Olive Branch")], "slug: Use 2 to 80 lowercase letters"),
        ([new_row(focus_areas="economy;knitting")], "Unknown focus area: knitting."),
        ([new_row(region="atlantis")], "region: Choose one of the listed values."),
        ([new_row(status="paused")], "Choose one of: active, suspended."),
        ([new_row(kind="coalition")], "kind: only allmep can be the coalition."),
        ([new_row(slug="allmep", kind="member")], "kind: allmep is the coalition."),
        ([new_row(donation_url="")], "needs that page's address"),
        ([new_row(name="")], "name: This is required."),
    ],
)
@pytest.mark.usefixtures("exported")
def test_a_file_with_any_bad_row_writes_nothing(
    preview, post_form, db_session, audit_entries, rows, message
):
    good = new_row(slug="good-neighbours", name="Good Neighbours")
    url, page = preview(write_csv([good, *rows]))

    confirmed = post_form(url, page=url)

    assert message in text_of(page)
    assert "Import these changes" not in text_of(page)
    assert confirmed.status_code == 400
    assert "good-neighbours" not in names(db_session)
    assert audit_entries() == []


@pytest.mark.usefixtures("exported")
def test_blank_lines_are_skipped(preview):
    data = write_csv([new_row()]) + b",,,,,,,,,,,,,,,\r\n\r\n"

    _url, page = preview(data)

    assert "1 to add, 0 to update, 0 unchanged, 0 with errors." in text_of(page)


@pytest.mark.usefixtures("exported")
def test_a_row_with_the_wrong_number_of_cells_is_an_error(preview):
    data = write_csv([new_row()]) + b"short-row,member,Short\r\n"

    _url, page = preview(data)

    assert "short-row error This line does not have exactly 16 cells." in text_of(page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"slug,name\r\nroots,Roots\r\n", "Missing columns: kind, short_description"),
        (
            write_csv([new_row() | {"colour": "green"}]),
            "Unknown columns: colour.",
        ),
        (
            b"slug,slug," + ",".join(list(new_row())[1:]).encode() + b"\r\n",
            "A column appears twice.",
        ),
        ("slug,name\r\nroots,Rüths\r\n".encode("latin-1"), "The file is not UTF-8 text."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is not UTF-8 text."),
        (b"slug,kind\x00,name\r\n", "The file holds binary data, not CSV text."),
        (
            write_csv([new_row()]) + b'"unclosed,member,x\r\n',
            "is not valid CSV",
        ),
    ],
)
@pytest.mark.usefixtures("exported")
def test_malformed_file_is_refused_with_a_clear_message(upload, db_session, data, message):
    before = names(db_session)

    response = upload(data)

    assert response.status_code == 400
    assert message in text_of(response)
    assert names(db_session) == before


@pytest.mark.usefixtures("exported")
def test_ten_megabytes_of_garbage_is_refused_as_too_large(client, db_session):
    before = names(db_session)
    token = token_on(client.get(UPLOAD))
    # Built by hand: the test client would spool a large upload to a file it never closes.
    body = (
        (
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + os.urandom(10 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )

    response = client.post(UPLOAD, data=body, content_type="multipart/form-data; boundary=b")

    assert response.status_code == 413
    assert "That upload is too large" in text_of(response)
    assert names(db_session) == before


@pytest.mark.usefixtures("exported")
def test_an_upload_is_only_visible_to_the_admin_who_sent_it(app, preview, login_as):
    url, _page = preview(write_csv([new_row()]))
    other = app.test_client()
    login_as(email="other-admin@coalition.example", browser=other)

    assert other.get(url).status_code == 404


@pytest.mark.usefixtures("directory")
def test_cli_dry_run_shows_the_plan_and_writes_nothing(runner, tmp_path, db_session):
    path = tmp_path / "directory.csv"
    path.write_bytes(write_csv([new_row()]))

    result = runner.invoke(args=["import-orgs", str(path), "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "line 2: add olive-branch" in result.output
    assert "Dry run: nothing written." in result.output
    assert "olive-branch" not in names(db_session)


@pytest.mark.usefixtures("directory")
def test_cli_dry_run_plans_without_holding_the_write_lock(
    runner, tmp_path, database_url, monkeypatch
):
    path = tmp_path / "directory.csv"
    path.write_bytes(write_csv([new_row()]))
    seen = []
    plan_import = importer.plan_import

    def watched(session, checked):
        plan = plan_import(session, checked)
        seen.append(other_writer_gets_the_lock(database_url))
        return plan

    monkeypatch.setattr(importer, "plan_import", watched)

    dry = runner.invoke(args=["import-orgs", str(path), "--dry-run"])
    real = runner.invoke(args=["import-orgs", str(path)])

    assert (dry.exit_code, real.exit_code) == (0, 0), dry.output + real.output
    # The import itself plans and writes in one transaction, holding the lock from the start.
    assert seen == [True, not database_url.startswith("sqlite")]


@pytest.mark.usefixtures("directory")
def test_cli_imports_once_and_then_has_nothing_to_do(runner, tmp_path, db_session, audit_entries):
    path = tmp_path / "directory.csv"
    path.write_bytes(write_csv([new_row()]))

    first = runner.invoke(args=["import-orgs", str(path)])
    second = runner.invoke(args=["import-orgs", str(path)])

    assert "Imported: 1 added, 0 updated." in first.output
    assert "Nothing to change." in second.output
    assert names(db_session)["olive-branch"] == "Olive Branch"
    assert {entry.actor for entry in audit_entries()} == {"command line"}


@pytest.mark.usefixtures("directory")
def test_cli_validates_the_file_without_holding_the_write_lock(
    runner, tmp_path, db_session, lock_while_checking
):
    path = tmp_path / "directory.csv"
    path.write_bytes(write_csv([new_row(), new_row(slug="second-one", name="Second")]))

    result = runner.invoke(args=["import-orgs", str(path)])

    assert "Imported: 2 added, 0 updated." in result.output
    assert lock_while_checking == [True, True]


@pytest.mark.usefixtures("directory")
def test_cli_refuses_a_file_with_errors_and_writes_nothing(runner, tmp_path, db_session):
    path = tmp_path / "directory.csv"
    path.write_bytes(write_csv([new_row(slug="fine-one"), new_row(donation_url="ftp://x")]))

    result = runner.invoke(args=["import-orgs", str(path)])

    assert result.exit_code == 1
    assert "line 3: donation_url: Give a full address that starts with https://" in result.output
    assert "The file has errors: nothing was imported." in result.output
    assert "fine-one" not in names(db_session)


@pytest.mark.usefixtures("directory")
def test_cli_refuses_a_file_that_is_not_csv(runner, tmp_path):
    path = tmp_path / "directory.csv"
    path.write_bytes(b"\xff\xfe\x00garbage")

    result = runner.invoke(args=["import-orgs", str(path)])

    assert result.exit_code == 1
    assert "The file is not UTF-8 text." in result.output
