"""The Engage page's filters and the console's event form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional

from portal.listen.forms import language_choices
from portal.models import EventKind
from portal.staff.edits import Versioned
from portal.vocabulary import FOCUS_AREAS, REGIONS

CONTACT_MAX_CHARS = 3000  # a letter, not a manuscript: longer is refused, never cut

# The zones members and supporters are in; any other IANA name the database knows is accepted
# by the rules (``engage.service``), this is only what the form offers.
TIME_ZONES = (
    "Asia/Jerusalem",
    "Asia/Hebron",
    "Asia/Gaza",
    "Asia/Amman",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Toronto",
    "Australia/Sydney",
    "UTC",
)


# What a browser's datetime-local input sends and reads (WTForms' default first format has a
# space, which the input would show as empty).
_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def _with_any(anything, vocabulary: dict) -> list[SelectChoice]:
    return [SelectChoice("", anything), *(SelectChoice(k, v) for k, v in vocabulary.items())]


class EngageQuery(FlaskForm):
    """``/engage``'s filters; the member choices are the active recipients (set by the view)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    member = SelectField(_l("Member"), default="")
    focus = SelectField(
        _l("Focus area"), choices=_with_any(_l("Any focus"), FOCUS_AREAS), default=""
    )
    region = SelectField(_l("Place"), choices=_with_any(_l("Anywhere"), REGIONS), default="")
    language = SelectField(_l("Language"), choices=language_choices(_l("Any language")), default="")


class EventForm(Versioned, FlaskForm):
    """Rendering and CSRF only: ``engage.service.clean_event`` holds the rules."""

    organization_id = SelectField(_l("Whose event"), validate_choice=False)
    kind = SelectField(
        _l("What it is"),
        choices=[
            SelectChoice(EventKind.EVENT.value, _l("An event, at a set time")),
            SelectChoice(EventKind.OPPORTUNITY.value, _l("An opportunity to volunteer or visit")),
        ],
        validate_choice=False,
    )
    title = StringField(_l("Title"))
    description = TextAreaField(_l("Description (Markdown)"))
    language = SelectField(_l("Language"), choices=language_choices(), validate_choice=False)
    starts_at = DateTimeLocalField(
        _l("Starts (local time)"), format=_LOCAL_FORMATS, validators=[Optional()]
    )
    ends_at = DateTimeLocalField(
        _l("Ends (local time; for an opportunity, open until)"),
        format=_LOCAL_FORMATS,
        validators=[Optional()],
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[SelectChoice(zone, zone) for zone in TIME_ZONES],
        validate_choice=False,
    )
    online_url = URLField(_l("Online link (optional)"))
    place = StringField(_l("City or region (never an address)"))
    region = SelectField(
        _l("Region"), choices=_with_any(_l("Not set"), REGIONS), validate_choice=False
    )


class ContactForm(FlaskForm):
    """A visitor's message to a member. ``website`` is a honeypot: people never see it."""

    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)])
    email = EmailField(_l("Your email (optional)"), validators=[Optional(), Length(max=254)])
    share_email = BooleanField(_l("Share my email address with them, so they can answer"))
    message = TextAreaField(
        _l("Your message"), validators=[InputRequired(), Length(max=CONTACT_MAX_CHARS)]
    )
    website = StringField(_l("Leave this empty"))
