"""The admin's form for a member report link, and the member report's own query parameters."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import InputRequired, ValidationError

from portal.dates import months_back
from portal.reports.forms import RangeQuery
from portal.reports.members.queries import BY_DAY, BY_MONTH
from portal.reports.members.service import LONGEST_DAYS

DEFAULT_LINK_DAYS = 90


class LinkForm(FlaskForm):
    member = SelectField(_l("Member"), choices=[], validators=[InputRequired()])
    expires = DateField(
        _l("Works until"), validators=[InputRequired(message=_l("Give the last day it works."))]
    )

    def __init__(self, *args, today: date, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.member.choices = [SelectChoice(str(m.id), m.name) for m in members]
        if self.expires.data is None and not self.is_submitted():
            self.expires.data = today + timedelta(days=DEFAULT_LINK_DAYS)

    def validate_expires(self, field) -> None:
        if field.data is None:
            return  # not a date: the field already says so
        if field.data < self.today:
            raise ValidationError(_l("Choose today or a later day."))
        if (field.data - self.today).days > LONGEST_DAYS:
            raise ValidationError(_l("A link works for at most a year."))


class MemberReportQuery(RangeQuery):
    """A member report's range (the last 12 months by month, or 30 days by day, by default)."""

    by = SelectField(
        _l("Count by"),
        choices=[SelectChoice(BY_MONTH, _l("Month")), SelectChoice(BY_DAY, _l("Day"))],
        default=BY_MONTH,
    )

    def days(self, today: date) -> tuple[date, date]:
        if self.since.data is None and self.until.data is None and self.by.data == BY_MONTH:
            return months_back(today, 12), today
        return super().days(today)
