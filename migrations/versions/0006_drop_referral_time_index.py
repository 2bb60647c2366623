"""referrals indexed by recipient then time, not by time alone

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:05:00.000000
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_created_at')


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_created_at', ['created_at'], unique=False)
