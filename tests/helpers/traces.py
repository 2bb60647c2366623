"""What an attacker holding the database and the secret key could still trace back to an address."""

from __future__ import annotations

import ipaddress

from sqlalchemy import String, select
from sqlalchemy.orm import Session

from portal.db.base import Base
from portal.models import DailySalt
from portal.ratelimit import visitor_key

# Every scope a visitor key is made for.
SCOPES = ("checkout", "staff-login")


def stored_text(session: Session) -> set[str]:
    """Every text value in every table of the portal."""
    session.rollback()  # see what the app has committed
    values: set[str] = set()
    for table in Base.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, String)]
        for row in session.execute(select(*columns)) if columns else []:
            values.update(value for value in row if isinstance(value, str))
    return values


def kept_keys(session: Session, secret: str) -> list[str]:
    """The secret key and every visitor salt still in the database."""
    session.rollback()
    return [secret, *session.scalars(select(DailySalt.salt))]


def traced(session: Session, keys: list[str], network: str) -> set[str]:
    """The addresses of ``network`` found in the database as they are or as a visitor key under
    one of ``keys``: a brute force over the range, as an attacker would run it."""
    stored = stored_text(session)
    found = set()
    for address in map(str, ipaddress.ip_network(network)):
        if address in stored or any(
            visitor_key(key, scope, address) in stored for key in keys for scope in SCOPES
        ):
            found.add(address)
    return found
