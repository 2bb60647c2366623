"""The Flask extensions, created unbound here and bound in ``create_app``: a module may import
them without importing the factory."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# Flask-Login's own protection hashes the visitor's address into the cookie; the staff console's
# per-account session version does the job instead (portal/staff/auth.py), and no
# address-derived data is kept.
login_manager.session_protection = None
