"""The directory's fair default order: a daily rotation, not A–Z, that anyone can recompute."""

from __future__ import annotations

import string
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.directory.rotation import rotate
from portal.models import utcnow

SLUG = st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=30)
SLUGS = st.lists(SLUG, unique=True, max_size=60)
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
FIFTEEN = [f"member-{n:02}" for n in range(15)]


def by_slug(slugs, day: date) -> list[str]:
    return rotate(slugs, day, slug=lambda slug: slug)


# What a donor sees


@pytest.fixture
def fifteen(app, make_org):
    """Fifteen members whose names sort A–Z like their slugs, all on one page by default."""
    app.config["DIRECTORY_PAGE_SIZE"] = 20
    letters = "ABCDEFGHIJKLMNO"
    return [
        make_org(slug, name=f"Member {letter}")
        for slug, letter in zip(FIFTEEN, letters, strict=True)
    ]


def test_default_order_is_todays_rotation_not_alphabetical(client, read, fifteen):
    today = utcnow().date()

    shown = read(client.get("/organizations")).listed_names

    assert shown == [org.name for org in rotate(fifteen, today)]
    assert shown != sorted(shown)


@pytest.mark.usefixtures("fifteen")
def test_directory_says_the_order_is_todays_rotation(client, read):
    page = read(client.get("/organizations"))

    assert "Shown in today’s rotation" in page.text


def test_rotation_pages_together_list_every_member_exactly_once(client, read, app, fifteen):
    app.config["DIRECTORY_PAGE_SIZE"] = 4

    shown = [
        name
        for number in range(1, 5)
        for name in read(client.get(f"/organizations?page={number}")).listed_names
    ]

    assert shown == [org.name for org in rotate(fifteen, utcnow().date())]
    assert sorted(shown) == sorted(org.name for org in fifteen)


@pytest.mark.usefixtures("fifteen")
def test_rotation_is_the_same_on_every_request_of_the_day(client, read):
    first = read(client.get("/organizations")).listed_names

    again = read(client.get("/organizations")).listed_names

    assert again == first


@pytest.mark.usefixtures("fifteen")
def test_sort_by_name_lists_members_a_to_z_ignoring_case(client, read, make_org):
    make_org("amal", name="amal-tikva")

    shown = read(client.get("/organizations?sort=name")).listed_names

    assert shown == ["amal-tikva", *(f"Member {letter}" for letter in "ABCDEFGHIJKLMNO")]


@pytest.mark.usefixtures("fifteen")
def test_name_order_does_not_claim_to_be_the_rotation(client, read):
    page = read(client.get("/organizations?sort=name"))

    assert "Shown in today’s rotation" not in page.text


def test_filtering_keeps_the_rotation_order_of_the_members_left(client, read, make_org):
    orgs = [
        make_org(f"group-{n:02}", focus=["youth"] if n % 2 else ["dialogue"]) for n in range(12)
    ]
    youth = [org.name for org in rotate(orgs, utcnow().date()) if "youth" in org.focus_areas]

    shown = read(client.get("/organizations?focus=youth")).listed_names

    assert shown == youth


# The rotation itself


@given(SLUGS, DAYS)
def test_rotation_is_a_permutation(slugs, day):
    assert sorted(by_slug(slugs, day)) == sorted(slugs)


@given(SLUGS, DAYS, st.data())
def test_rotation_of_any_subset_is_the_full_order_filtered(slugs, day, data):
    subset = data.draw(st.sets(st.sampled_from(slugs)) if slugs else st.just(set()))

    assert by_slug(subset, day) == [slug for slug in by_slug(slugs, day) if slug in subset]


@given(SLUGS, SLUG, DAYS)
def test_adding_a_member_never_reshuffles_the_others(slugs, newcomer, day):
    before = by_slug(slugs, day)

    after = by_slug([*slugs, newcomer], day)

    assert [slug for slug in after if slug != newcomer] == [s for s in before if s != newcomer]


@given(SLUGS, DAYS, st.randoms(use_true_random=False))
def test_rotation_depends_only_on_the_day_and_the_members(slugs, day, rng):
    shuffled = [SimpleNamespace(slug=slug) for slug in rng.sample(slugs, len(slugs))]

    again = [item.slug for item in rotate(shuffled, day)]

    assert again == by_slug(slugs, day)


@given(SLUGS, st.dates(max_value=date(2025, 12, 31)))
def test_a_past_days_order_can_be_recomputed(slugs, past_day):
    shown_that_day = by_slug(list(slugs), past_day)

    assert by_slug(list(reversed(slugs)), past_day) == shown_that_day


def test_rotation_changes_every_day():
    start = date(2026, 1, 1)

    orders = [by_slug(FIFTEEN, start + timedelta(days=n)) for n in range(60)]

    assert all(today != tomorrow for today, tomorrow in pairwise(orders))


def test_every_member_gets_a_fair_share_of_the_top_places_over_a_year():
    start = date(2026, 1, 1)
    days = [start + timedelta(days=n) for n in range(365)]

    first = Counter(by_slug(FIFTEEN, day)[0] for day in days)
    featured = Counter(slug for day in days for slug in by_slug(FIFTEEN, day)[:3])

    fair = 365 * 3 / len(FIFTEEN)
    assert set(first) == set(FIFTEEN)
    assert all(fair / 2 < featured[slug] < fair * 1.5 for slug in FIFTEEN)


def test_rotation_of_nothing_is_nothing():
    assert by_slug([], date(2026, 1, 1)) == []
