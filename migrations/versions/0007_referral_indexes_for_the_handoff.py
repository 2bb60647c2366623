"""referral indexes: recipient/time/ref unique; ref unique only for checkout referrals

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:15:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

CHECKOUT = sa.text("mode = 'stripe'")


def upgrade() -> None:
    # SQLite drops a table constraint by copying the table; its partial index is put back by hand.
    op.drop_index('ix_referral_campaign_created', table_name='referral')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_constraint('uq_referral_ref', type_='unique')
        batch_op.drop_index('ix_referral_org_created')
        batch_op.create_index(
            'ix_referral_org_created', ['organization_id', 'created_at', 'ref'], unique=True
        )
        batch_op.create_index(
            'uq_referral_checkout_ref', ['ref'], unique=True,
            sqlite_where=CHECKOUT, postgresql_where=CHECKOUT,
        )
    _campaign_index()


def downgrade() -> None:
    op.drop_index('ix_referral_campaign_created', table_name='referral')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('uq_referral_checkout_ref')
        batch_op.drop_index('ix_referral_org_created')
        batch_op.create_index('ix_referral_org_created', ['organization_id', 'created_at'], unique=False)
        batch_op.create_unique_constraint('uq_referral_ref', ['ref'])
    _campaign_index()


def _campaign_index() -> None:
    tagged = sa.text('utm_campaign IS NOT NULL')
    op.create_index(
        'ix_referral_campaign_created', 'referral', ['utm_campaign', 'created_at'], unique=False,
        sqlite_where=tagged, postgresql_where=tagged,
    )
