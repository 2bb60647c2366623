"""What report pages answer with besides HTML: a 400 for bad parameters, a table as CSV."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from portal.csv_export import csv_lines
from portal.errors import BadInput
from portal.reports.tables import Table


def check(form) -> None:
    """Refuse a report's query parameters with a 400 that names each field by its label."""
    if not form.validate():
        raise BadInput({str(form[name].label.text): errs for name, errs in form.errors.items()})


def csv_response(tables: dict[str, Table], name: str, stem: str) -> Response:
    """One table of a report as a CSV download; an unknown table name is a 400."""
    table = tables.get(name)
    if table is None:
        raise BadInput({_("Table"): [_("Choose one of: %(names)s.", names=", ".join(tables))]})
    lines = csv_lines([column.key for column in table.columns], table.csv_rows())
    # The byte-order mark makes spreadsheet programs read Arabic and Hebrew names as UTF-8.
    return Response(
        "\ufeff" + "".join(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{stem}-{name}.csv"'},
    )
