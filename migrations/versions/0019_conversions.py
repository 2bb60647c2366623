"""conversions: gifts members report back, and their postback secrets

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 10:30:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('postback_key',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('rotated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_postback_key_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_postback_key'))
    )
    op.create_table('conversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('frequency', sa.Enum('one_time', 'monthly', name='frequency', native_enum=False, length=20), nullable=False),
    sa.Column('reported_via', sa.Enum('postback', 'csv', name='reportedvia', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_conversion_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_conversion_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversion')),
    sa.UniqueConstraint('organization_id', 'ref', name='uq_conversion_ref')
    )


def downgrade() -> None:
    op.drop_table('conversion')
    op.drop_table('postback_key')
