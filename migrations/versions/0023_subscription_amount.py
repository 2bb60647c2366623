"""stripe_subscription amount: what a monthly gift charges now, once its donor changed it

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stripe_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stripe_subscription', schema=None) as batch_op:
        batch_op.drop_column('amount')
