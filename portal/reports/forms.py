"""The reports' query parameters, validated like any other form: bad input is a 400, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal.models import ArrivedVia, HandoffMode, Organization
from portal.reports.scope import DEFAULT_DAYS, MAX_DAYS, Scope, default_range


def _printable(text: str | None) -> str:
    return "".join(c for c in text or "" if c.isprintable()).strip()


# Any day a report can be about, with room for the arithmetic of a range around it (a typed
# year 9999 or 0001 would overflow it).
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def _within_reach(day: date | None) -> None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _l("Choose a day from %(first)s to %(last)s.", first=FIRST_DAY, last=LAST_DAY)
        )


class RangeQuery(FlaskForm):
    """A range of whole UTC days; both ends included, the last 30 days when none is given."""

    class Meta:
        csrf = False  # reading a report changes nothing

    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])
    format = SelectField(
        _l("Format"),
        choices=[SelectChoice("", _l("Page")), SelectChoice("csv", "CSV")],
        default="",
    )
    table = StringField(_l("Table"), filters=[_printable], validators=[Length(max=40)])

    def show_range(self, since: date, until: date) -> None:
        """Fill the date fields with the range the report covers, when none was given."""
        self.since.data = self.since.data or since
        self.until.data = self.until.data or until

    def validate_since(self, field) -> None:
        _within_reach(field.data)

    def validate_until(self, field) -> None:
        _within_reach(field.data)
        since, until = self.since.data, field.data
        if since and until and since > until:
            raise ValidationError(_l("The range must not end before it starts."))
        if since and until and (until - since).days + 1 > MAX_DAYS:
            raise ValidationError(_l("A report covers at most three years."))

    def days(self, today: date) -> tuple[date, date]:
        """The chosen range, filled in from today where an end is missing."""
        since, until = self.since.data, self.until.data
        if since is None and until is None:
            return default_range(today)
        if until is None:
            until = max(since, today)
            until = min(until, since + timedelta(days=MAX_DAYS - 1))
        if since is None:
            since = until - timedelta(days=DEFAULT_DAYS - 1)
        return since, until


def _choices(anything, values) -> list[SelectChoice]:
    return [SelectChoice("", anything), *(SelectChoice(value, label) for value, label in values)]


class ReportQuery(RangeQuery):
    """The staff report's filters; the member list is filled in from the directory."""

    member = SelectField(_l("Recipient"), choices=[], default="", validate_choice=False)
    mode = SelectField(
        _l("Hand-off mode"),
        choices=_choices(
            _l("Both modes"),
            [(HandoffMode.EXTERNAL.value, _l("Own page")), (HandoffMode.STRIPE.value, "Stripe")],
        ),
        default="",
    )
    arrived = SelectField(
        _l("Arrived through"),
        choices=_choices(
            _l("Portal and shared links"),
            [
                (ArrivedVia.PORTAL.value, _l("Portal button")),
                (ArrivedVia.LINK.value, _l("Shared link")),
                (ArrivedVia.EMBED.value, _l("Button on a member’s site")),
            ],
        ),
        default="",
    )
    campaign = StringField(_l("Campaign"), filters=[_printable], validators=[Length(max=100)])

    def validate_member(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("No recipient has the slug “%(slug)s”.", slug=field.data[:80]))

    def offer_members(self, recipients) -> None:
        self.member.choices = _choices(_l("All recipients"), [(r.slug, r.name) for r in recipients])

    def scope(self, today: date, member: Organization | None) -> Scope:
        since, until = self.days(today)
        return Scope(
            since,
            until,
            member=member,
            mode=HandoffMode(self.mode.data) if self.mode.data else None,
            arrived_via=ArrivedVia(self.arrived.data) if self.arrived.data else None,
            campaign=self.campaign.data or None,
        )

    def filter_args(self, scope: Scope) -> dict[str, str]:
        """The filters as query parameters, the range spelled out, for links that repeat them."""
        args = {"since": scope.since.isoformat(), "until": scope.until.isoformat()}
        for name in ("member", "mode", "arrived", "campaign"):
            if self[name].data:
                args[name] = self[name].data
        return args
