"""The form that builds a campaign link."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

_TAG = 100


def _printable(form, field) -> None:
    if field.data and not field.data.isprintable():
        raise ValidationError(_l("Use letters, digits, spaces and punctuation only."))


class MemberCampaignLinkForm(FlaskForm):
    """A member's own link: the recipient is the member whose report link is used."""

    campaign = StringField(
        _l("Campaign name"),
        validators=[InputRequired(), Length(max=_TAG), _printable],
        description=_l("Shown in reports and sent on to the member, e.g. spring-appeal-2026."),
    )
    source = StringField(
        _l("Source (optional)"),
        validators=[Optional(), Length(max=_TAG), _printable],
        description=_l("Where the link is placed: newsletter, poster, instagram…"),
    )
    medium = StringField(
        _l("Medium (optional)"),
        validators=[Optional(), Length(max=_TAG), _printable],
        description=_l("What kind of placement: email, print, social…"),
    )


class CampaignLinkForm(MemberCampaignLinkForm):
    """Staff choose the recipient."""

    recipient = SelectField(_l("Recipient"), choices=[], validators=[InputRequired()])

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.recipient.choices = [SelectChoice(str(org.id), org.name) for org in recipients]
