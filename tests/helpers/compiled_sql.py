"""SQL statements compiled once per test process instead of once per test's engine.

SQLAlchemy keeps what it compiled in each engine's cache under a key that holds the engine's
dialect object, so the new engine of every test's app compiles again each query it sends (about
a fifth of the reports tests' CPU). The compiled form depends on the dialect's kind and settings,
not on which object holds them: every test app's engine comes from ``make_engine``, so two of the
same driver, parameter style and server version compile a statement to the same SQL and
processors. Sharing one cache between them changes no statement sent and no value read. Test
processes only; a production worker has one engine.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.util import LRUCache

from portal.db.base import Base

# Room for every distinct statement of a test process, as an engine's own cache has (500 by
# default) for one app's.
_CAPACITY = 20_000


class _SharedStatements:
    """The compiled cache SQLAlchemy reads (``get``) and fills (``[key] = …``), keyed by the
    dialect's kind and settings instead of the dialect object."""

    def __init__(self) -> None:
        self._cache = LRUCache(_CAPACITY)

    @staticmethod
    def _key(key: tuple) -> tuple:
        dialect, *rest = key
        kind = (type(dialect), dialect.paramstyle, dialect.server_version_info)
        return (kind, *rest)

    def get(self, key: tuple, default=None):
        return self._cache.get(self._key(key), default)

    def __setitem__(self, key: tuple, compiled) -> None:
        self._cache[self._key(key)] = compiled


_SHARED = _SharedStatements()


def share_compiled_statements(engine: Engine) -> None:
    """Let ``engine`` use the statements other test engines of its kind compiled."""
    engine.update_execution_options(compiled_cache=_SHARED)


def share_compiled_flushes() -> None:
    """The same for the statements the ORM's flush sends, which it keeps in a cache of each
    mapper's (a hundred statements, whatever the engine) rather than in the engine's."""
    Base.registry.configure()
    for mapper in Base.registry.mappers:
        # Set where the memoized attribute keeps its value, so that it is never built.
        mapper.__dict__["_compiled_cache"] = _SHARED
