"""member texts per language: the country, as members and readers name it in each language

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:05:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organization_text', schema=None) as batch_op:
        batch_op.add_column(sa.Column('country', sa.String(length=100), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('organization_text', schema=None) as batch_op:
        batch_op.drop_column('country')
