"""donation ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 20:40:36.622878
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_counter',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('window_start', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_counter'))
    )
    op.create_table('stripe_event',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('object_id', sa.String(length=255), nullable=True),
    sa.Column('related_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_created', sa.DateTime(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_event'))
    )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_event_related_id'), ['related_id'], unique=False)

    op.create_table('donation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('fee_cover', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('frequency', sa.Enum('one_time', 'monthly', name='frequency', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('open', 'processing', 'paid', 'failed', 'expired', 'refunded', name='donationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('failure_reason', sa.String(length=300), nullable=True),
    sa.Column('dedication', sa.String(length=200), nullable=True),
    sa.Column('share_email', sa.Boolean(), nullable=False),
    sa.Column('donor_email', sa.String(length=320), nullable=True),
    sa.Column('stripe_checkout_session_id', sa.String(length=255), nullable=True),
    sa.Column('checkout_url', sa.String(length=2000), nullable=True),
    sa.Column('stripe_payment_intent_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_subscription_id', sa.String(length=255), nullable=True),
    sa.Column('stripe_invoice_id', sa.String(length=255), nullable=True),
    sa.Column('subscription_ended_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_donation_organization_id_organization')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_donation_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donation')),
    sa.UniqueConstraint('stripe_checkout_session_id', name=op.f('uq_donation_stripe_checkout_session_id')),
    sa.UniqueConstraint('stripe_invoice_id', name=op.f('uq_donation_stripe_invoice_id')),
    sa.UniqueConstraint('stripe_payment_intent_id', name=op.f('uq_donation_stripe_payment_intent_id'))
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_donation_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_donation_org_created', ['organization_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_referral_id'), ['referral_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_donation_stripe_subscription_id'), ['stripe_subscription_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_donation_stripe_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_donation_referral_id'))
        batch_op.drop_index('ix_donation_org_created')
        batch_op.drop_index(batch_op.f('ix_donation_created_at'))

    op.drop_table('donation')
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_event_related_id'))

    op.drop_table('stripe_event')
    op.drop_table('rate_counter')
