"""Whole UTC days and months: ranges cover exactly the days asked for, months only whole ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.dates import (
    day_range,
    day_start,
    days_between,
    last_days,
    month_days,
    month_end,
    months_back,
    whole_months,
)

# A loaded machine may pause any example: these pure functions get no per-example deadline.
UNTIMED = settings(deadline=None)
DAYS = st.dates(min_value=date(1970, 1, 1), max_value=date(2999, 12, 31))


@UNTIMED
@given(DAYS, st.integers(min_value=0, max_value=800))
def test_day_range_covers_both_ends_and_nothing_more(since, length):
    until = since + timedelta(days=length)
    start, end = day_range(since, until)
    assert start == datetime(since.year, since.month, since.day, tzinfo=UTC)
    assert end - start == timedelta(days=length + 1)
    assert (end - timedelta(microseconds=1)).date() == until


def test_day_range_leaves_a_missing_end_open():
    assert day_range(None, None) == (None, None)
    assert day_range(date(2026, 3, 1), None) == (day_start(date(2026, 3, 1)), None)


@UNTIMED
@given(DAYS, st.integers(min_value=0, max_value=800))
def test_days_between_lists_every_day_once_in_order(since, length):
    until = since + timedelta(days=length)
    days = days_between(since, until)
    assert days[0] == since and days[-1] == until and len(days) == length + 1
    assert all(later - earlier == timedelta(days=1) for earlier, later in pairwise(days))


@UNTIMED
@given(DAYS, st.integers(min_value=1, max_value=400))
def test_last_days_end_today_and_count_today(today, count):
    since, until = last_days(today, count)
    assert until == today and len(days_between(since, until)) == count


@UNTIMED
@given(DAYS)
def test_a_month_is_its_days_from_the_first_to_the_end(day):
    first = day.replace(day=1)
    days = month_days(first)
    assert days[0] == first and days[-1] == month_end(day)
    assert (days[-1] + timedelta(days=1)).day == 1
    assert {d.month for d in days} == {day.month}


@UNTIMED
@given(DAYS, st.integers(min_value=0, max_value=800))
def test_whole_months_are_exactly_the_months_inside_the_range(since, length):
    until = since + timedelta(days=length)
    inside = set(days_between(since, until))
    months = whole_months(since, until)
    assert all(set(month_days(month)) <= inside for month in months)
    covered = {d for month in months for d in month_days(month)}
    for day in inside - covered:
        assert not set(month_days(day.replace(day=1))) <= inside


@UNTIMED
@given(DAYS, st.integers(min_value=1, max_value=36))
def test_months_back_counts_the_current_month(today, months):
    first = months_back(today, months)
    assert first.day == 1
    assert (today.year - first.year) * 12 + today.month - first.month == months - 1


def test_twelve_months_back_from_a_leap_day():
    assert months_back(date(2028, 2, 29), 12) == date(2027, 3, 1)
