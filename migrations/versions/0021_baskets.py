"""baskets: one gift split among members, its lines, transfers, and donation.basket_id

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 13:20:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'basket',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=32), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('frequency', sa.Enum('one_time', 'monthly', name='frequency', native_enum=False, length=20), nullable=False),
        sa.Column('split', sa.Enum('even', 'amounts', 'percentages', name='splitkind', native_enum=False, length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('reference'),
    )
    op.create_table(
        'basket_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('basket_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('referral_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('fee_cover', sa.Integer(), nullable=False),
        sa.Column('share', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['basket_id'], ['basket.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.ForeignKeyConstraint(['referral_id'], ['referral.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('basket_id', 'organization_id'),
    )
    op.create_index('ix_basket_line_organization_id', 'basket_line', ['organization_id'])
    op.create_table(
        'basket_transfer',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('donation_id', sa.Integer(), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('stripe_transfer_id', sa.String(length=255), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('amount_reversed', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['donation_id'], ['donation.id']),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('donation_id', 'organization_id'),
        sa.UniqueConstraint('stripe_transfer_id'),
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basket_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_donation_basket_id', ['basket_id'])
        batch_op.create_foreign_key('fk_donation_basket_id_basket', 'basket', ['basket_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_constraint('fk_donation_basket_id_basket', type_='foreignkey')
        batch_op.drop_index('ix_donation_basket_id')
        batch_op.drop_column('basket_id')
    op.drop_table('basket_transfer')
    op.drop_index('ix_basket_line_organization_id', table_name='basket_line')
    op.drop_table('basket_line')
    op.drop_table('basket')
