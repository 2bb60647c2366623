"""Reports in tests: a fixed "today", rows written as the portal writes them, tables read back."""

from __future__ import annotations

import csv
import io
import itertools
import secrets
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from babel.dates import format_date
from sqlalchemy import insert

from portal.models import ArrivedVia, Donation, DonationStatus, Frequency, Referral, ReferralStatus
from portal.state import portal_state
from tests.helpers.clock import Clock

# Reports run on a fixed "today", so day boundaries in tests never depend on the wall clock.
TODAY = date(2025, 6, 15)
NOW = datetime.combine(TODAY, time(12, 0), UTC)


def at(day: date, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second, micro), UTC)


@pytest.fixture
def report_clock(app) -> Clock:
    clock = Clock(NOW)
    portal_state(app).clocks.reports = clock
    return clock


@pytest.fixture
def add_referrals(db_session):
    """Factory: ``add_referrals(org, when, n=3, is_bot=True)``; returns the rows it wrote.
    ``commit=False`` leaves them in the session's transaction, for a set-up that writes many."""
    numbers = itertools.count(1)

    def _add(org, when: datetime, n: int = 1, *, commit: bool = True, **fields) -> list[dict]:
        rows = []
        for _ in range(n):
            row = {
                "ref": secrets.token_hex(8),
                "created_at": when,
                "organization_id": org.id,
                "mode": org.handoff_mode,
                "status": ReferralStatus.REDIRECTED,
                "arrived_via": ArrivedVia.PORTAL,
                "utm_source": None,
                "utm_medium": None,
                "utm_campaign": None,
                "referrer_host": None,
                "is_bot": False,
                "bot_reason": None,
                "visitor_hash": f"visitor-{next(numbers)}",
                "destination_url": f"https://{org.slug}.example.org/donate",
                "failure_reason": None,
            }
            row.update(fields)
            rows.append(row)
        ids = db_session.scalars(
            insert(Referral).returning(Referral.id, sort_by_parameter_order=True), rows
        )
        for row, referral_id in zip(rows, ids, strict=True):
            row["id"] = referral_id
        if commit:
            db_session.commit()
        return rows

    return _add


@pytest.fixture
def add_donation(db_session):
    """Factory: one donation row as the ledger keeps it; ``renewal=True`` for a later invoice;
    ``commit=False`` leaves it in the session's transaction, for a set-up that writes many."""
    numbers = itertools.count(1)

    def _add(
        org, when: datetime, amount: int = 5000, currency: str = "USD", *, commit=True, **fields
    ) -> Donation:
        n, renewal = next(numbers), fields.pop("renewal", False)
        fields.setdefault("frequency", Frequency.MONTHLY if renewal else Frequency.ONE_TIME)
        fields.setdefault("status", DonationStatus.PAID)
        donation = Donation(
            organization_id=org.id,
            amount=amount,
            currency=currency,
            created_at=when,
            stripe_checkout_session_id=None if renewal else f"cs_test_{n}",
            stripe_invoice_id=f"in_test_{n}" if renewal else None,
            **fields,
        )
        db_session.add(donation)
        if commit:
            db_session.commit()
        return donation

    return _add


def in_range(row_time: datetime, since: date, until: date) -> bool:
    return at(since, 0) <= row_time < at(until + timedelta(days=1), 0)


def count_by_member(rows: list[dict], since: date, until: date, **filters) -> dict[int, tuple]:
    """Per organization id: (people, bots, unique visitors, portal clicks, shared-link visits,
    clicks on members' own sites)."""
    people, bots, portal, link, embed = (defaultdict(int) for _ in range(5))
    seen = defaultdict(set)
    for row in rows:
        if not in_range(row["created_at"], since, until):
            continue
        if any(row[name] != value for name, value in filters.items()):
            continue
        org = row["organization_id"]
        if row["is_bot"]:
            bots[org] += 1
            continue
        people[org] += 1
        seen[org].add((row["created_at"].date(), row["visitor_hash"]))
        channel = {ArrivedVia.PORTAL: portal, ArrivedVia.EMBED: embed}.get(row["arrived_via"], link)
        channel[org] += 1
    orgs = set(people) | set(bots)
    return {o: (people[o], bots[o], len(seen[o]), portal[o], link[o], embed[o]) for o in orgs}


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._current: str | None = None
        self._section: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._current = attrs.get("id", "")
            self.tables[self._current] = []
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._current is not None and self._section == "tbody":
            self.tables[self._current].append([])
        elif tag in ("td", "th") and self._current is not None and self._section == "tbody":
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._current][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._current = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def shown_day(day: date) -> str:
    """A day as the English report page writes it ("Jun 15, 2025"); the CSV keeps 2025-06-15."""
    return format_date(day, "medium", locale="en")


def page_table(response, name: str) -> list[list[str]]:
    """The body rows of the report table ``name`` as the page shows them."""
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    rows = parser.tables[f"table-{name}"]
    return [] if rows and len(rows[0]) == 1 and len(rows) == 1 else rows


def csv_table(response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, rows


def number(text: str) -> int:
    return int(text.replace(",", ""))
