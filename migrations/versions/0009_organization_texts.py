"""member texts per language: organization_text, original_language, folded search_text

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 09:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

from portal.folding import fold


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organization_text',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('short_description', sa.String(length=300), nullable=False),
    sa.Column('long_description', sa.Text(), nullable=False),
    sa.Column('receipt_note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_text_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'language', name=op.f('pk_organization_text'))
    )
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_language', sa.String(length=8), nullable=False, server_default='en'))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    _fold_existing()


def downgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('search_text')
        batch_op.drop_column('original_language')
    op.drop_table('organization_text')


def _fold_existing() -> None:
    """Members that exist already become searchable at once (they have no translations yet)."""
    org = sa.table(
        'organization', sa.column('id', sa.Integer), sa.column('name', sa.String),
        sa.column('short_description', sa.String), sa.column('long_description', sa.Text),
        sa.column('country', sa.String), sa.column('search_text', sa.Text),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(
        org.c.id, org.c.name, org.c.short_description, org.c.long_description, org.c.country
    )).all()
    for id_, *texts in rows:
        folded = fold(" ".join(text or "" for text in texts))
        bind.execute(org.update().where(org.c.id == id_).values(search_text=folded))
