"""The console's side of Listen: write, review, publish and unpublish statements."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms import SelectChoice

from portal.db.session import get_session
from portal.db.writing import writing
from portal.listen import episodes as podcast_episodes
from portal.listen import publication, service
from portal.listen.cli import feed_limits
from portal.listen.forms import EpisodeForm, PublishForm, StatementForm
from portal.listen.podcast import PodcastError
from portal.models import Episode, Statement, utcnow
from portal.staff import auth, edits
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff
from portal.staff.directory_service import all_recipients
from portal.staff.forms import ActionForm

bp = Blueprint("staff_listen", __name__, url_prefix="/staff/listen")
bp.after_request(auth.no_store)


@bp.get("/statements")
@admin_required
def statements():
    return render_template(
        "staff/statements.html",
        groups=publication.by_status(get_session(), Statement),
        publish_form=PublishForm(),
        action_form=ActionForm(),
    )


@bp.get("/episodes")
@admin_required
def episodes():
    session = get_session()
    found = session.scalars(select(Episode).order_by(Episode.published_at.desc()))
    return render_template(
        "staff/episodes.html",
        episodes=list(found),
        feed_url=current_app.config["PODCAST_FEED_URL"],
        form=ActionForm(),
    )


@bp.post("/episodes/refresh")
@admin_required
def refresh_episodes():
    url = current_app.config["PODCAST_FEED_URL"]
    if not ActionForm().validate_on_submit() or not url:
        abort(400)
    try:
        feed = podcast_episodes.fetch_feed(url, **feed_limits(current_app.config))
    except PodcastError as error:
        flash(str(error), "error")
        return redirect(url_for(".episodes"), code=303)
    session = get_session()
    with writing(session):
        result = podcast_episodes.import_feed(session, feed)
    flash(
        _(
            "Podcast refreshed: %(added)d added, %(updated)d updated, %(skipped)d skipped.",
            added=result.added,
            updated=result.updated,
            skipped=result.skipped,
        ),
        "info",
    )
    return redirect(url_for(".episodes"), code=303)


@bp.route("/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_episode(episode_id: int):
    session = get_session()
    episode = session.get(Episode, episode_id) or abort(404)
    form = _episode_form(episode)
    edits.remember(form, lambda: _episode_version(episode))
    recipients = all_recipients(session)
    form.members.choices = [SelectChoice(org.id, org.name) for org in recipients]
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("staff/episode_form.html", form=form, episode=episode), status
    with writing(session):
        found = edits.reread_for(session, form, Episode, episode_id, _episode_version)
        episode = found.record
        if not found.conflict:
            chosen = [org for org in recipients if org.id in set(form.members.data)]
            podcast_episodes.edit_episode(
                session,
                _actor(),
                episode,
                title=form.title.data,
                description=form.description.data or "",
                members=chosen,
            )
    if found.conflict:
        return edits.refused(
            form,
            found,
            lambda: render_template("staff/episode_form.html", form=form, episode=episode),
        )
    flash(_("Saved."), "info")
    return redirect(url_for(".episodes"), code=303)


@bp.route("/statements/new", methods=["GET", "POST"])
@admin_required
def new_statement():
    return _save(None)


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_statement(statement_id: int):
    return _save(get_session().get(Statement, statement_id) or abort(404))


@bp.post("/statements/<int:statement_id>/publish")
@admin_required
def publish_statement(statement_id: int):
    return publish_or_unpublish(Statement, statement_id, ".statements", publish=True)


@bp.post("/statements/<int:statement_id>/unpublish")
@admin_required
def unpublish_statement(statement_id: int):
    return publish_or_unpublish(Statement, statement_id, ".statements", publish=False)


def publish_or_unpublish(kind, item_id: int, back: str, *, publish: bool):
    """The publish and unpublish buttons of statements and events: change, commit, go back."""
    session = get_session()
    item = session.get(kind, item_id) or abort(404)
    form = PublishForm() if publish else ActionForm()
    if not form.validate_on_submit():
        flash(_("That date could not be read."), "error")
        return redirect(url_for(back), code=303)
    try:
        with writing(session):
            if publish:
                on = form.published_on.data
                publication.publish(session, _actor(), item, on=on, now=utcnow())
            else:
                publication.unpublish(session, _actor(), item)
    except publication.PublicationError as error:
        flash(str(error), "error")
        return redirect(url_for(back), code=303)
    flash(
        _("Published.") if publish else _("Taken off the public pages; it is a draft again."),
        "info",
    )
    return redirect(url_for(back), code=303)


def _episode_form(episode: Episode, **kwargs) -> EpisodeForm:
    return EpisodeForm(obj=episode, members=[org.id for org in episode.members], **kwargs)


def _episode_version(episode: Episode) -> str:
    return edits.fingerprint(_episode_form(episode, formdata=None))


def _save(statement: Statement | None):
    session = get_session()
    form = StatementForm(obj=statement)
    _fill_choices(form, session)
    if statement is not None:
        edits.remember(form, lambda: _statement_version(statement))
    if not form.validate_on_submit():
        return _form_page(form, statement)
    key = statement.id if statement is not None else None
    with writing(session):
        found = edits.reread_for(session, form, Statement, key, _statement_version)
        statement = found.record
        if not found.conflict:
            values, errors = service.clean_statement(session, form.data, statement=statement)
            if not errors:
                message = _save_statement(session, statement, values)
    if found.conflict:
        return edits.refused(form, found, lambda: _form_page(form, statement)[0])
    if errors:
        return _form_page(form, statement, errors)
    flash(message, "info")
    return redirect(url_for(".statements"), code=303)


def _statement_version(statement: Statement) -> str:
    return edits.fingerprint(StatementForm(formdata=None, obj=statement))


def _save_statement(session, statement: Statement | None, values: dict) -> str:
    if statement is None:
        service.create_statement(session, _actor(), values)
        return _("Saved as a draft. Publish it from the list when it is ready.")
    changes = service.update_statement(session, _actor(), statement, values)
    return _("Saved %(count)d change(s).", count=len(changes))


def _fill_choices(form: StatementForm, session) -> None:
    form.organization_id.choices = [
        SelectChoice("", _("Choose…")),
        *(SelectChoice(str(org.id), org.name) for org in all_recipients(session)),
    ]
    originals = select(Statement.id, Statement.title, Statement.language).where(
        Statement.translation_of_id.is_(None)
    )
    form.translation_of_id.choices = [
        SelectChoice("", _("Not a translation")),
        *(
            SelectChoice(str(id_), f"{title} ({language})")
            for id_, title, language in session.execute(originals.order_by(Statement.id.desc()))
        ),
    ]


def _form_page(form: StatementForm, statement: Statement | None, errors=None):
    for name, messages in (errors or {}).items():
        form[name].errors = list(messages)
    status = 400 if form.is_submitted() else 200
    return render_template("staff/statement_form.html", form=form, statement=statement), status


def _actor() -> Actor:
    return Actor.of(current_staff())
