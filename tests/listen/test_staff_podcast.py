"""Staff refresh the podcast from its feed, correct episodes and say who speaks in them."""

from __future__ import annotations

from sqlalchemy import select

from portal.models import AuditSubject, Episode, StaffRole
from tests.helpers.pages import text_of
from tests.helpers.staff import fresh, save_as_opened
from tests.listen.helpers import item, rss

EPISODES = "/staff/listen/episodes"


def test_the_refresh_button_imports_the_configured_feed(
    app, client, feed_server, login_as, post_form
):
    app.config["PODCAST_FEED_URL"] = feed_server.serve("/feed.xml", rss(item("ep-1"), item("ep-2")))
    login_as()

    response = post_form(f"{EPISODES}/refresh", page=EPISODES, follow_redirects=True)

    assert "Podcast refreshed: 2 added, 0 updated, 0 skipped." in response.get_data(as_text=True)
    assert "Listening across lines" in client.get("/listen").get_data(as_text=True)


def test_a_failed_refresh_says_why_and_changes_nothing(
    app, feed_server, login_as, post_form, db_session
):
    app.config["PODCAST_FEED_URL"] = feed_server.serve("/feed.xml", b"<rss><channel><item>")
    login_as()

    response = post_form(f"{EPISODES}/refresh", page=EPISODES, follow_redirects=True)

    assert "not a readable RSS or Atom feed" in response.get_data(as_text=True)
    assert fresh(db_session).scalars(select(Episode)).all() == []


def test_without_a_feed_setting_the_page_explains_how_to_import(client, login_as):
    login_as()

    html = client.get(EPISODES).get_data(as_text=True)

    assert "No feed is set." in html
    assert "Refresh from the feed" not in html


def test_staff_link_an_episode_to_the_members_who_speak_in_it(
    client, make_org, make_episode, login_as, post_form, audit_entries
):
    roots = make_org("roots", name="Roots")
    make_org("ecopeace")
    episode = make_episode("Groundwork 7")
    login_as()
    url = f"{EPISODES}/{episode.id}/edit"

    response = post_form(
        url,
        {"title": episode.title, "description": episode.description, "members": [str(roots.id)]},
        page=url,
    )

    assert response.status_code == 303
    assert "Groundwork 7" in client.get("/organizations/roots").get_data(as_text=True)
    assert "Groundwork 7" not in client.get("/organizations/ecopeace").get_data(as_text=True)
    [entry] = [e for e in audit_entries() if e.subject_kind == AuditSubject.EPISODE]
    assert (entry.field, entry.before, entry.after) == ("members", "", "roots")


def test_an_edited_title_survives_the_next_refresh(
    app, feed_server, login_as, post_form, db_session, runner
):
    url = feed_server.serve("/feed.xml", rss(item("ep-1", "From the feed")))
    app.config["PODCAST_FEED_URL"] = url
    runner.invoke(args=["import-podcast"])
    episode = fresh(db_session).scalars(select(Episode)).one()
    login_as()
    edit = f"{EPISODES}/{episode.id}/edit"
    post_form(edit, {"title": "Corrected by staff", "description": "<p>Better</p>"}, page=edit)

    post_form(f"{EPISODES}/refresh", page=EPISODES)

    kept = fresh(db_session).scalars(select(Episode)).one()
    assert (kept.title, kept.description) == ("Corrected by staff", "<p>Better</p>")


def test_a_script_typed_into_a_description_is_cleaned(
    make_episode, login_as, post_form, db_session
):
    episode = make_episode()
    login_as()
    url = f"{EPISODES}/{episode.id}/edit"

    post_form(
        url, {"title": "T", "description": '<p onclick="x()">Hi</p><script>x()</script>'}, page=url
    )

    assert fresh(db_session).get(Episode, episode.id).description == "<p>Hi</p>"


def test_viewers_cannot_manage_the_podcast(client, login_as):
    login_as(StaffRole.VIEWER)

    assert client.get(EPISODES).status_code == 403


def test_seed_demo_loads_the_demo_podcast_once_with_its_voices(runner, client):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])

    assert "4 demo podcast episode(s) added." in first.output
    assert "0 demo podcast episode(s) added." in second.output
    member_page = client.get("/organizations/ecopeace").get_data(as_text=True)
    assert "Demo: Water knows no border" in member_page


def test_two_admins_editing_one_episode_at_once_lose_neither_edit(
    app, client, make_org, make_episode, login_as, db_session
):
    roots = make_org("roots", name="Roots")
    episode = make_episode("Groundwork 7")
    login_as(StaffRole.ADMIN, "first@coalition.example")
    second = app.test_client()
    login_as(StaffRole.ADMIN, "second@coalition.example", browser=second)
    url = f"{EPISODES}/{episode.id}/edit"
    base = {"title": episode.title, "description": episode.description, "members": []}
    first_page, second_page = client.get(url), second.get(url)

    retitled = save_as_opened(client, url, first_page, base | {"title": "Groundwork 7: Roots"})
    refused = save_as_opened(second, url, second_page, base | {"members": [str(roots.id)]})

    assert (retitled.status_code, refused.status_code) == (303, 409)
    assert "Someone else saved changes to this while you were editing" in text_of(refused)
    saved = fresh(db_session).get(Episode, episode.id)
    assert (saved.title, saved.members) == ("Groundwork 7: Roots", [])

    # Having seen the other edit, the second admin keeps it and saves again: both now hold.
    both = {**base, "title": "Groundwork 7: Roots", "members": [str(roots.id)]}
    assert save_as_opened(second, url, refused, both).status_code == 303
    saved = fresh(db_session).get(Episode, episode.id)
    assert (saved.title, [org.slug for org in saved.members]) == ("Groundwork 7: Roots", ["roots"])
