"""The Listen page's filters and the console's statement form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.paging import MAX_PAGE
from portal.staff.edits import Versioned
from portal.vocabulary import CONTENT_LANGUAGES, FOCUS_AREAS


def language_choices(anything: str | None = None) -> list[SelectChoice]:
    first = [SelectChoice("", anything)] if anything else []
    return [*first, *(SelectChoice(code, name) for code, name in CONTENT_LANGUAGES.items())]


class ListenQuery(FlaskForm):
    """``/listen``'s filters; the member choices are the active recipients (set by the view)."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    member = SelectField(_l("Member"), default="")
    focus = SelectField(
        _l("Focus area"),
        choices=[
            SelectChoice("", _l("Any focus")),
            *(SelectChoice(k, v) for k, v in FOCUS_AREAS.items()),
        ],
        default="",
    )
    language = SelectField(_l("Language"), choices=language_choices(_l("Any language")), default="")
    page = IntegerField(
        _l("Page"), validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)], default=1
    )


class StatementForm(Versioned, FlaskForm):
    """Rendering and CSRF only: ``listen.service.clean_statement`` holds the rules."""

    organization_id = SelectField(_l("Whose statement"), validate_choice=False)
    title = StringField(_l("Title"))
    summary = TextAreaField(_l("Summary (one or two sentences, shown in lists and feeds)"))
    body = TextAreaField(_l("Text (Markdown: **bold**, *italic*, [link](https://…), lists)"))
    language = SelectField(_l("Language"), choices=language_choices(), validate_choice=False)
    original_url = URLField(_l("Link to the original (optional)"))
    translation_of_id = SelectField(_l("Translation of (optional)"), validate_choice=False)


class PublishForm(FlaskForm):
    published_on = DateField(_l("Publication date (empty: today)"), validators=[Optional()])


class EpisodeForm(Versioned, FlaskForm):
    """Staff's corrections to an imported episode, and who speaks in it."""

    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    description = TextAreaField(
        _l("Description (HTML; cleaned like the feed's)"), validators=[Length(max=20_000)]
    )
    members = SelectMultipleField(
        _l("Who speaks in it"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
