"""The fixed vocabularies members are described with, and their translatable labels."""

from babel import Locale
from flask_babel import lazy_gettext as _l

from portal.models.texts import TEXT_LANGUAGES

FOCUS_AREAS = {
    "dialogue": _l("Dialogue"),
    "education": _l("Education"),
    "youth": _l("Youth"),
    "women": _l("Women"),
    "environment": _l("Environment"),
    "health": _l("Health"),
    "economy": _l("Economy"),
    "media": _l("Media"),
    "arts": _l("Arts and culture"),
    "faith": _l("Faith"),
    "advocacy": _l("Advocacy"),
    "research": _l("Research"),
    "bereaved-families": _l("Bereaved families"),
    "sports": _l("Sports"),
    "technology": _l("Technology"),
}

REGIONS = {
    "israel": _l("Israel"),
    "west-bank": _l("West Bank"),
    "gaza": _l("Gaza"),
    "jerusalem": _l("Jerusalem"),
    "israel-palestine": _l("Israel and Palestine"),
    "international": _l("International"),
}

# The languages statements and events are written in, each named in itself, as a reader who
# reads it looks for it ("العربية", not "Arabic").
CONTENT_LANGUAGES = {code: Locale.parse(code).get_display_name(code) for code in TEXT_LANGUAGES}
