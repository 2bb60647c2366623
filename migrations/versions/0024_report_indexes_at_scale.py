"""report indexes at scale: one member's roll-ups, the ledger's refunds, basket payments

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 17:00:00.000000

Indexes only: no row changes, so every report shows the same numbers. One member's report read
every recipient's roll-up rows for its range; the Stripe ledger visited each donation for its
refunds (and, filtered by campaign or channel, for its referral); the basket parts table read
every donation of the range; pruning asked every conversion whether it pointed to a referral.
"""

import sqlalchemy as sa
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

_LEDGER = ['status', 'currency', 'frequency', 'created_at', 'amount', 'organization_id',
           'stripe_checkout_session_id', 'stripe_invoice_id']


def upgrade() -> None:
    op.create_index(
        'ix_referral_rollup_member', 'referral_rollup',
        ['span', 'organization_id', 'campaign_key', 'mode_key', 'arrived_key', 'day'],
        unique=False, postgresql_include=['humans', 'bots', 'visitors'],
    )
    op.drop_index('ix_donation_ledger', table_name='donation')
    op.create_index(
        'ix_donation_ledger', 'donation', [*_LEDGER, 'amount_refunded', 'referral_id'],
        unique=False, postgresql_include=['id'],
    )
    op.create_index(
        'ix_donation_basket_created', 'donation', ['created_at'], unique=False,
        sqlite_where=sa.text('basket_id IS NOT NULL'),
        postgresql_where=sa.text('basket_id IS NOT NULL'),
    )
    op.create_index('ix_conversion_referral_id', 'conversion', ['referral_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_conversion_referral_id', table_name='conversion')
    op.drop_index('ix_donation_basket_created', table_name='donation')
    op.drop_index('ix_donation_ledger', table_name='donation')
    op.create_index('ix_donation_ledger', 'donation', _LEDGER, unique=False)
    op.drop_index('ix_referral_rollup_member', table_name='referral_rollup')
