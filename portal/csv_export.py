"""CSV out for staff: spreadsheet-safe cells, streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import click

from portal.dates import day_range
from portal.db.session import database

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text: visitor-supplied values could otherwise run formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """Yield the CSV text line by line (header first), for a file or a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(list(header))
    yield _drain(buffer)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        yield _drain(buffer)


DAY = click.DateTime(formats=["%Y-%m-%d"])


def day_options(command):
    """``--since``/``--until`` (UTC days, both included) for an export command."""
    command = click.option("--until", type=DAY, help="Last day to include (UTC, YYYY-MM-DD).")(
        command
    )
    return click.option("--since", type=DAY, help="First day to include (UTC, YYYY-MM-DD).")(
        command
    )


def echo_csv(header, rows_for, since: datetime | None, until: datetime | None) -> None:
    """Print ``rows_for(session, start=…, end=…)`` as CSV for the days ``since``..``until``."""
    start, end = day_range(since and since.date(), until and until.date())
    if start and end and start >= end:
        raise click.BadParameter("--since must not be after --until")
    with database().sessions() as session:
        for line in csv_lines(header, rows_for(session, start=start, end=end)):
            click.echo(line, nl=False)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
