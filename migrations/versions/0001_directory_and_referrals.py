"""directory and referrals

Revision ID: 0001
Revises:
Create Date: 2026-11-23 20:33:15.047047
"""

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_salt',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_daily_salt'))
    )
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('member', 'coalition', name='recipientkind', native_enum=False, length=20), nullable=False),
    sa.Column('short_description', sa.String(length=300), nullable=False),
    sa.Column('long_description', sa.Text(), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=False),
    sa.Column('country', sa.String(length=100), nullable=False),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('donation_url', sa.String(length=1000), nullable=True),
    sa.Column('handoff_mode', sa.Enum('external', 'stripe', name='handoffmode', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('active', 'suspended', name='orgstatus', native_enum=False, length=20), nullable=False),
    sa.Column('listen_url', sa.String(length=500), nullable=True),
    sa.Column('engage_url', sa.String(length=500), nullable=True),
    sa.Column('receipt_note', sa.String(length=500), nullable=False),
    sa.Column('stripe_account_id', sa.String(length=64), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('slug', name=op.f('uq_organization_slug'))
    )
    op.create_table('organization_focus',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_organization_focus_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'area', name=op.f('pk_organization_focus'))
    )
    with op.batch_alter_table('organization_focus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_focus_area'), ['area'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('external', 'stripe', name='handoffmode', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('redirected', 'rerouted', 'checkout_started', 'checkout_failed', name='referralstatus', native_enum=False, length=20), nullable=False),
    sa.Column('arrived_via', sa.Enum('portal', 'link', name='arrivedvia', native_enum=False, length=20), nullable=False),
    sa.Column('utm_source', sa.String(length=100), nullable=True),
    sa.Column('utm_medium', sa.String(length=100), nullable=True),
    sa.Column('utm_campaign', sa.String(length=100), nullable=True),
    sa.Column('referrer_host', sa.String(length=255), nullable=True),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('bot_reason', sa.String(length=100), nullable=True),
    sa.Column('visitor_hash', sa.String(length=32), nullable=True),
    sa.Column('destination_url', sa.String(length=2000), nullable=False),
    sa.Column('failure_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_referral_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('ref', name=op.f('uq_referral_ref'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_referral_org_created', ['organization_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_org_created')
        batch_op.drop_index(batch_op.f('ix_referral_created_at'))

    op.drop_table('referral')
    with op.batch_alter_table('organization_focus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_focus_area'))

    op.drop_table('organization_focus')
    op.drop_table('organization')
    op.drop_table('daily_salt')
