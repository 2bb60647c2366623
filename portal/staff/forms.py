"""The console's forms. Every one carries a CSRF token, the sign-in form included."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import EqualTo, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.models import TEXT_LANGUAGES, TRANSLATED_FIELDS, HandoffMode, StaffRole
from portal.staff.edits import Versioned
from portal.staff.passwords import MAX_LENGTH
from portal.texts import language_name
from portal.vocabulary import FOCUS_AREAS, REGIONS


def _vocabulary(words: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in words.items()]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[InputRequired()])


class ActionForm(FlaskForm):
    """A button that changes something: only its CSRF token is needed."""


ROLE_CHOICES = [
    SelectChoice(StaffRole.VIEWER.value, _l("Viewer: reads reports")),
    SelectChoice(StaffRole.ADMIN.value, _l("Admin: also edits the directory and manages staff")),
]


class NewStaffForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[InputRequired(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=StaffRole.VIEWER.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    new = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(
        _l("New password, again"),
        validators=[InputRequired(), EqualTo("new", message=_l("The two new passwords differ."))],
    )


class OrganizationForm(Versioned, FlaskForm):
    """Rendering and CSRF only: the directory rules live in ``directory_service``, shared with
    the CSV import, so the form does not validate choices itself."""

    slug = StringField(_l("Slug (the last part of the member page’s address)"))
    name = StringField(_l("Name"))
    short_description = StringField(_l("Short description (on the card)"))
    long_description = TextAreaField(_l("What they do"))
    region = SelectField(
        _l("Region"),
        choices=[SelectChoice("", _l("Not set")), *_vocabulary(REGIONS)],
        validate_choice=False,
    )
    country = StringField(_l("Country"))
    focus_areas = SelectMultipleField(
        _l("Focus areas"),
        choices=_vocabulary(FOCUS_AREAS),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    website = URLField(_l("Website"))
    donation_url = URLField(_l("Donation page"))
    listen_url = URLField(_l("Listen (statement or podcast)"))
    engage_url = URLField(_l("Get involved"))
    handoff_mode = SelectField(
        _l("How gifts are handed off"),
        choices=[
            SelectChoice(HandoffMode.EXTERNAL.value, _l("External: the donor goes to their page")),
            SelectChoice(HandoffMode.STRIPE.value, _l("Stripe: the coalition collects for them")),
        ],
        validate_choice=False,
    )
    stripe_account_id = StringField(_l("Stripe Connect account (optional, acct_…)"))
    receipt_note = StringField(_l("Note on receipts (optional)"))
    original_language = SelectField(
        _l("Language the member writes in"),
        choices=[SelectChoice(code, LazyString(language_name, code)) for code in TEXT_LANGUAGES],
        validate_choice=False,
    )


def _translated(field, language: str):
    """The same field for one language, its label naming the language (errors are listed by
    label, so each must say which language it is about)."""
    label = _l(
        "%(field)s (%(language)s)",
        field=field.args[0],
        language=LazyString(language_name, language),
    )
    return field.field_class(label, **field.kwargs)


def _add_translations(form: type[FlaskForm]) -> None:
    """``name_ar``, ``short_description_he``…: one field per language per member text."""
    for language in TEXT_LANGUAGES:
        for name in TRANSLATED_FIELDS:
            setattr(form, f"{name}_{language}", _translated(getattr(form, name), language))


_add_translations(OrganizationForm)


class ImportForm(FlaskForm):
    file = FileField(_l("Directory CSV file"), validators=[FileRequired()])
