"""campaign index holds only tagged referrals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 23:20:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TAGGED = sa.text('utm_campaign IS NOT NULL')


def upgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_campaign_created')
        batch_op.create_index(
            'ix_referral_campaign_created', ['utm_campaign', 'created_at'], unique=False,
            sqlite_where=TAGGED, postgresql_where=TAGGED,
        )


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_campaign_created')
        batch_op.create_index('ix_referral_campaign_created', ['utm_campaign', 'created_at'], unique=False)
