"""The keyboard focus ring stands out (WCAG 2.2: at least 3:1) against every light background."""

from __future__ import annotations

import re

import pytest

_VARIABLE = re.compile(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b")
_BACKGROUND = re.compile(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6}|var\(--[\w-]+\))")


def luminance(colour: str) -> float:
    """Relative luminance as WCAG defines it."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.fixture(scope="module")
def stylesheet(repo_root) -> str:
    return (repo_root / "static" / "portal.css").read_text(encoding="utf-8")


def light_backgrounds(css: str) -> set[str]:
    """Every page, card and notice colour; focused controls sit on these (buttons get a gap)."""
    variables = dict(_VARIABLE.findall(css))
    found = set()
    for value in _BACKGROUND.findall(css):
        colour = variables[value[6:-1]] if value.startswith("var(") else value
        if luminance(colour) > 0.5:
            found.add(colour.lower())
    return found


def test_contrast_is_computed_as_wcag_does():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#f2b705", "#fbfaf7"), 1) == 1.7  # the old ring, as measured


def test_focus_ring_has_three_to_one_against_every_light_background(stylesheet):
    focus = dict(_VARIABLE.findall(stylesheet))["focus"]
    backgrounds = light_backgrounds(stylesheet)

    weak = {bg: round(contrast(focus, bg), 2) for bg in backgrounds if contrast(focus, bg) < 3}

    assert len(backgrounds) >= 4
    assert weak == {}


def test_every_focusable_element_gets_the_ring(stylesheet):
    rule = re.search(r"(?m)^:focus-visible\s*\{([^}]*)\}", stylesheet)

    assert rule, "one :focus-visible rule for every element, scrolling tables included"
    assert "outline: 3px solid var(--focus)" in rule[1]
