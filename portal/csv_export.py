"""CSV out for staff: spreadsheet-safe cells, streamed row by row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta

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


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC bounds ``[start, end)`` covering whole days, ``until`` included."""
    start = datetime.combine(since, time.min, UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None
    return start, end


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
