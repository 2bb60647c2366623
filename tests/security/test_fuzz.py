"""Random and extreme values in every parameter, field and path of every route: never a 500.

Routes and their fields come from the app itself (``walk.Walker.survey``), so a route added
later is fuzzed too. Each route gets a few Hypothesis examples; the whole run stays under a
minute.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

EXTREMES = [
    "99999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2024-02-30",
    "XXX",
    "usd",
    "",
    " ",
    "\u202e\u200f",
    "😀",
    "%",
    "../../etc/passwd",
    "null",
    "[]",
    "x" * 5000,
]
VALUES = st.one_of(st.sampled_from(EXTREMES), st.text(max_size=40), st.integers().map(str))
PATH_TEXT = st.one_of(
    st.sampled_from([e for e in EXTREMES if e and "/" not in e]),
    st.text(st.characters(blacklist_characters="/", blacklist_categories=["Cs"]), min_size=1),
)
PATH_INTEGER = st.sampled_from(["0", "1", "99999999999999999999", "9223372036854775808", "007"])
EXAMPLES_PER_ROUTE = 10


def server_errors(method: str, where: str, response) -> list[str]:
    return [f"{method} {where}: {response.status_code}"] if response.status_code >= 500 else []


def _fuzz(walker, method, rule, fields):
    arguments = {
        name: PATH_INTEGER if isinstance(rule._converters[name], IntegerConverter) else PATH_TEXT
        for name in rule.arguments
    }

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        path_values=st.fixed_dictionaries({}, optional=arguments),
        data=st.fixed_dictionaries({}, optional=dict.fromkeys(fields, VALUES)),
    )
    def _one(path_values, data):
        path = walker.path_for(rule, path_values)
        response = walker.send(method, path, data)
        assert response.status_code < 500, f"{method} {path} {data!r}: {response.status_code}"
        if method == "POST":
            walker.sign_in()

    _one()


# Random examples reach different lines in each run, so the coverage gate would move with them:
# the walk runs with coverage paused, at full speed. What it proves is unchanged; the lines it
# reaches are measured by the tests written for them.
def test_no_value_in_any_parameter_or_field_is_a_server_error(walker, coverage_paused):
    for method, rule, fields in walker.survey():
        _fuzz(walker, method, rule, fields)


@pytest.mark.parametrize("body", [b"\xff\xfe\xfd=\xff", b"a=" + b"x" * 3_000_000])
def test_undecodable_or_huge_bodies_are_refused_cleanly(walker, body):
    problems = []
    for method, rule, _fields in walker.survey():
        if method == "POST":
            path = walker.path_for(rule, {})
            response = walker.client.post(
                path, data=body, content_type="application/x-www-form-urlencoded"
            )
            problems += server_errors(method, path, response)
            walker.sign_in()

    assert problems == []


def test_undecodable_query_strings_are_read_cleanly(walker):
    problems = []
    for method, rule, fields in walker.survey():
        if method == "GET":
            path = walker.path_for(rule, {})
            query = "&".join(f"{name}=%ff%fe%00" for name in fields) or "x=%ff"
            problems += server_errors(method, path, walker.client.get(f"{path}?{query}"))

    assert problems == []
