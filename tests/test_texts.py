"""Texts per language: what is stored, and which version a reader is shown."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import Organization, OrganizationText
from portal.texts import in_language, member_texts


def test_a_translation_left_empty_is_dropped(make_org, db_session):
    org = make_org("roots", texts={"ar": {"name": "جذور"}})

    org.set_text("name", "ar", "")
    db_session.commit()

    assert db_session.scalars(select(OrganizationText)).all() == []
    assert org.text_in("name", "ar") == ""


def test_text_in_the_original_language_is_the_members_own_columns(make_org):
    org = make_org("roots", name="שורשים", original_language="he")

    org.set_text("name", "he", "שורשים-גשר")

    assert org.name == "שורשים-גשר"
    assert org.translations == []


def test_each_field_falls_back_on_its_own(make_org):
    org = make_org(
        "roots", name="Roots", short_description="Neighbours.", texts={"ar": {"name": "جذور"}}
    )

    shown = member_texts(org, "ar")

    assert (shown.name, shown.name.lang) == ("جذور", "ar")
    assert (shown.short_description, shown.short_description.lang) == ("Neighbours.", "en")
    assert shown.fallback_language("name") is None
    assert shown.fallback_language("name", "short_description") == "en"


def test_an_empty_original_is_no_reason_for_a_note():
    versions = {("note", "en"): "", ("title", "en"): "Hello", ("title", "he"): "שלום"}

    shown = in_language(lambda f, lang: versions.get((f, lang), ""), ["title", "note"], "he", "en")

    assert shown.title == "שלום"
    assert shown.fallback_language("title", "note") is None


def test_deleting_a_member_deletes_its_translations(make_org, db_session):
    org = make_org("roots", texts={"he": {"name": "שורשים"}})

    db_session.delete(db_session.get(Organization, org.id))
    db_session.commit()

    assert db_session.scalars(select(OrganizationText)).all() == []
