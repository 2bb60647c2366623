"""Statement bodies and feed descriptions reach a page with nothing that runs or loads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.listen.text import clean_html, render_markdown
from tests.listen.helpers import threats

HOSTILE = [
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw link</a>',
    '<img src="https://tracker.example/p.gif" onerror="alert(1)">',
    '<p onclick="alert(1)">raw paragraph</p>',
    "![pixel](https://tracker.example/p.gif)",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"></svg>',
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
]


def test_markdown_keeps_formatting_and_plain_links():
    html = str(render_markdown("**Together** we [read more](https://example.org/a)."))

    assert "<strong>Together</strong>" in html
    assert 'href="https://example.org/a"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_raw_html_in_markdown_is_shown_as_text_not_run():
    html = str(render_markdown("\n\n".join(HOSTILE)))

    assert threats(html) == []
    assert "&lt;script&gt;" in html  # the reader sees what was typed


def test_a_heading_in_a_body_stays_below_the_page_title():
    assert str(render_markdown("# Inside")) == "<h2>Inside</h2>\n"


def test_feed_html_loses_scripts_handlers_and_images():
    html = clean_html("".join(HOSTILE) + "<p>kept <em>words</em></p>")

    assert threats(html) == []
    assert "<p>kept <em>words</em></p>" in html


@given(st.lists(st.sampled_from(HOSTILE) | st.text(max_size=20), max_size=8))
def test_nothing_hostile_survives_any_mix_of_text_and_attacks(parts):
    text = " ".join(parts)

    assert threats(clean_html(text)) == []
    assert threats(str(render_markdown(text))) == []
