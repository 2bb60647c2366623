"""The demo directory in English, Arabic and Hebrew, loaded by ``seed-demo``."""

from __future__ import annotations

import json
import unicodedata

import pytest
from sqlalchemy import delete, func, select

from portal.directory.service import DEMO_FILE
from portal.models import Organization, OrganizationText
from tests.directory.test_search import listed

SCRIPT = {"ar": "ARABIC", "he": "HEBREW"}


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output


def scripts_of(text: str) -> set[str]:
    return {unicodedata.name(ch).split()[0] for ch in text if ch.isalpha()}


@pytest.mark.parametrize("language", ["ar", "he"])
def test_every_demo_entry_is_written_in_each_language_in_its_script(language):
    entries = json.loads(DEMO_FILE.read_text(encoding="utf-8"))["organizations"]

    for entry in entries:
        texts = entry["texts"][language]
        for name in ("short_description", "long_description", "country"):
            assert SCRIPT[language] in scripts_of(texts[name]), (entry["slug"], name)
        # A name is in the script, or a brand the member writes in Latin letters everywhere.
        assert SCRIPT[language] in scripts_of(texts["name"]) or texts["name"] in entry["name"]


@pytest.mark.usefixtures("seeded")
def test_seed_demo_gives_every_recipient_arabic_and_hebrew(db_session):
    recipients = db_session.scalar(select(func.count(Organization.id)))
    versions = db_session.scalars(select(OrganizationText)).all()

    assert len(versions) == 2 * recipients
    assert all(
        v.name and v.short_description and v.long_description and v.country for v in versions
    )


@pytest.mark.usefixtures("seeded")
def test_demo_member_page_reads_in_hebrew_and_arabic(client, read):
    hebrew = read(client.get("/organizations/combatants-for-peace?lang=he"))
    arabic = read(client.get("/organizations/combatants-for-peace?lang=ar"))

    assert hebrew.one("h1").text == "לוחמים לשלום"
    assert "ישראל ופלסטין" in hebrew.text  # the region; the country says the same, once
    assert "Israel" not in hebrew.text
    assert arabic.one("h1").text == "مقاتلون من أجل السلام"
    assert hebrew.all("p", class_="text-note") == []


@pytest.mark.usefixtures("seeded")
def test_demo_directory_is_found_in_arabic_and_hebrew(client, read):
    assert listed(client, read, "q=لوحמים") == []
    assert listed(client, read, "q=לוחמים") == ["Combatants for Peace"]
    assert listed(client, read, "q=مقاتلون") == ["Combatants for Peace"]


@pytest.mark.usefixtures("seeded")
def test_an_older_demo_database_gains_the_translations_once(runner, db_session):
    db_session.execute(delete(OrganizationText))
    db_session.commit()

    second = runner.invoke(args=["seed-demo"])
    third = runner.invoke(args=["seed-demo"])

    recipients = db_session.scalar(select(func.count(Organization.id)))
    assert f"{8 * recipients} translated text(s) added" in second.output
    assert "0 demo recipient(s) added." in third.output
    assert "translated" not in third.output
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(OrganizationText)) == 2 * recipients


@pytest.mark.usefixtures("seeded")
def test_seed_demo_keeps_a_translation_staff_edited(runner, db_session):
    roots = db_session.scalar(select(Organization).filter_by(slug="roots"))
    roots.set_text("name", "he", "שורשים (נערך)")
    db_session.commit()

    runner.invoke(args=["seed-demo"])

    db_session.rollback()
    roots = db_session.scalar(select(Organization).filter_by(slug="roots"))
    assert roots.text_in("name", "he") == "שורשים (נערך)"
