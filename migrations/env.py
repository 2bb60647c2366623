"""Alembic environment: runs against the engine the portal hands it (see portal.schema)."""

from alembic import context
from sqlalchemy import text

import portal.models  # noqa: F401 — registers every table on Base.metadata
from portal.db.base import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration copies a table and drops the old one, which SQLite would refuse while
        # other tables' rows point at it. The switch only takes outside a transaction, so it is
        # thrown on the driver's connection before SQLAlchemy begins one; the rows are checked
        # below instead, and the pool gets the connection back as it was.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.execute(text("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
        connection.commit()
    finally:
        if sqlite:
            connection.rollback()
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
