"""The directory as CSV: export, and an import that writes nothing unless every row is valid.

The file is read and every row validated before the write transaction begins (``check_rows``);
only the comparison with the directory as it is (``plan_import``) and the writes hold the lock.
Rows are matched by slug. Importing the file just exported, or the same file twice, changes
nothing and audits nothing; recipients missing from the file are left as they are. The language
columns (``original_language``, ``name_ar``, ``short_description_he``…) come all together or not
at all: a file without them leaves every member's translations as they are.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.csv_export import safe_cell
from portal.models import ImportBatch, Organization, RecipientKind, Staff
from portal.staff import audit
from portal.staff import directory_service as rules
from portal.staff.audit import Actor

HEADER = ("slug", "kind", *rules.IMPORT_FIELDS)
LANGUAGE_COLUMNS = ("original_language", *rules.TRANSLATION_FIELDS)
KEEP_UPLOADS = timedelta(days=1)
MAX_ROWS = 5000


@dataclass(frozen=True)
class SourceRow:
    line: int
    cells: dict[str, str]
    complete: bool  # one cell per column, no more, no less


@dataclass(frozen=True)
class CheckedRow:
    """A row as validated on its own: its values, or why it cannot be imported."""

    line: int
    slug: str
    values: dict[str, object]
    errors: list[str]


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass
class RowPlan:
    line: int
    slug: str
    action: RowAction
    values: dict[str, object] = field(default_factory=dict)
    changes: dict[str, tuple] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    def having(self, action: RowAction) -> list[RowPlan]:
        return [row for row in self.rows if row.action == action]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.having(RowAction.ERROR)

    @property
    def changes_anything(self) -> bool:
        return bool(self.having(RowAction.CREATE) or self.having(RowAction.UPDATE))


def export_rows(session: Session) -> Iterator[tuple]:
    """Every recipient, the coalition first, in ``HEADER`` order."""
    orgs = session.scalars(select(Organization).order_by(Organization.kind, Organization.slug))
    for org in orgs:
        values = (rules.current_value(org, name) for name in HEADER[2:])
        yield (org.slug, org.kind, *(audit.as_text(value) for value in values))


def read_rows(data: bytes) -> tuple[list[SourceRow], list[str]]:
    """Parse an uploaded file into ``(line number, row)`` pairs, or say why it can't be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")]
    if "\x00" in text:
        return [], [_("The file holds binary data, not CSV text.")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return _rows(reader)
    except csv.Error as error:
        return [], [
            _("Line %(line)d is not valid CSV (%(error)s).", line=reader.line_num, error=str(error))
        ]


def check_rows(rows: Iterable[SourceRow], *, coalition_slug: str) -> list[CheckedRow]:
    """Validate every row by itself and against the others (a slug twice), asking the database
    nothing: the slow part of an import, done before its write transaction begins."""
    first_seen: dict[str, int] = {}
    checked = []
    for row in rows:
        line, slug = row.line, row.cells["slug"].strip()
        values, errors = _check_row(row, slug, coalition_slug)
        if slug in first_seen:
            errors.append(
                _(
                    "The slug %(slug)s is already on line %(line)d.",
                    slug=slug,
                    line=first_seen[slug],
                )
            )
        first_seen.setdefault(slug, line)
        checked.append(CheckedRow(line, slug, values, errors))
    return checked


def plan_import(session: Session, checked: Iterable[CheckedRow]) -> ImportPlan:
    """What importing the checked rows would do to the directory as it is now, row by row,
    without changing anything (one read of the recipients)."""
    existing = {org.slug: org for org in session.scalars(select(Organization))}
    plan = ImportPlan()
    for row in checked:
        org = existing.get(row.slug)
        if row.errors:
            plan.rows.append(RowPlan(row.line, row.slug, RowAction.ERROR, errors=row.errors))
        elif org is None:
            plan.rows.append(RowPlan(row.line, row.slug, RowAction.CREATE, values=row.values))
        else:
            changes = rules.changes_for(org, row.values)
            action = RowAction.UPDATE if changes else RowAction.UNCHANGED
            plan.rows.append(RowPlan(row.line, row.slug, action, row.values, changes))
    return plan


def apply_import(
    session: Session, actor: Actor, plan: ImportPlan, *, coalition_slug: str
) -> tuple[int, int]:
    """Carry out a valid plan; returns ``(created, updated)``. Flushes, never commits."""
    if not plan.is_valid:
        raise rules.DirectoryError(_("The file has errors: nothing was imported."))
    existing = {org.slug: org for org in session.scalars(select(Organization))}
    for row in plan.having(RowAction.CREATE):
        rules.create_organization(
            session, actor, row.slug, row.values, coalition_slug=coalition_slug
        )
    for row in plan.having(RowAction.UPDATE):
        rules.update_organization(session, actor, existing[row.slug], row.values)
    return len(plan.having(RowAction.CREATE)), len(plan.having(RowAction.UPDATE))


def keep_upload(
    session: Session, staff: Staff, filename: str, data: bytes, *, now: datetime
) -> ImportBatch:
    """Hold a readable upload until it is confirmed; uploads a day old are dropped. Flushes."""
    session.execute(delete(ImportBatch).where(ImportBatch.created_at < now - KEEP_UPLOADS))
    batch = ImportBatch(
        token=secrets.token_hex(16),
        staff_id=staff.id,
        filename=(filename or "upload.csv")[:200],
        content=data.decode("utf-8-sig"),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    return batch


def find_upload(session: Session, staff: Staff, token: str, *, now: datetime) -> ImportBatch | None:
    """The uploader's own pending upload, if it is recent enough, as the database has it now
    (even if this session loaded it before)."""
    return session.scalar(
        select(ImportBatch)
        .where(
            ImportBatch.token == token,
            ImportBatch.staff_id == staff.id,
            ImportBatch.created_at >= now - KEEP_UPLOADS,
        )
        .execution_options(populate_existing=True)
    )


def _rows(reader) -> tuple[list[SourceRow], list[str]]:
    header = [name.strip().lower() for name in next(reader, [])]
    if not any(header):
        return [], [_("The file is empty.")]
    problems = _header_problems(header)
    if problems:
        return [], problems
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            return [], [_("The file has more than %(count)d rows.", count=MAX_ROWS)]
        padded = [*cells, *[""] * len(header)]
        row = dict(zip(header, padded, strict=False))
        rows.append(SourceRow(reader.line_num, row, complete=len(cells) == len(header)))
    return rows, []


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    optional = () if set(LANGUAGE_COLUMNS) & set(header) else LANGUAGE_COLUMNS
    missing = [name for name in HEADER if name not in header and name not in optional]
    unknown = [name for name in header if name not in HEADER]
    if missing:
        problems.append(_("Missing columns: %(names)s.", names=", ".join(missing)))
    if unknown:
        problems.append(_("Unknown columns: %(names)s.", names=", ".join(unknown)))
    if len(set(header)) != len(header):
        problems.append(_("A column appears twice."))
    if problems:
        problems.append(
            _("The first line must name these columns: %(names)s.", names=", ".join(HEADER))
        )
    return problems


def _check_row(
    source: SourceRow, slug: str, coalition_slug: str
) -> tuple[dict[str, object], list[str]]:
    row = source.cells
    if not source.complete:
        return {}, [_("This line does not have exactly %(count)d cells.", count=len(row))]
    names = tuple(name for name in rules.IMPORT_FIELDS if name in row)
    raw = {name: _unescape(row[name]) for name in names}
    raw["focus_areas"] = [area for area in raw["focus_areas"].split(";") if area.strip()]
    values, field_errors = rules.clean_fields(raw, names)
    errors = [
        f"{name}: {message}" for name, messages in field_errors.items() for message in messages
    ]
    return values, _identity_problems(slug, row["kind"].strip(), coalition_slug) + errors


def _identity_problems(slug: str, kind: str, coalition_slug: str) -> list[str]:
    problem = rules.slug_problem(slug)
    if problem:
        return [f"slug: {problem}"]
    expected = rules.kind_for(slug, coalition_slug)
    if kind and kind != expected:
        if expected == RecipientKind.COALITION:
            return [_("kind: %(slug)s is the coalition.", slug=slug)]
        return [_("kind: only %(slug)s can be the coalition.", slug=coalition_slug)]
    return []


def _unescape(value: str) -> str:
    """Undo ``safe_cell``'s quote before a formula-like value, so an export re-imports as is."""
    if value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value
