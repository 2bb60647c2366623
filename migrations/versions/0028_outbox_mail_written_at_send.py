"""outbox_mail.render_values: a message written by the sender, from values queued with the change

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-30 19:20:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('render_values', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_column('render_values')
