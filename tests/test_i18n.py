"""Three languages: English first, Arabic and Hebrew right-to-left, every string translatable."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal import create_app
from portal.models import StaffRole
from portal.state import portal_state


class _RootAttributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "html" and self.attrs is None:
            self.attrs = dict(attrs)


def language_of(response) -> tuple[str, str]:
    """The page's ``(lang, dir)`` as the ``<html>`` element declares them."""
    parser = _RootAttributes()
    parser.feed(response.get_data(as_text=True))
    attrs = parser.attrs or {}
    return attrs.get("lang"), attrs.get("dir")


@pytest.fixture
def english_only(app_config):
    """A client of a portal configured with English alone."""
    app = create_app({**app_config, "LANGUAGES": ["en"]})
    yield app.test_client()
    portal_state(app).database.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/organizations", "/organizations/roots", "/nowhere"])
def test_pages_are_english_left_to_right_by_default(client, make_org, path):
    make_org("roots")

    assert language_of(client.get(path)) == ("en", "ltr")


def test_arabic_asked_in_the_address_is_right_to_left(client):
    response = client.get("/?lang=ar")

    assert language_of(response) == ("ar", "rtl")


def test_hebrew_preferred_by_the_browser_is_right_to_left(client):
    response = client.get("/", headers={"Accept-Language": "he-IL,he;q=0.9,en;q=0.5"})

    assert language_of(response) == ("he", "rtl")


def test_language_in_the_address_wins_over_the_browser_preference(client):
    response = client.get("/?lang=en", headers={"Accept-Language": "he"})

    assert language_of(response) == ("en", "ltr")


def test_unsupported_language_falls_back_to_english(client):
    response = client.get("/?lang=fr", headers={"Accept-Language": "fr, de"})

    assert language_of(response) == ("en", "ltr")


def test_language_not_switched_on_is_not_used(english_only):
    response = english_only.get("/?lang=ar", headers={"Accept-Language": "ar"})

    assert language_of(response) == ("en", "ltr")


def test_error_pages_follow_the_language(client):
    response = client.get("/organizations/nowhere?lang=he")

    assert response.status_code == 404
    assert language_of(response) == ("he", "rtl")


# Right-to-left readiness of the stylesheet

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_PHYSICAL = re.compile(
    r"""(?<![\w-])(?:
        (?:margin|padding|border|scroll-margin|scroll-padding)-(?:left|right)\b
      | border-(?:top|bottom)-(?:left|right)-radius\b
      | (?:left|right)\s*:
      | (?:text-align|float|clear)\s*:\s*(?:left|right)\b
    )""",
    re.X,
)
_SHORTHAND = re.compile(r"(?<![\w-])(margin|padding|inset|border-width)\s*:\s*([^;}]+)")


@pytest.fixture(scope="module")
def stylesheet(repo_root) -> str:
    return _COMMENT.sub("", (repo_root / "static" / "portal.css").read_text(encoding="utf-8"))


def test_stylesheet_uses_no_physical_left_or_right_properties(stylesheet):
    assert _PHYSICAL.findall(stylesheet) == []


def test_stylesheet_shorthands_give_both_inline_sides_the_same_value(stylesheet):
    lopsided = [
        f"{name}: {values}"
        for name, values in _SHORTHAND.findall(stylesheet)
        if len(parts := values.split()) == 4 and parts[1] != parts[3]
    ]

    assert lopsided == []


# Every visible template string goes through gettext

_JINJA = re.compile(
    r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S
)
_VISIBLE_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "label"}
_BUTTON_INPUTS = {"submit", "button", "reset"}
# A word has a small letter: acronyms such as CSV, PNG or UTC are names, the same in every language.
_WORD = re.compile(r"\b(?=[^\W\d_]*[^\W\d_A-Z])[^\W\d_]{2,}")


