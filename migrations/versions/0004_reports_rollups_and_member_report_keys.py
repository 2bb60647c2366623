"""reports rollups and member report keys

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 21:47:02.128129
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('referral_source_rollup',
    sa.Column('span', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('arrived_via', sa.String(length=20), nullable=False),
    sa.Column('humans', sa.Integer(), nullable=False),
    sa.Column('bots', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('span', 'kind', 'day', 'value', 'mode', 'arrived_via', name=op.f('pk_referral_source_rollup')),
    sqlite_with_rowid=False
    )
    op.create_table('rollup_mark',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('closed_through', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_rollup_mark'))
    )
    op.create_table('member_report_key',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rotated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_member_report_key_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_member_report_key'))
    )
    op.create_table('referral_rollup',
    sa.Column('span', sa.String(length=10), nullable=False),
    sa.Column('mode_key', sa.String(length=20), nullable=False),
    sa.Column('arrived_key', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('humans', sa.Integer(), nullable=False),
    sa.Column('bots', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_referral_rollup_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('span', 'mode_key', 'arrived_key', 'day', 'organization_id', name=op.f('pk_referral_rollup')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.create_index('ix_donation_ledger', ['status', 'currency', 'frequency', 'created_at', 'amount', 'organization_id', 'stripe_checkout_session_id', 'stripe_invoice_id'], unique=False)

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_campaign_created', ['utm_campaign', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_campaign_created')

    with op.batch_alter_table('donation', schema=None) as batch_op:
        batch_op.drop_index('ix_donation_ledger')

    op.drop_table('referral_rollup')
    op.drop_table('member_report_key')
    op.drop_table('rollup_mark')
    op.drop_table('referral_source_rollup')
