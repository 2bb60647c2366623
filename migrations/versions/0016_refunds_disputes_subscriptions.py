"""refunds, disputes and subscription state; amount refunded; parked event payloads

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 09:40:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def _status(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=20)


def upgrade() -> None:
    op.create_table(
        'refund',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('donation_id', sa.Integer(), nullable=False),
        sa.Column('stripe_refund_id', sa.String(length=255), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', _status(
            'refundstatus', 'pending', 'requires_action', 'succeeded', 'failed', 'canceled'
        ), nullable=False),
        sa.Column('failure_reason', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_refund_donation_id_donation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_refund')),
        sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_refund_stripe_refund_id')),
    )
    op.create_index(op.f('ix_refund_donation_id'), 'refund', ['donation_id'], unique=False)
    op.create_table(
        'dispute',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('donation_id', sa.Integer(), nullable=False),
        sa.Column('stripe_dispute_id', sa.String(length=255), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', _status(
            'disputestatus', 'needs_response', 'under_review', 'won', 'lost'
        ), nullable=False),
        sa.Column('reason', sa.String(length=50), nullable=True),
        sa.Column('evidence_due_by', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['donation_id'], ['donation.id'], name=op.f('fk_dispute_donation_id_donation')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dispute')),
        sa.UniqueConstraint('stripe_dispute_id', name=op.f('uq_dispute_stripe_dispute_id')),
    )
    op.create_index(op.f('ix_dispute_donation_id'), 'dispute', ['donation_id'], unique=False)
    op.create_index(op.f('ix_dispute_status'), 'dispute', ['status'], unique=False)
    op.create_table(
        'stripe_subscription',
        sa.Column('id', sa.String(length=255), nullable=False),
        sa.Column('status', _status(
            'subscriptionstatus', 'active', 'cancelling', 'past_due', 'unpaid', 'ended'
        ), nullable=False),
        sa.Column('cancel_at', sa.DateTime(), nullable=True),
        sa.Column('status_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_subscription')),
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('amount_refunded', sa.Integer(), server_default='0', nullable=False)
        )
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_column('payload')
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_column('amount_refunded')
    op.drop_table('stripe_subscription')
    op.drop_index(op.f('ix_dispute_status'), table_name='dispute')
    op.drop_index(op.f('ix_dispute_donation_id'), table_name='dispute')
    op.drop_table('dispute')
    op.drop_index(op.f('ix_refund_donation_id'), table_name='refund')
    op.drop_table('refund')