class _BareText(HTMLParser):
    """Words a visitor would see that are written straight into a template."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        visible = set(_VISIBLE_ATTRIBUTES)
        if tag == "input" and attrs.get("type") in _BUTTON_INPUTS:
            visible.add("value")
        self.found += [
            f"{tag}[{name}]={value!r}"
            for name, value in attrs.items()
            if name in visible and value and _WORD.search(value)
        ]

    def handle_data(self, data):
        if _WORD.search(data):
            self.found.append(data.strip())


def bare_text(template: str) -> list[str]:
    parser = _BareText()
    parser.feed(_JINJA.sub(" ", template))
    parser.close()
    return parser.found


def test_bare_text_check_notices_untranslated_words():
    template = (
        '<p>{{ _("Fine") }} Oops</p><input type="submit" value="Send">'
        '<img alt="A dove"><span>{{ org.name }} · 3</span>'
        "{% trans %}Fine too{% endtrans %}"
    )

    assert bare_text(template) == ["Oops", "input[value]='Send'", "img[alt]='A dove'"]


def test_templates_show_no_text_outside_gettext(repo_root):
    templates = sorted((repo_root / "templates").rglob("*.html"))

    found = {
        str(path.relative_to(repo_root)): words
        for path in templates
        if (words := bare_text(path.read_text(encoding="utf-8")))
    }

    assert templates
    assert found == {}


# Pages in Arabic and Hebrew show no English message


class _VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the labels screen readers announce."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in {"script", "style"}
        self.parts += [v for k, v in attrs if k in _VISIBLE_ATTRIBUTES and v]

    def handle_endtag(self, tag):
        self._hidden -= tag in {"script", "style"}

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(response) -> str:
    parser = _VisibleText()
    parser.feed(response.get_data(as_text=True))
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture(scope="module")
def english_phrases(repo_root) -> list[str]:
    """Source messages of two words or more, without placeholders: none may show untranslated."""
    from babel.messages.pofile import read_po

    po = repo_root / "portal" / "translations" / "ar" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as catalogue:
        ids = [m.id for m in read_po(catalogue) if isinstance(m.id, str) and m.id]
    return [i for i in ids if "%" not in i and len(i.split()) >= 2]


def pages_of(app, *, staff: bool) -> list[str]:
    """Every public (or staff) GET page with no value in its address; files and probes left out."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.rule.startswith("/staff") == staff
        and not rule.rule.startswith("/static")
        and "." not in rule.rule.rsplit("/", 1)[-1]
        and rule.endpoint.rsplit(".", 1)[-1] not in {"healthz", "readyz"}
    )


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("he", "rtl")])
def test_every_public_page_reads_in_the_language_with_no_english_message_left(
    app, client, make_org, make_coalition, english_phrases, lang, direction
):
    make_coalition()
    make_org("roots", name="Roots", country="Jaffa")  # what members write is theirs to translate
    paths = [*pages_of(app, staff=False), "/organizations/roots", "/donate/allmep", "/nowhere"]

    found = untranslated(client, paths, english_phrases, lang, direction)

    assert len(paths) > 8
    assert found == {}


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("he", "rtl")])
def test_every_staff_page_reads_in_the_language_with_no_english_message_left(
    app,
    client,
    make_org,
    login_as,
    english_phrases,
    lang,
    direction,
):
    make_org("roots", name="Roots", country="Jaffa")
    login_as(StaffRole.ADMIN)
    paths = pages_of(app, staff=True)

    found = untranslated(client, paths, english_phrases, lang, direction)

    assert len(paths) > 10
    assert found == {}


def untranslated(client, paths, english_phrases, lang, direction) -> dict:
    """Pages whose ``lang``/``dir`` is wrong or that still show an English message."""
    found = {}
    for path in paths:
        response = client.get(f"{path}?lang={lang}")
        if response.mimetype != "text/html" or 300 <= response.status_code < 400:
            continue
        text = visible_text(response)
        left = [phrase for phrase in english_phrases if phrase in text]
        if left or language_of(response) != (lang, direction):
            found[path] = (language_of(response), left)
    return found


# The language switcher


class _Switcher(HTMLParser):
    """The links of the header's language switcher: (lang, href, text, aria-current)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str, str | None]] = []
        self._inside = self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "language-switcher" in (attrs.get("class") or ""):
            self._inside = True
        elif tag == "a" and self._inside:
            self._link = [attrs["lang"], attrs["href"], "", attrs.get("aria-current")]

    def handle_data(self, data):
        if self._link:
            self._link[2] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link:
            self.links.append(tuple(self._link))
            self._link = None
        elif tag == "nav":
            self._inside = False


def switcher(response) -> list[tuple[str, str, str, str | None]]:
    parser = _Switcher()
    parser.feed(response.get_data(as_text=True))
    return parser.links


def test_switcher_names_each_language_in_itself_and_marks_the_one_in_use(client):
    links = switcher(client.get("/?lang=he"))

    assert [(lang, text, current) for lang, _, text, current in links] == [
        ("en", "English", None),
        ("ar", "العربية", None),
        ("he", "עברית", "true"),
    ]


def test_switcher_keeps_the_page_and_its_query(client, make_org):
    make_org("roots")

    links = switcher(client.get("/organizations?q=peace&focus=youth&lang=ar"))

    assert [href for _, href, _, _ in links] == [
        "/organizations?q=peace&focus=youth&lang=en",
        "/organizations?q=peace&focus=youth&lang=ar",
        "/organizations?q=peace&focus=youth&lang=he",
    ]


def test_language_chosen_with_the_switcher_is_remembered_on_the_next_pages(client, make_org):
    make_org("roots")
    hebrew = dict((lang, href) for lang, href, _, _ in switcher(client.get("/")))["he"]

    client.get(hebrew, headers={"Accept-Language": "en"})
    later = client.get("/organizations/roots", headers={"Accept-Language": "en"})

    assert language_of(later) == ("he", "rtl")


def test_switcher_is_on_error_and_staff_pages_too(client):
    for path in ["/nowhere", "/staff/login"]:
        assert [lang for lang, *_ in switcher(client.get(path))] == ["en", "ar", "he"], path


def test_no_switcher_when_only_one_language_is_on(english_only):
    assert switcher(english_only.get("/")) == []
