"""Staff enter members' texts in every language: the editor, the audit log, CSV out and in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Organization
from portal.staff.importer import LANGUAGE_COLUMNS
from tests.helpers.pages import Page, text_of
from tests.helpers.staff import fresh
from tests.staff.test_directory import NEW_FORM, member_fields
from tests.staff.test_import import EXPORT, new_row, read_csv, write_csv

ARABIC = {
    "name_ar": "الفجر الجديد",
    "short_description_ar": "شباب إسرائيليون وفلسطينيون يبنون معًا.",
    "long_description_ar": "ورشات عمل\nومخيمات صيفية.",
    "receipt_note_ar": "يصدر الائتلاف الإيصال.",
}
HEBREW = {"name_he": "שחר חדש", "short_description_he": "צעירים ישראלים ופלסטינים בונים יחד."}


@pytest.fixture
def admin(login_as):
    return login_as()


def member(db_session, slug: str = "new-dawn") -> Organization:
    return fresh(db_session).scalar(select(Organization).filter_by(slug=slug))


def edit_url(db_session, slug: str = "new-dawn") -> str:
    return f"/staff/organizations/{member(db_session, slug).id}/edit"


@pytest.mark.usefixtures("admin")
def test_admin_adds_a_member_in_three_languages(client, post_form, db_session):
    response = post_form(NEW_FORM, member_fields(**ARABIC, **HEBREW), page=NEW_FORM)

    assert response.status_code == 303
    hebrew = Page(client.get("/organizations/new-dawn?lang=he").get_data(as_text=True))
    assert hebrew.one("h1").text == "שחר חדש"
    arabic = Page(client.get("/organizations/new-dawn?lang=ar").get_data(as_text=True))
    assert "ورشات عمل ومخيمات صيفية." in arabic.text
    assert member(db_session).text_in("receipt_note", "ar") == "يصدر الائتلاف الإيصال."


@pytest.mark.usefixtures("admin")
def test_each_language_is_audited_field_by_field(post_form, db_session, audit_entries):
    post_form(NEW_FORM, member_fields(**ARABIC))
    url = edit_url(db_session)

    post_form(url, member_fields(**(ARABIC | {"name_ar": "فجر جديد"}), **HEBREW), page=url)

    changed = {e.field: (e.before, e.after) for e in audit_entries() if e.action == "changed"}
    assert changed == {
        "name_ar": ("الفجر الجديد", "فجر جديد"),
        "name_he": ("", "שחר חדש"),
        "short_description_he": ("", "צעירים ישראלים ופלסטינים בונים יחד."),
    }


@pytest.mark.usefixtures("admin")
def test_emptying_a_translation_is_audited_and_falls_back(
    client, post_form, db_session, audit_entries
):
    post_form(NEW_FORM, member_fields(**HEBREW))
    url = edit_url(db_session)

    post_form(url, member_fields(name_he="", short_description_he=""), page=url)

    changed = {e.field: e.after for e in audit_entries() if e.action == "changed"}
    assert changed == {"name_he": "", "short_description_he": ""}
    page = Page(client.get("/organizations/new-dawn?lang=he").get_data(as_text=True))
    assert page.one("h1").text == "New Dawn"


@pytest.mark.usefixtures("admin")
def test_the_editor_shows_each_translation_in_its_language(client, post_form, db_session):
    post_form(NEW_FORM, member_fields(**ARABIC, **HEBREW))

    page = Page(client.get(edit_url(db_session)).get_data(as_text=True))

    name_ar = page.one("input", name="name_ar")
    assert (name_ar.attrs["value"], name_ar.attrs["lang"], name_ar.attrs["dir"]) == (
        "الفجر الجديد",
        "ar",
        "auto",
    )
    assert page.one("textarea", name="long_description_ar").text == "ورشات عمل ومخيمات صيفية."
    assert page.all("input", name="name_en") == []  # English is the original: the main fields
    legends = [legend.text for legend in page.all("legend")]
    assert "In Arabic" in legends and "In Hebrew" in legends


@pytest.mark.usefixtures("admin")
def test_text_in_the_original_language_belongs_in_the_main_field(post_form, db_session):
    response = post_form(NEW_FORM, member_fields(name_en="New Dawn"), page=NEW_FORM)

    assert response.status_code == 400
    assert "its text goes in the main field" in text_of(response)
    assert member(db_session) is None


@pytest.mark.usefixtures("admin")
def test_a_member_writing_in_arabic_keeps_arabic_as_original(client, post_form, db_session):
    fields = member_fields(
        original_language="ar", name="الفجر الجديد", short_description="شباب.", name_en="New Dawn"
    )

    post_form(NEW_FORM, fields)

    org = member(db_session)
    assert (org.original_language, org.name, org.text_in("name", "en")) == (
        "ar",
        "الفجر الجديد",
        "New Dawn",
    )
    english = Page(client.get("/organizations/new-dawn?lang=en").get_data(as_text=True))
    assert english.one("h1").text == "New Dawn"
    assert [p.text for p in english.all("p", class_="text-note")] == ["This text is in Arabic."]


@pytest.mark.usefixtures("admin")
def test_an_unknown_original_language_is_refused(post_form):
    response = post_form(NEW_FORM, member_fields(original_language="xx"), page=NEW_FORM)

    assert response.status_code == 400
    assert "Choose one of: en, ar, he." in text_of(response)


@pytest.mark.usefixtures("admin")
def test_staff_list_names_members_in_the_staff_members_language(client, post_form):
    post_form(NEW_FORM, member_fields(**HEBREW))

    page = text_of(client.get("/staff/organizations/?lang=he"))

    assert "שחר חדש" in page


# CSV


@pytest.mark.usefixtures("admin")
def test_export_carries_every_language_in_its_own_columns(client, post_form):
    post_form(NEW_FORM, member_fields(**ARABIC, **HEBREW))

    [row] = read_csv(client.get(EXPORT).data)

    assert row["original_language"] == "en"
    assert row["name"] == "New Dawn"
    assert row["name_ar"] == "الفجر الجديد"
    assert row["long_description_ar"] == "ورشات عمل\nومخيمات صيفية."
    assert row["short_description_he"] == HEBREW["short_description_he"]
    assert row["name_en"] == ""


@pytest.mark.usefixtures("admin")
def test_reimporting_a_trilingual_export_changes_nothing(client, post_form, preview, audit_entries):
    post_form(NEW_FORM, member_fields(**ARABIC, **HEBREW))
    before = len(audit_entries())

    url, page = preview(client.get(EXPORT).data)
    post_form(url, page=url)

    assert "0 to add, 0 to update, 1 unchanged" in text_of(page)
    assert len(audit_entries()) == before


@pytest.mark.usefixtures("admin")
def test_importing_translations_adds_them_and_audits_each(
    preview, post_form, db_session, audit_entries
):
    row = new_row(
        original_language="he", name="ענף זית", name_en="Olive Branch", name_ar="غصن الزيتون"
    )
    data = write_csv([row | {name: row.get(name, "") for name in LANGUAGE_COLUMNS}])

    url, _page = preview(data)
    post_form(url, page=url)

    org = member(db_session, "olive-branch")
    assert (org.name, org.text_in("name", "en"), org.text_in("name", "ar")) == (
        "ענף זית",
        "Olive Branch",
        "غصن الزيتون",
    )
    fields = {e.field for e in audit_entries()}
    assert {"name", "name_en", "name_ar", "original_language"} <= fields


@pytest.mark.usefixtures("admin")
def test_a_file_without_language_columns_leaves_translations_alone(post_form, preview, db_session):
    post_form(NEW_FORM, member_fields(**HEBREW))
    old_format = write_csv([new_row(slug="new-dawn", name="New Dawn (renamed)")])

    url, _page = preview(old_format)
    post_form(url, page=url)

    org = member(db_session)
    assert (org.name, org.text_in("name", "he")) == ("New Dawn (renamed)", "שחר חדש")


@pytest.mark.usefixtures("admin")
def test_some_language_columns_without_the_others_are_refused(upload):
    response = upload(write_csv([new_row(name_ar="غصن الزيتون")]))

    assert response.status_code == 400
    assert "Missing columns: original_language, name_en" in text_of(response)


def test_cli_imports_every_language(runner, db_session, tmp_path):
    row = new_row(name_he="ענף זית")
    path = tmp_path / "directory.csv"
    path.write_bytes(write_csv([row | {name: row.get(name, "") for name in LANGUAGE_COLUMNS}]))

    result = runner.invoke(args=["import-orgs", str(path)])

    assert "Imported: 1 added, 0 updated." in result.output
    assert member(db_session, "olive-branch").text_in("name", "he") == "ענף זית"


@pytest.mark.usefixtures("admin")
def test_members_written_in_hebrew_and_arabic_round_trip_through_csv(
    client, make_org, preview, post_form, audit_entries
):
    make_org("tsomet", name="צומת", original_language="he", texts={"en": {"name": "Tsomet"}})
    make_org("judur", name="جذور", original_language="ar", texts={"he": {"name": "שורשים"}})

    rows = {row["slug"]: row for row in read_csv(client.get(EXPORT).data)}
    url, page = preview(client.get(EXPORT).data)
    post_form(url, page=url)

    assert (rows["tsomet"]["name"], rows["tsomet"]["name_en"]) == ("צומת", "Tsomet")
    assert (rows["judur"]["original_language"], rows["judur"]["name_he"]) == ("ar", "שורשים")
    assert "0 to add, 0 to update, 2 unchanged" in text_of(page)
    assert audit_entries() == []


@pytest.mark.usefixtures("admin")
def test_the_audit_log_shows_each_script_as_written(client, post_form, db_session):
    post_form(NEW_FORM, member_fields(**HEBREW))
    url = edit_url(db_session)
    post_form(url, member_fields(**HEBREW, name_ar="الفجر الجديد"), page=url)

    page = text_of(client.get("/staff/audit?lang=ar"))

    assert "שחר חדש" in page
    assert "الفجر الجديد" in page


@pytest.mark.usefixtures("admin")
def test_staff_list_says_which_languages_each_member_has(client, make_org):
    make_org("tsomet", name="צומת", original_language="he", texts={"en": {"name": "Tsomet"}})
    make_org("roots", name="Roots")

    page = Page(client.get("/staff/organizations/?lang=en").get_data(as_text=True))

    languages = [cell.text for cell in page.all("td", class_="languages")]
    assert sorted(languages) == ["English (original)", "Hebrew (original), English"]
