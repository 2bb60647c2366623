"""Gifts reported in a CSV file, for members without developers: the same four columns as a
postback, all rows or none."""

from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import Session

from portal.conversions.service import ReportError, read_report, record_conversion
from portal.models import Organization, ReportedVia

LARGEST_FILE = 256 * 1024


class ConversionUploadForm(FlaskForm):
    file = FileField(_l("CSV file of gifts"), validators=[FileRequired()])


def record_file(session: Session, org: Organization, data: bytes) -> tuple[int, int]:
    """Record every row of a CSV (header: portal_ref,amount,currency,frequency); returns how
    many were new and how many were reported before. Any bad row refuses the whole file
    (``ReportError`` naming the line) before anything is flushed. Flushes, never commits."""
    if len(data) > LARGEST_FILE:
        raise ReportError("the file is larger than 256 KB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ReportError("save the file as UTF-8 CSV") from None
    rows = list(csv.DictReader(io.StringIO(text)))
    reports = []
    for line, row in enumerate(rows, start=2):
        try:
            reports.append(read_report({k: v for k, v in row.items() if k is not None}))
        except ReportError as error:
            raise ReportError(f"line {line}: {error}") from None
    made = 0
    for line, reported in enumerate(reports, start=2):
        try:
            made += record_conversion(session, org, reported, ReportedVia.CSV)[1]
        except ReportError as error:
            raise ReportError(f"line {line}: {error}") from None
    return made, len(reports) - made
