"""page texts

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 10:35:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('page_text',
    sa.Column('page', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('page', 'language', name=op.f('pk_page_text'))
    )


def downgrade() -> None:
    op.drop_table('page_text')
