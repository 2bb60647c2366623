"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL via TEST_DATABASE_URL),
migrated once per pytest-xdist worker."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, settings
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, make_url, text

from portal import create_app, dispose
from portal.db.engine import make_engine
from portal.models import HandoffMode, Organization, OrganizationFocus, RecipientKind
from portal.schema import alembic_config, upgrade
from portal.state import portal_state
from tests.helpers.compiled_sql import share_compiled_flushes, share_compiled_statements
from tests.helpers.databases import fresh_database
from tests.helpers.url_builders import share_compiled_url_builders

# Fixtures every folder uses, registered once; plain helpers are imported from tests.helpers.
# Which tests share an xdist worker: tests.helpers.scheduling.
pytest_plugins = [
    "tests.helpers.staff",
    "tests.helpers.reports",
    "tests.helpers.fault_table",
    "tests.helpers.scheduling",
]

# Hypothesis's clock-based checks, for every property test: the suite runs three workers and
# Chromium on two cores, where a draw or an example now and then stalls for a second behind the
# others (a one-line strategy failed `too_slow` after a 1.1 s draw). That is the machine, not
# the code; how fast the portal is, the benchmarks measure. A test's own ``@settings`` still
# set what they name.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")

POSTGRES_URL_ENV = "TEST_DATABASE_URL"

# Every test's files, its SQLite database above all, go on the RAM disk when there is one. The
# portal syncs each SQLite commit (synchronous=FULL); on a disk shared with other work each sync
# waits behind everyone else's, which made set-ups that commit row by row take seconds. The syncs
# are still made (the strace tests in tests/faults count them); in RAM they cost nothing. An
# explicit TMPDIR (or --basetemp) still decides.
RAM_DISK = Path("/dev/shm")


def pytest_configure(config):
    _keep_compiled_bytecode()
    share_compiled_url_builders()
    share_compiled_flushes()
    if "TMPDIR" not in os.environ and RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
        tempfile.tempdir = str(RAM_DISK)


def _keep_compiled_bytecode() -> None:
    """Let this process, the xdist workers and every program the tests start (gunicorn and its
    workers, ``flask`` commands, forked worker processes) keep compiled modules in __pycache__.

    A machine that sets PYTHONDONTWRITEBYTECODE (as container images often do) makes every new
    Python process compile the portal and its libraries from source: 4.1 s of CPU to import the
    portal instead of 1.6 s, paid again by each of the suite's hundreds of gunicorn workers and
    commands. Compiled files change nothing that a test observes; git ignores them."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


def pytest_collection_modifyitems(items):
    root = Path(__file__).parent
    for item in items:
        if item.path.relative_to(root).parts[0] == "faults":
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """A database migrated once per worker: a SQLite file to copy, or a PostgreSQL database of
    the worker's own (TEST_DATABASE_URL's name, plus ``_gw0``… under pytest-xdist)."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if url:
        url = _worker_database(url, os.environ.get("PYTEST_XDIST_WORKER"))
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
            # As on SQLite (RAM disk): a test's commits don't wait for the server's disk. What a
            # commit makes visible is unchanged; only a crash of the server could lose the last.
            name = conn.dialect.identifier_preparer.quote(make_url(url).database)
            conn.execute(text(f"ALTER DATABASE {name} SET synchronous_commit TO off"))
        upgrade(engine)
        engine.dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "portal.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _worker_database(url: str, worker_id: str | None) -> str:
    """``url`` itself in a plain run; under xdist, a database named after it and the worker,
    created on the same server when missing, so that workers never empty each other's tables."""
    if not worker_id:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker_id}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote(name)
                conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def database_url(migrated_template, tmp_path):
    return fresh_database(migrated_template, tmp_path)


@pytest.fixture
def app_config(database_url, tmp_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "REFERRAL_SPOOL": str(tmp_path / "spool" / "referrals.jsonl"),
        "STATIC_BUILD_DIR": str(tmp_path / "static-build"),
        "ROUTE_CACHE_SECONDS": 0.0,
        "SERVER_NAME": "portal.test",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        # Tests deliver mail explicitly (``portal.mail.deliver``) unless they test the thread.
        "MAIL_SEND_IN_BACKGROUND": False,
    }


class _CompiledTemplates(BytecodeCache):
    """Each template compiled once per test process rather than once per test's app: every app
    of the suite has the same Jinja settings, and a changed template has a new checksum."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


@pytest.fixture(scope="session")
def migration_heads() -> set[str]:
    """The newest revisions of migrations/, read once per test process: the schema guard of
    every test's app compares its database with these, as it would with the ones it reads itself
    (20 ms of CPU per app; tests/test_schema.py starts apps that read them)."""
    return set(ScriptDirectory.from_config(alembic_config(None)).get_heads())


@pytest.fixture
def app(app_config, migration_heads):
    app = create_app(app_config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    portal_state(app).schema.heads = set(migration_heads)
    share_compiled_statements(portal_state(app).database.engine)
    yield app
    dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    with portal_state(app).database.sessions() as session:
        yield session


@pytest.fixture
def make_org(db_session):
    """Factory: ``make_org("hand-in-hand", handoff_mode=HandoffMode.STRIPE, focus=["youth"])``;
    ``texts={"he": {"name": "…"}}`` adds what the member wrote in other languages."""

    def _make(slug="hand-in-hand", **fields):
        focus = fields.pop("focus", ["dialogue"])
        texts = fields.pop("texts", {})
        fields.setdefault("name", slug.replace("-", " ").title())
        fields.setdefault("short_description", f"{fields['name']} brings people together.")
        fields.setdefault("long_description", "Joint work across the conflict.")
        fields.setdefault("region", "israel-palestine")
        fields.setdefault("country", "Israel and Palestine")
        fields.setdefault("donation_url", f"https://{slug}.example.org/donate")
        fields.setdefault("handoff_mode", HandoffMode.EXTERNAL)
        org = Organization(slug=slug, **fields)
        org.focus = [OrganizationFocus(area=area) for area in focus]
        for language, written in texts.items():
            for name, words in written.items():
                org.set_text(name, language, words)
        db_session.add(org)
        db_session.commit()
        return org

    return _make


@pytest.fixture
def make_coalition(make_org):
    def _make(**fields):
        fields.setdefault("name", "The Coalition")
        fields.setdefault("handoff_mode", HandoffMode.STRIPE)
        return make_org("allmep", kind=RecipientKind.COALITION, focus=[], **fields)

    return _make


@pytest.fixture
def csrf_token(client):
    """Factory: the CSRF token a donor's browser would hold after loading ``page``."""

    def _token(page: str = "/") -> str:
        html = client.get(page).get_data(as_text=True)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        assert match, f"no CSRF token on {page}"
        return match.group(1)

    return _token


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback; ``smtp_server.url`` goes in ``MAIL_URL``."""
    from tests.helpers.smtp_server import SmtpServer

    with SmtpServer() as server:
        yield server


@pytest.fixture
def sandbox(sandbox_server):
    """The Stripe sandbox a feature's ``sandbox_server`` runs, emptied before and after a test."""
    sandbox_server.reset()
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
