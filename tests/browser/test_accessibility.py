"""Accessible in every language: axe-core on every public page in English, Arabic and Hebrew at a
desktop and a phone width, and on every staff page; keyboard paths.

A page fails on any *serious* or *critical* axe violation. With ``SCREENSHOT_DIR`` set (``make
screenshots``), a screenshot of each page, language and width goes there, for people to look at.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.models import StaffRole
from tests.helpers.accessibility import blocking_violations
from tests.helpers.screenshots import save_screenshot
from tests.helpers.staff import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}
LANGUAGES = ["en", "ar", "he"]

# Public pages that need a value in their address; pages without one are found in the URL map.
PUBLIC_WITH_VALUES = [
    "/organizations?q=peace&focus=youth",
    "/organizations/roots",  # a member that takes gifts on its own page
    "/organizations/parents-circle",  # a member the coalition collects for
    "/donate/parents-circle",
    "/donate/parents-circle?cancelled=1",
    "/embed/roots",  # the donate widget other sites frame
    "/embed/parents-circle/snippet?amount=50&currency=EUR",
    "/no-such-page",
]
# Addresses that answer something other than a page for people: probes, and files (a name with a
# dot: feeds, calendars, images, sitemaps).
NOT_PAGES = {"/healthz", "/readyz"}


def public_pages(app) -> list[str]:
    """Every public GET page without a value in its address, plus the listed ones."""
    plain = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and not rule.rule.startswith(("/staff", "/static"))
        and rule.rule not in NOT_PAGES
        and "." not in rule.rule.rsplit("/", 1)[-1]
    }
    return sorted(plain) + PUBLIC_WITH_VALUES


def staff_pages(app) -> list[str]:
    """Every staff GET page without a value in its address (CSV downloads left out)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.rule.startswith("/staff")
        and not rule.rule.endswith((".csv", "/login"))
    )


def layout(page) -> dict:
    return page.evaluate(
        """() => ({
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            dir: getComputedStyle(document.body).direction,
            lang: document.documentElement.lang,
            // The outermost elements that stick out of the screen, to name in a failure.
            wide: [...document.querySelectorAll("body *:not(.skip-link)")]
                .filter(e => {
                    const box = e.getBoundingClientRect();
                    const out = b => b.right > window.innerWidth + 1 || b.left < -1;
                    const parent = e.parentElement;
                    return out(box) && !(parent && out(parent.getBoundingClientRect()));
                })
                .slice(0, 3)
                .map(e => [e.tagName.toLowerCase(), ...String(e.className).split(/ +/)]
                    .filter(Boolean).join(".")),
        })"""
    )


def shot_name(path: str, lang: str, width: str) -> str:
    """``organizations-roots-he-phone.png``; a query becomes part of the name."""
    if path.startswith("/reports/member/"):
        path = "member-report"  # the secret stays out of file names
    words = "".join(ch if ch.isalnum() else "-" for ch in path.strip("/")).strip("-")
    return f"{words or 'home'}-{lang}-{width}.png"


