"""UTM tags merged into members' URLs, and a hand-off that can only lead where it should."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.referrals.links import is_https_url, tagged_url

TAGS = {"utm_source": "coalition-portal", "utm_medium": "shared-link", "utm_campaign": "spring"}

keys = st.text(st.characters(codec="utf-8", exclude_characters="&=#%\x00"), min_size=1, max_size=8)
values = st.text(st.characters(codec="utf-8", exclude_characters="&#%\x00"), max_size=12)
queries = st.lists(st.tuples(keys, values), max_size=5)


def member_url(pairs, fragment="") -> str:
    from urllib.parse import urlencode

    query = urlencode(pairs)
    return "https://member.example/give" + (f"?{query}" if query else "") + fragment


@given(pairs=queries, fragment=st.sampled_from(["", "#form", "#a%20b"]))
def test_merging_keeps_every_existing_parameter_in_order(pairs, fragment):
    url = member_url(pairs, fragment)

    merged = tagged_url(url, TAGS)

    parsed = parse_qsl(urlsplit(merged).query, keep_blank_values=True)
    assert parsed[: len(pairs)] == pairs
    assert urlsplit(merged).fragment == urlsplit(url).fragment
    assert merged.startswith("https://member.example/give")


def first_values(pairs) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in pairs:
        found.setdefault(key, value)
    return found


@given(pairs=queries, campaign=values)
def test_members_own_tags_win_and_ours_fill_the_rest(pairs, campaign):
    url = member_url(pairs)
    tags = {**TAGS, "utm_campaign": campaign or None}

    merged = first_values(parse_qsl(urlsplit(tagged_url(url, tags)).query, keep_blank_values=True))

    own = first_values(pairs)
    assert {key: merged[key] for key in own} == own
    for key, value in tags.items():
        if key not in own and value:
            assert merged[key] == value


@given(value=st.text(max_size=30))
def test_any_tag_value_round_trips_through_encoding(value):
    merged = tagged_url("https://member.example/give", {"utm_campaign": value})

    parsed = dict(parse_qsl(urlsplit(merged).query, keep_blank_values=True))
    assert parsed.get("utm_campaign", "") == value


def test_encoded_characters_in_the_members_url_stay_encoded():
    url = "https://member.example/d%C3%A9/give?note=a%2Fb&x=%20#top"

    merged = tagged_url(url, TAGS)

    assert merged.startswith("https://member.example/d%C3%A9/give?note=a%2Fb&x=%20&")
    assert merged.endswith("#top")


def test_internationalized_domain_goes_out_as_punycode(client, make_org):
    make_org("roots", donation_url="https://שלום.example/תרומה?x=1")

    location = client.get("/go/roots", headers={"User-Agent": "Mozilla/5.0"}).headers["Location"]

    assert location.startswith("https://xn--")
    assert urlsplit(location).hostname.endswith(".example")
    assert "x=1" in location


def test_url_without_a_path_gets_one():
    assert tagged_url("https://member.example", {"a": "1"}) == "https://member.example/?a=1"


@pytest.mark.parametrize(
    "value",
    [
        "http://member.example",
        "//member.example",
        "javascript:alert(1)",
        "https://",
        "https://user:pw@member.example",
        "https://member.example\\@evil.example",
        "https://member.example:99999",
        "ftp://member.example",
        "https://a b.example",
        "",
    ],
)
def test_only_absolute_https_urls_are_accepted(value):
    assert not is_https_url(value)


@pytest.mark.parametrize(
    "path",
    [
        "/go//evil.example",
        "/go/%2F%2Fevil.example",
        "/go/\\evil.example",
        "/go/%5Cevil.example",
        "/go/roots%2F..%2F..%2Fevil",
        "/go/roots/../evil",
        "/go/https:%2F%2Fevil.example",
        "/go/ROOTS",
        "/go/roots%00",
        "/go/roots?next=https://evil.example",
    ],
)
def test_crafted_handoff_paths_never_leave_for_an_unstored_url(client, make_org, path):
    make_org("roots", donation_url="https://roots.example.org/give")

    response = client.get(path, headers={"User-Agent": "Mozilla/5.0"})

    location = response.headers.get("Location", "")
    host = urlsplit(location).hostname
    assert host in {None, "roots.example.org", "portal.test"}
    assert "evil" not in (host or "")
