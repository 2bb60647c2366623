"""Two staff members editing the same record at once: the second save must not quietly undo the
first.

An edit form carries, in a hidden ``loaded`` field, a digest of the values it was opened with.
The save reads the record again inside its write transaction (``reread``: locked on PostgreSQL,
behind the writer's lock on SQLite, so no other save can land in between) and compares. If the
record changed since the form was opened, nothing is saved: the page comes back with the staff
member's entries still in it, says so, and carries the new digest, so that saving again is a
choice made knowing of the other edit. A save that sends no digest at all (a script, not the
page) is not compared.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import TypeVar

from flask import flash
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