def with_language(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def check(page, base: str, path: str, *, lang: str, widths: tuple[str, ...]) -> list[str]:
    """Load ``path`` in ``lang`` at the first of ``widths``, then narrow or widen the same page
    to each of the others, as a turned phone or a resized window would: what is wrong with it at
    each (axe, sideways scroll, direction)."""
    page.set_viewport_size({"width": WIDTHS[widths[0]], "height": 900})
    response = page.goto(base + with_language(path, lang))
    if "text/html" not in (response.headers.get("content-type") or ""):
        return []
    problems = []
    for width in widths:
        page.set_viewport_size({"width": WIDTHS[width], "height": 900})
        found = blocking_violations(page)
        measured = layout(page)
        if width == "phone" and measured["overflow"] > 0:
            found.append(f"scrolls sideways by {measured['overflow']} px: {measured['wide']}")
        expected_dir = "rtl" if lang in {"ar", "he"} else "ltr"
        if (measured["lang"], measured["dir"]) != (lang, expected_dir):
            found.append(f"lang/dir is {measured['lang']}/{measured['dir']}")
        save_screenshot(page, shot_name(path, lang, width))
        problems += [f"{path} [{lang}, {width}] {problem}" for problem in found]
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_pass_axe_fit_a_phone_and_read_in_the_right_direction(
    page, app, live_server, lang
):
    problems = [
        problem
        for path in public_pages(app)
        for problem in check(page, live_server, path, lang=lang, widths=tuple(WIDTHS))
    ]

    assert problems == [], "\n".join(problems)


@pytest.fixture
def signed_in(page, live_server, make_staff):
    """The browser signed in as an admin, through the sign-in form."""
    admin = make_staff("admin@coalition.example", role=StaffRole.ADMIN)
    page.goto(live_server + "/staff/login?lang=en")
    page.get_by_label("Email").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/**")
    return page


def test_staff_pages_pass_axe_at_desktop_and_phone_widths(signed_in, app, live_server):
    pages = [*staff_pages(app), "/staff/organizations/1/edit"]
    problems = [
        problem
        for path in pages
        for lang, widths in [("en", ("desktop", "phone")), ("he", ("phone",))]
        for problem in check(signed_in, live_server, path, lang=lang, widths=widths)
    ]

    assert problems == [], "\n".join(problems)


def test_member_report_and_its_issued_link_pass_axe_in_every_language(signed_in, live_server):
    page = signed_in
    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    page.goto(live_server + "/staff/reports/links?lang=en")
    page.get_by_label("Member", exact=True).select_option(index=1)
    page.get_by_role("button", name="Create the link").click()
    page.wait_for_selector("code")
    issued = blocking_violations(page)
    issued_overflow = layout(page)["overflow"]  # the long secret address must wrap on a phone
    path = urlsplit(page.locator("code").first.inner_text().strip()).path

    problems = [
        problem
        for lang in LANGUAGES
        for problem in check(page, live_server, path, lang=lang, widths=tuple(WIDTHS))
    ]

    assert (issued, issued_overflow) == ([], 0)
    assert problems == [], "\n".join(problems)


def tab_to(page, selector: str, *, most: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (at most ``most`` presses)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focus_ring(page) -> dict:
    """The focused element's outline, as the browser draws it."""
    return page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return {style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor};
        }"""
    )


def test_language_is_switched_with_the_keyboard_alone_on_the_same_page(page, live_server):
    page.goto(live_server + "/organizations?q=peace")

    tab_to(page, '.language-switcher a[lang="he"]')
    ring = focus_ring(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**lang=he**")

    assert ring == {"style": "solid", "width": "3px", "color": "rgb(29, 78, 216)"}
    assert urlsplit(page.url).path == "/organizations"
    assert "q=peace" in page.url
    assert layout(page)["lang"] == "he" and layout(page)["dir"] == "rtl"


def test_directory_is_filtered_with_the_keyboard_alone(page, live_server):
    page.goto(live_server + "/organizations?lang=en")

    tab_to(page, "#q")
    page.keyboard.type("peace")
    tab_to(page, "#focus")
    page.keyboard.press("ArrowDown")  # the first focus area after "Any focus"
    chosen = page.evaluate("() => document.activeElement.value")
    tab_to(page, "form[role=search] button[type=submit]")
    assert focus_ring(page)["style"] == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**q=peace**")

    assert f"focus={chosen}" in page.url and chosen
    assert page.get_by_role("status").first.is_visible()


def test_every_tab_stop_on_a_page_shows_the_focus_ring(page, live_server):
    page.goto(live_server + "/donate/parents-circle?lang=ar")
    stops, unringed = 0, []
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break  # past the last control: focus has left the page
        stops += 1
        if focus_ring(page)["style"] == "none":
            unringed.append(page.evaluate("() => document.activeElement.outerHTML.slice(0, 80)"))

    assert stops >= 10
    assert unringed == []
