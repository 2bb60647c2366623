"""search: fold every member's search text again (Hebrew final letters now fold to ordinary ones)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 10:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

from portal.folding import fold


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_FIELDS = ('name', 'short_description', 'long_description', 'country')


def upgrade() -> None:
    org = sa.table('organization', sa.column('id', sa.Integer), sa.column('search_text', sa.Text),
                   *(sa.column(name, sa.Text) for name in _FIELDS))
    text = sa.table('organization_text', sa.column('organization_id', sa.Integer),
                    *(sa.column(name, sa.Text) for name in _FIELDS))
    bind = op.get_bind()
    parts: dict[int, list[str]] = {}
    for id_, *values in bind.execute(sa.select(org.c.id, *(org.c[n] for n in _FIELDS))):
        parts[id_] = [value or '' for value in values]
    for id_, *values in bind.execute(sa.select(text.c.organization_id, *(text.c[n] for n in _FIELDS))):
        parts[id_] += [value or '' for value in values]
    for id_, words in parts.items():
        bind.execute(org.update().where(org.c.id == id_).values(search_text=fold(' '.join(words))))


def downgrade() -> None:
    pass  # no schema to undo; older code folds each member again when it is next saved
