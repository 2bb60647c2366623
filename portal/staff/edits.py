"""Two staff members editing the same record at once: the second save must not quietly undo the
first.

An edit form carries, in a hidden ``loaded`` field, a digest of the values it was opened with.
The save reads the record again inside its write transaction (``reread``: locked on PostgreSQL,
behind the writer's lock on SQLite, so no other save can land in between) and compares. If the
record changed since the form was opened, nothing is saved: the page comes back with the staff
member's entries still in it, says so, and carries the new digest, so that saving again is a
choice made knowing of the other edit. A save that sends no digest at all (a script, not the
page) is not compared.

Every edit view does it the same way: ``reread_for`` inside its ``writing`` block, and
``refused`` for the 409 page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort, flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import HiddenField

_NOT_VALUES = {"csrf_token", "loaded"}
Record = TypeVar("Record")


class Versioned:
    """A form mixin: the hidden field that remembers what the form was opened with."""

    loaded = HiddenField()


def fingerprint(form: FlaskForm) -> str:
    """A digest of ``form``'s values (built from a record with ``formdata=None``)."""
    values = {
        name: sorted(value, key=str) if isinstance(value, list) else value
        for name, value in form.data.items()
        if name not in _NOT_VALUES
    }
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def reread(session: Session, model: type[Record], key: object) -> Record | None:
    """The ``model`` row of primary ``key`` as the database holds it now, its row locked for this
    transaction where the database locks rows; call it inside ``writing``. Everything the
    session had loaded is read again."""
    session.expire_all()
    return session.get(model, key, with_for_update={"of": model})


def remember(form: FlaskForm, version: Callable[[], str]) -> None:
    """On the request that opens ``form`` (not its submission): keep ``version()``, the digest
    of what it shows."""
    if not form.is_submitted():
        form.loaded.data = version()


def changed_since(form: FlaskForm, current: str) -> bool:
    """Whether the record changed after ``form`` was opened (its digest is now ``current``)."""
    return bool(form.loaded.data) and form.loaded.data != current


def refuse(form: FlaskForm, current: str) -> None:
    """Before drawing ``form`` again (with status 409): say why nothing was saved, and carry the
    new digest so that saving again keeps this staff member's entries."""
    form.loaded.data = current
    flash(
        _(
            "Someone else saved changes to this while you were editing, so yours were not "
            "saved. Your entries are still below: compare them with the saved version (open "
            "this page again in another tab), then save again to keep yours."
        ),
        "error",
    )


@dataclass(frozen=True)
class Reread(Generic[Record]):
    """A record read again for a save: as the database holds it now, the digest of that, and
    whether it changed since the form was opened (then the save must not happen)."""

    record: Record | None
    current: str
    conflict: bool


def reread_for(
    session: Session,
    form: FlaskForm,
    model: type[Record],
    key: object,
    version: Callable[[Record | None], str],
    *,
    missing_ok: bool = False,
) -> Reread[Record]:
    """Inside the save's ``writing`` block: ``model``'s row ``key`` read again and locked
    (``reread``), compared with what ``form`` was opened with. A row gone since is a 404 unless
    ``missing_ok`` (a page's first text); ``key`` None is a new record: nothing to compare."""
    if key is None:
        return Reread(None, "", False)
    record = reread(session, model, key)
    if record is None and not missing_ok:
        abort(404)
    current = version(record)
    return Reread(record, current, changed_since(form, current))


def refused(form: FlaskForm, found: Reread, page: Callable[[], object]):
    """The answer to a save refused because ``found`` changed: ``page()`` drawn after saying
    why (``refuse``), with status 409."""
    refuse(form, found.current)
    return page(), 409
