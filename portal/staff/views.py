"""The console's own pages: sign in and out, the dashboard, staff accounts and the audit log."""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from portal.db.session import get_session
from portal.db.writing import writing
from portal.models import LoginOutcome, Staff, StaffRole, StaffStatus
from portal.staff import audit, auth, passwords, service
from portal.staff.audit import Actor
from portal.staff.auth import admin_required, current_staff, safe_next, staff_required
from portal.staff.forms import LoginForm, NewStaffForm, PasswordForm, RoleForm
from portal.state import portal_state

bp = Blueprint("staff", __name__, url_prefix="/staff")


bp.after_request(auth.no_store)


@bp.route("/login", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_staff() is not None:
        return redirect(target or url_for(".dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, target, status=400 if form.is_submitted() else 200)
    outcome = auth.sign_in(form.email.data, form.password.data)
    if outcome == LoginOutcome.REFUSED:
        minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
        message = _(
            "Too many sign-in attempts. Wait %(minutes)d minutes, then try again.",
            minutes=minutes,
        )
        page, status = _login_page(form, target, message, status=429)
        return page, status, {"Retry-After": str(minutes * 60)}
    if outcome == LoginOutcome.FAILED:
        return _login_page(form, target, _("That email and password do not match an account."))
    return redirect(target or url_for(".dashboard"), code=303)


@bp.post("/logout")
@staff_required
def logout():
    auth.sign_out(current_staff())
    flash(_("You have signed out."), "info")
    return redirect(url_for(".login"), code=303)


@bp.get("/")
@staff_required
def dashboard():
    staff = current_staff()
    links = [
        link for link in portal_state().dashboard_links if staff.is_admin or not link.admin_only
    ]
    session = get_session()
    sections = [(part.template, part.read(session)) for part in portal_state().dashboard_sections]
    return render_template("staff/dashboard.html", links=links, sections=sections)


@bp.get("/accounts")
@admin_required
def accounts():
    people = service.all_staff(get_session())
    return render_template("staff/accounts.html", people=people, role_form=RoleForm())


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_required
def new_account():
    form = NewStaffForm()
    if not form.validate_on_submit():
        return _form_page("staff/account_new.html", form)
    session, password = get_session(), passwords.generate_password()
    try:
        with writing(session):
            staff = service.create_staff(
                session,
                _actor(),
                email=form.email.data,
                role=StaffRole(form.role.data),
                password=password,
            )
    except service.StaffError as error:
        form.email.errors = [str(error)]
        return _form_page("staff/account_new.html", form)
    # Shown in this response only: never in a redirect, a flash message or the session cookie.
    return render_template("staff/account_created.html", person=staff, password=password)


@bp.post("/accounts/<int:staff_id>/role")
@admin_required
def change_role(staff_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    return _change_account(staff_id, partial(service.set_role, role=StaffRole(form.role.data)))


@bp.post("/accounts/<int:staff_id>/suspend")
@admin_required
def suspend_account(staff_id: int):
    return _change_account(staff_id, partial(service.set_status, status=StaffStatus.SUSPENDED))


@bp.post("/accounts/<int:staff_id>/reactivate")
@admin_required
def reactivate_account(staff_id: int):
    return _change_account(staff_id, partial(service.set_status, status=StaffStatus.ACTIVE))


@bp.route("/password", methods=["GET", "POST"])
@staff_required
def change_password():
    form = PasswordForm()
    if not form.validate_on_submit():
        return _form_page("staff/password.html", form)
    session, staff = get_session(), current_staff()
    checked = auth.confirm_password(staff, form.current.data)
    if checked == LoginOutcome.REFUSED:
        return _too_many_guesses(form)
    if checked == LoginOutcome.FAILED:
        form.current.errors = [_("Your current password is not right.")]
        return _form_page("staff/password.html", form)
    try:
        with writing(session):
            service.change_password(
                session, _actor(), staff, current=form.current.data, new=form.new.data
            )
    except service.StaffError as error:
        form.new.errors = [str(error)]
        return _form_page("staff/password.html", form)
    auth.keep_session(staff)
    flash(_("Your password has changed. Your other sessions have ended."), "info")
    return redirect(url_for(".dashboard"), code=303)


@bp.get("/audit")
@admin_required
def audit_log():
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= audit.LAST_PAGE:  # a larger offset overflows the database's integer
        abort(404)
    page = audit.recent(get_session(), number=number)
    if number > 1 and not page.entries:
        abort(404)
    return render_template("staff/audit.html", page=page)


def _change_account(staff_id: int, change):
    session = get_session()
    try:
        with writing(session):
            person = session.get(Staff, staff_id) or abort(404)
            changed = change(session, _actor(), person)
    except service.StaffError as error:
        flash(str(error), "error")
        return redirect(url_for(".accounts"), code=303)
    if changed:
        flash(_("Saved the change to %(email)s.", email=person.email), "info")
    return redirect(url_for(".accounts"), code=303)


def _login_page(form, target: str | None, error: str | None = None, *, status: int = 200):
    return render_template("staff/login.html", form=form, target=target, error=error), status


def _too_many_guesses(form):
    minutes = current_app.config["LOGIN_WINDOW_MINUTES"]
    form.current.errors = [
        _("Too many wrong passwords. Wait %(minutes)d minutes, then try again.", minutes=minutes)
    ]
    page = render_template("staff/password.html", form=form)
    return page, 429, {"Retry-After": str(minutes * 60)}


def _form_page(template: str, form):
    return render_template(template, form=form), 400 if form.is_submitted() else 200


def _actor() -> Actor:
    return Actor.of(current_staff())
