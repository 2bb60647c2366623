"""Searching, filtering and paging through the directory, and what bad input gets."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.models import OrgStatus


@pytest.fixture
def directory(make_org):
    """Three members that differ in every searchable way."""
    make_org(
        "ecopeace",
        name="EcoPeace Middle East",
        short_description="Environmentalists across borders.",
        long_description="They clean the Jordan River together.",
        focus=["environment"],
        region="israel-palestine",
        country="Jordan",
    )
    make_org(
        "heartbeat",
        name="Heartbeat",
        short_description="Young musicians.",
        long_description="Bands of Israeli and Palestinian teenagers.",
        focus=["arts", "youth"],
        region="jerusalem",
        country="Israel",
    )
    make_org(
        "holy-land-trust",
        name="Holy Land Trust",
        short_description="Nonviolence training.",
        long_description="Works from Bethlehem.",
        focus=["dialogue"],
        region="west-bank",
        country="Palestine",
    )


def listed(client, read, query: str) -> list[str]:
    response = client.get("/organizations?" + query)
    assert response.status_code == 200
    return sorted(read(response).listed_names)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=heartbeat", ["Heartbeat"]),
        ("q=borders", ["EcoPeace Middle East"]),
        ("q=Bethlehem", ["Holy Land Trust"]),
        ("q=Jordan", ["EcoPeace Middle East"]),
        ("q=jerusalem", ["Heartbeat"]),
        ("q=youth", ["Heartbeat"]),
    ],
    ids=["name", "short-description", "long-description", "country", "region", "focus"],
)
@pytest.mark.usefixtures("directory")
def test_search_finds_members_by_any_descriptive_field(client, read, query, found):
    assert listed(client, read, query) == found


@pytest.mark.usefixtures("directory")
def test_search_finds_members_by_the_label_of_their_focus_area(client, read):
    assert listed(client, read, "q=culture") == ["Heartbeat"]


@pytest.mark.usefixtures("directory")
def test_search_finds_environmental_members_by_the_environment_label(client, read):
    assert listed(client, read, "q=Environment") == ["EcoPeace Middle East"]


@pytest.mark.usefixtures("directory")
def test_search_finds_members_by_the_label_of_their_region(client, read):
    assert listed(client, read, "q=West+Bank") == ["Holy Land Trust"]


@pytest.mark.usefixtures("directory")
def test_search_ignores_case(client, read):
    assert listed(client, read, "q=hEaRtBeAt") == ["Heartbeat"]


@pytest.mark.usefixtures("directory")
def test_search_needs_every_word_to_match(client, read):
    assert listed(client, read, "q=Israeli+teenagers") == ["Heartbeat"]
    assert listed(client, read, "q=Israeli+Bethlehem") == []


@pytest.mark.usefixtures("directory")
def test_search_treats_wildcards_as_plain_characters(client, read, make_org):
    make_org("hundred", name="100% Peace", short_description="All in.", long_description="")

    assert listed(client, read, "q=%25") == ["100% Peace"]
    assert listed(client, read, "q=_") == []


@pytest.mark.usefixtures("directory")
def test_search_with_control_characters_still_answers(client, read):
    assert listed(client, read, "q=Heartbeat%09") == ["Heartbeat"]


@pytest.mark.usefixtures("directory")
def test_search_with_a_nul_byte_is_a_clear_400(client):
    response = client.get("/organizations?q=Holy%00Land")

    assert response.status_code == 400
    assert "could not be understood" in response.get_data(as_text=True)


@pytest.mark.usefixtures("directory")
def test_no_match_says_so(client, read):
    page = read(client.get("/organizations?q=submarine"))

    assert page.listed_names == []
    assert "No organization matches. Try fewer words or another filter." in page.text
    assert "0 organizations found" in page.text


@pytest.mark.usefixtures("directory")
def test_result_count_is_singular_for_one_match(client, read):
    page = read(client.get("/organizations?q=heartbeat"))

    assert "1 organization found" in page.text


@pytest.mark.usefixtures("directory")
def test_focus_filter_lists_only_members_with_that_focus(client, read):
    assert listed(client, read, "focus=youth") == ["Heartbeat"]


@pytest.mark.usefixtures("directory")
def test_region_filter_lists_only_members_in_that_region(client, read):
    assert listed(client, read, "region=west-bank") == ["Holy Land Trust"]


@pytest.mark.usefixtures("directory")
def test_search_and_filters_combine(client, read, make_org):
    make_org("kids4peace", name="Kids4Peace", focus=["youth"], region="jerusalem")

    assert listed(client, read, "q=Kids&focus=youth&region=jerusalem") == ["Kids4Peace"]
    assert listed(client, read, "q=Kids&focus=arts") == []


@pytest.mark.usefixtures("directory")
def test_search_form_keeps_what_was_asked(client, read):
    page = read(client.get("/organizations?q=music&focus=arts&region=jerusalem&sort=name"))

    assert page.one("input", name="q").attrs["value"] == "music"
    selected = {
        option.attrs["value"] for option in page.all("option") if "selected" in option.attrs
    }
    assert selected == {"arts", "jerusalem", "name"}


def test_suspended_members_and_the_coalition_are_not_listed(client, read, make_org, make_coalition):
    make_coalition(name="The Coalition")
    make_org("roots", name="Roots")
    make_org("gone", name="Gone Quiet", status=OrgStatus.SUSPENDED)

    assert listed(client, read, "") == ["Roots"]
    assert listed(client, read, "q=Coalition") == []
    assert listed(client, read, "q=Gone") == []


# Pages


@pytest.fixture
def many(app, make_org):
    """Ten youth members and one other, shown three per page."""
    app.config["DIRECTORY_PAGE_SIZE"] = 3
    for n in range(10):
        make_org(f"youth-{n}", name=f"Youth Group {n}", focus=["youth"])
    make_org("elders", name="Elders", focus=["dialogue"])


def rel_links(page, rel: str) -> tuple[list[str], list[str]]:
    """The ``<link rel>`` in the head and the ``<a rel>`` in the page, as hrefs."""
    return [e.attrs["href"] for e in page.all("link", rel=rel)], [
        e.attrs["href"] for e in page.all("a", rel=rel)
    ]


@pytest.mark.usefixtures("many")
def test_first_page_points_to_the_next_and_not_back(client, read):
    page = read(client.get("/organizations"))

    assert rel_links(page, "next") == (["/organizations?page=2"], ["/organizations?page=2"])
    assert rel_links(page, "prev") == ([], [])
    assert "Page 1 of 4" in page.text


@pytest.mark.usefixtures("many")
def test_middle_page_points_both_ways(client, read):
    page = read(client.get("/organizations?page=2"))

    assert rel_links(page, "prev") == (["/organizations?page=1"], ["/organizations?page=1"])
    assert rel_links(page, "next") == (["/organizations?page=3"], ["/organizations?page=3"])


@pytest.mark.usefixtures("many")
def test_last_page_points_only_back(client, read):
    page = read(client.get("/organizations?page=4"))

    assert len(page.listed_names) == 2
    assert rel_links(page, "next") == ([], [])
    assert rel_links(page, "prev") == (["/organizations?page=3"], ["/organizations?page=3"])


@pytest.mark.usefixtures("many")
def test_page_links_keep_the_search_and_filters(client, read):
    page = read(client.get("/organizations?q=Group&focus=youth&sort=name"))

    [link], [anchor] = rel_links(page, "next")
    assert link == anchor
    assert parse_qs(urlsplit(link).query) == {
        "q": ["Group"],
        "focus": ["youth"],
        "sort": ["name"],
        "page": ["2"],
    }


@pytest.mark.usefixtures("many")
def test_a_single_page_has_no_pagination(client, read):
    page = read(client.get("/organizations?focus=dialogue"))

    assert page.all("nav", class_="pagination") == []
    assert rel_links(page, "next") == ([], [])


@pytest.mark.usefixtures("many")
def test_page_beyond_the_last_is_a_not_found_page(client, read):
    response = client.get("/organizations?page=5")

    assert response.status_code == 404
    assert read(response).one("h1").text == "We couldn't find that page"


def test_empty_directory_has_one_empty_page(client):
    response = client.get("/organizations")

    assert response.status_code == 200
    assert client.get("/organizations?page=2").status_code == 404


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("page=0", "Page: Number must be between 1 and 10000."),
        ("page=-1", "Page: Number must be between 1 and 10000."),
        ("page=abc", "Page: Not a valid integer value."),
        ("page=99999999999", "Page: Number must be between 1 and 10000."),
        ("page=1.5", "Page: Not a valid integer value."),
        ("focus=astrology", "Focus area: Not a valid choice."),
        ("region=atlantis", "Region: Not a valid choice."),
        ("sort=random", "Order: Not a valid choice."),
        ("q=" + "a" * 10_240, "Search: Field cannot be longer than 100 characters."),
    ],
    ids=[
        "page-zero",
        "page-negative",
        "page-text",
        "page-huge",
        "page-fraction",
        "unknown-focus",
        "unknown-region",
        "unknown-sort",
        "q-10kb",
    ],
)
@pytest.mark.usefixtures("directory")
def test_bad_parameters_get_a_400_page_naming_the_field_and_the_problem(client, read, query, error):
    response = client.get("/organizations?" + query)

    assert response.status_code == 400
    page = read(response)
    assert page.one("h1").text == "That request could not be understood"
    assert "Please check what you entered." in page.text
    errors = [li.text for li in page.all("li") if li.within("field-errors")]
    assert error in errors
