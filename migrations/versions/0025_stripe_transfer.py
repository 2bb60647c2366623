"""stripe_transfer: a destination charge's transfer to a Connect member, and what was reversed

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 17:20:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'stripe_transfer',
        sa.Column('id', sa.String(length=255), nullable=False),
        sa.Column('donation_id', sa.Integer(), nullable=False),
        sa.Column('destination', sa.String(length=255), nullable=True),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('amount_reversed', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['donation_id'], ['donation.id'], name=op.f('fk_stripe_transfer_donation_id_donation')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_transfer')),
    )
    op.create_index(
        op.f('ix_stripe_transfer_donation_id'), 'stripe_transfer', ['donation_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_stripe_transfer_donation_id'), table_name='stripe_transfer')
    op.drop_table('stripe_transfer')
