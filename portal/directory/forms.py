"""The directory's search and filter parameters, validated like any other form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SearchField, SelectChoice, SelectField
from wtforms.validators import Length, NumberRange, Optional

from portal.paging import MAX_PAGE
from portal.vocabulary import FOCUS_AREAS, REGIONS


def _choices(anything: str, vocabulary: dict) -> list[SelectChoice]:
    """The catch-all choice, then the vocabulary (tuples are deprecated since WTForms 3.3)."""
    return [SelectChoice("", anything), *(SelectChoice(k, v) for k, v in vocabulary.items())]


class DirectoryQuery(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    # Control characters match nothing, and PostgreSQL refuses a NUL byte outright.
    q = SearchField(
        _l("Search"),
        filters=[lambda text: "".join(c if c.isprintable() else " " for c in text or "")],
        validators=[Optional(), Length(max=100)],
    )
    focus = SelectField(
        _l("Focus area"), choices=_choices(_l("Any focus"), FOCUS_AREAS), default=""
    )
    region = SelectField(_l("Region"), choices=_choices(_l("Anywhere"), REGIONS), default="")
    sort = SelectField(
        _l("Order"),
        choices=[
            SelectChoice("rotation", _l("Today's rotation")),
            SelectChoice("name", _l("Name, A to Z")),
        ],
        default="rotation",
    )
    page = IntegerField(
        _l("Page"),
        validators=[Optional(), NumberRange(min=1, max=MAX_PAGE)],
        default=1,
    )
