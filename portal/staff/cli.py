"""Console commands: create a staff account, import the directory, check donation links."""

from __future__ import annotations

from contextlib import nullcontext
from functools import wraps
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.db.session import database
from portal.db.writing import writing
from portal.models import StaffRole, utcnow
from portal.staff import importer, links, passwords, service
from portal.staff.audit import Actor
from portal.staff.importer import RowAction
from portal.state import portal_state


def init_app(app: Flask) -> None:
    app.cli.add_command(create_staff)
    app.cli.add_command(import_orgs)
    app.cli.add_command(check_links)


def _in_default_language(command):
    # There is no request to pick a language from: speak the portal's default one.
    @wraps(command)
    def run(*args, **kwargs):
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            return command(*args, **kwargs)

    return run


@click.command("create-staff")
@with_appcontext
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice([role.value for role in StaffRole]),
    required=True,
    help="admin: edits the directory and manages staff; viewer: reads reports.",
)
@click.option(
    "--generate-password",
    is_flag=True,
    help="Make up a strong password and print it once, instead of asking for one.",
)
@_in_default_language
def create_staff(email: str, role: str, generate_password: bool):
    """Create a staff account. There are no default accounts: this is how the first one starts."""
    if generate_password:
        password = passwords.generate_password()
    else:
        password = click.prompt(
            _("Password (at least %(count)d characters)", count=passwords.MIN_LENGTH),
            hide_input=True,
            confirmation_prompt=True,
        )
    with database().sessions() as session:
        try:
            with writing(session):
                staff = service.create_staff(
                    session, Actor.of(None), email=email, role=StaffRole(role), password=password
                )
        except service.StaffError as error:
            raise click.ClickException(str(error)) from None
        click.echo(_("Created %(role)s account %(email)s.", role=staff.role, email=staff.email))
    if generate_password:
        click.echo(_("Password (shown only this once): %(password)s", password=password))


@click.command("import-orgs")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@_in_default_language
def import_orgs(file: Path, dry_run: bool):
    """Create and update directory recipients from a CSV file with the export's columns.

    Nothing is written unless every row is valid.
    """
    data = file.read_bytes()
    if len(data) > current_app.config["STAFF_MAX_UPLOAD_BYTES"]:
        raise click.ClickException(_("The file is too large."))
    rows, file_errors = importer.read_rows(data)
    if file_errors:
        raise click.ClickException("\n".join(file_errors))
    coalition_slug = current_app.config["COALITION_SLUG"]
    with click.progressbar(rows, label=_("Checking rows")) as bar:
        checked = importer.check_rows(bar, coalition_slug=coalition_slug)
    # A dry run only reads: it leaves SQLite's write lock to the hand-offs and webhooks.
    with database().sessions() as session, nullcontext() if dry_run else writing(session):
        plan = importer.plan_import(session, checked)
        _echo_plan(plan)
        if not plan.is_valid:
            raise click.ClickException(_("The file has errors: nothing was imported."))
        if dry_run or not plan.changes_anything:
            click.echo(_("Dry run: nothing written.") if dry_run else _("Nothing to change."))
            return
        created, updated = importer.apply_import(
            session, Actor.of(None), plan, coalition_slug=coalition_slug
        )
    portal_state().referrals.routes.invalidate()
    click.echo(
        _("Imported: %(created)d added, %(updated)d updated.", created=created, updated=updated)
    )


@click.command("check-links")
@with_appcontext
@click.option("--timeout", type=float, help="Seconds to wait for each site.")
@_in_default_language
def check_links(timeout: float | None):
    """Request every recipient's donation page and record how it answered."""
    config = current_app.config
    with database().sessions() as session:
        to_check = links.targets(session)
        session.rollback()  # hold nothing open while waiting on other people's servers
        with click.progressbar(length=len(to_check), label=_("Checking donation pages")) as bar:
            results = links.check_all(
                to_check,
                timeout=timeout or config["LINK_CHECK_TIMEOUT"],
                allow_http_loopback=config["LINK_CHECK_ALLOW_HTTP_LOOPBACK"],
                on_result=lambda _result: bar.update(1),
            )
        with writing(session):
            links.record_results(session, results, now=utcnow())
    broken = [result for result in results if not result.ok]
    for result in broken:
        problem = result.error or f"HTTP {result.status_code}"
        click.echo(_("Broken: %(slug)s (%(problem)s)", slug=result.target.slug, problem=problem))
    click.echo(
        _(
            "%(working)d working, %(broken)d broken.",
            working=len(results) - len(broken),
            broken=len(broken),
        )
    )


def _echo_plan(plan: importer.ImportPlan) -> None:
    for row in plan.rows:
        if row.action == RowAction.ERROR:
            for error in row.errors:
                click.echo(_("line %(line)d: %(error)s", line=row.line, error=error))
        elif row.action == RowAction.CREATE:
            click.echo(_("line %(line)d: add %(slug)s", line=row.line, slug=row.slug))
        elif row.action == RowAction.UPDATE:
            fields = ", ".join(row.changes)
            click.echo(
                _(
                    "line %(line)d: update %(slug)s (%(fields)s)",
                    line=row.line,
                    slug=row.slug,
                    fields=fields,
                )
            )
    click.echo(
        _(
            "%(created)d to add, %(updated)d to update, %(unchanged)d unchanged, "
            "%(failed)d with errors.",
            created=len(plan.having(RowAction.CREATE)),
            updated=len(plan.having(RowAction.UPDATE)),
            unchanged=len(plan.having(RowAction.UNCHANGED)),
            failed=len(plan.having(RowAction.ERROR)),
        )
    )
