"""Console commands: create a staff account, import the directory, check donation links."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from portal.db import begin_write, database
from portal.models import StaffRole, utcnow
from portal.referrals import desk
from portal.staff import importer, links, passwords, service
from portal.staff.audit import Actor


def init_app(app: Flask) -> None:
    app.cli.add_command(create_staff)
    app.cli.add_command(import_orgs)
    app.cli.add_command(check_links)


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
def create_staff(email: str, role: str, generate_password: bool):
    """Create a staff account. There are no default accounts: this is how the first one starts."""
    if generate_password:
        password = passwords.generate_password()
    else:
        password = click.prompt(
            f"Password (at least {passwords.MIN_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
        )
    with database().sessions() as session:
        begin_write(session)
        try:
            staff = service.create_staff(
                session, Actor.of(None), email=email, role=StaffRole(role), password=password
            )
        except service.StaffError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
        click.echo(f"Created {staff.role} account {staff.email}.")
    if generate_password:
        click.echo(f"Password (shown only this once): {password}")


@click.command("import-orgs")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
def import_orgs(file: Path, dry_run: bool):
    """Create and update directory recipients from a CSV file (the export's columns).

    Nothing is written unless every row is valid.
    """
    data = file.read_bytes()
    if len(data) > current_app.config["STAFF_MAX_UPLOAD_BYTES"]:
        raise click.ClickException("The file is too large.")
    rows, file_errors = importer.read_rows(data)
    if file_errors:
        raise click.ClickException("\n".join(file_errors))
    coalition_slug = current_app.config["COALITION_SLUG"]
    with database().sessions() as session:
        begin_write(session)
        with click.progressbar(rows, label="Checking rows") as bar:
            plan = importer.plan_import(session, bar, coalition_slug=coalition_slug)
        _echo_plan(plan)
        if not plan.is_valid:
            raise click.ClickException("The file has errors: nothing was imported.")
        if dry_run or not plan.changes_anything:
            click.echo("Nothing written." if dry_run else "Nothing to change.")
            return
        created, updated = importer.apply_import(
            session, Actor.of(None), plan, coalition_slug=coalition_slug
        )
        session.commit()
    desk().routes.invalidate()
    click.echo(f"Imported: {created} created, {updated} updated.")


@click.command("check-links")
@with_appcontext
@click.option("--timeout", type=float, help="Seconds to wait for each site.")
def check_links(timeout: float | None):
    """Request every recipient's donation page and record how it answered."""
    config = current_app.config
    with database().sessions() as session:
        to_check = links.targets(session)
        session.rollback()  # hold nothing open while waiting on other people's servers
        with click.progressbar(length=len(to_check), label="Checking donation pages") as bar:
            results = links.check_all(
                to_check,
                timeout=timeout or config["LINK_CHECK_TIMEOUT"],
                allow_http_loopback=config["LINK_CHECK_ALLOW_HTTP_LOOPBACK"],
                on_result=lambda _result: bar.update(1),
            )
        begin_write(session)
        links.record_results(session, results, now=utcnow())
        session.commit()
    broken = [result for result in results if not result.ok]
    for result in broken:
        click.echo(f"BROKEN {result.target.slug}: {result.error or result.status_code}")
    click.echo(f"{len(results) - len(broken)} working, {len(broken)} broken.")


def _echo_plan(plan: importer.ImportPlan) -> None:
    for row in plan.rows:
        if row.action == importer.RowAction.ERROR:
            for error in row.errors:
                click.echo(f"line {row.line} ({row.slug or '?'}): {error}")
        elif row.action == importer.RowAction.CREATE:
            click.echo(f"line {row.line}: create {row.slug}")
        elif row.action == importer.RowAction.UPDATE:
            click.echo(f"line {row.line}: update {row.slug} ({', '.join(row.changes)})")
    counts = {action: len(plan.having(action)) for action in importer.RowAction}
    click.echo(
        f"{counts['create']} to create, {counts['update']} to update, "
        f"{counts['unchanged']} unchanged, {counts['error']} with errors."
    )
