"""donation contact_email: where the gift's notices go, erased 180 days after its last payment

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 10:35:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
