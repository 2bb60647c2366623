"""donations keep their referral's channel and campaign, for the filtered ledger

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-30 17:20:00.000000

The staff report filtered by channel or campaign looked up every gift's referral, a lookup per
donation into a table that grows with every hand-off. Each donation now keeps a copy of its
referral's channel and campaign, filled here for existing donations and by the roll-up catch-up
for new ones (a referral never changes), and the ledger index holds both.
"""

import sqlalchemy as sa
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

_LEDGER = ['status', 'currency', 'frequency', 'created_at', 'amount', 'organization_id',
           'stripe_checkout_session_id', 'stripe_invoice_id', 'amount_refunded', 'referral_id']


def upgrade() -> None:
    with op.batch_alter_table('donation') as batch_op:
        batch_op.add_column(sa.Column('referral_channel', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('referral_campaign', sa.String(length=100), nullable=True))
    op.execute(
        "UPDATE donation SET"
        " referral_channel = (SELECT arrived_via FROM referral WHERE referral.id = donation.referral_id),"
        " referral_campaign = (SELECT utm_campaign FROM referral WHERE referral.id = donation.referral_id)"
        " WHERE referral_id IS NOT NULL"
    )
    op.drop_index('ix_donation_ledger', table_name='donation')
    op.create_index(
        'ix_donation_ledger', 'donation', [*_LEDGER, 'referral_channel', 'referral_campaign'],
        unique=False, postgresql_include=['id'],
    )


def downgrade() -> None:
    op.drop_index('ix_donation_ledger', table_name='donation')
    op.create_index(
        'ix_donation_ledger', 'donation', _LEDGER, unique=False, postgresql_include=['id']
    )
    with op.batch_alter_table('donation') as batch_op:
        batch_op.drop_column('referral_campaign')
        batch_op.drop_column('referral_channel')
