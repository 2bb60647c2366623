"""roll-ups by campaign, and referral sources per member and per campaign

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-30 13:20:00.000000

The roll-ups are a cache of the referral log: both tables are rebuilt with their new keys and
the catch-up mark is cleared, so the next `flask rollup-referrals` counts every day again from
the raw rows (reports read raw rows meanwhile, exact but slower). No referral has been pruned
before this revision, so every day can still be rebuilt.
"""

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('referral_rollup')
    op.drop_table('referral_source_rollup')
    op.execute("DELETE FROM rollup_mark WHERE name = 'referrals'")
    _create_referral_rollup(by_campaign=True)
    op.create_index('ix_referral_rollup_day', 'referral_rollup', ['span', 'day'], unique=False)
    _create_source_rollup(by_member_and_campaign=True)
    op.create_index('ix_referral_source_rollup_campaign', 'referral_source_rollup', ['span', 'kind', 'campaign_key', 'day'], unique=False)
    op.create_index('ix_referral_source_rollup_day', 'referral_source_rollup', ['span', 'day'], unique=False)


def downgrade() -> None:
    op.drop_table('referral_source_rollup')
    op.drop_table('referral_rollup')
    op.execute("DELETE FROM rollup_mark WHERE name = 'referrals'")
    _create_source_rollup(by_member_and_campaign=False)
    _create_referral_rollup(by_campaign=False)


def _create_referral_rollup(*, by_campaign: bool) -> None:
    """The table with this revision's campaign key, or (downgrade) as 0021 left it."""
    campaign = ['campaign_key'] if by_campaign else []
    op.create_table('referral_rollup',
    sa.Column('span', sa.String(length=10), nullable=False),
    sa.Column('mode_key', sa.String(length=20), nullable=False),
    sa.Column('arrived_key', sa.String(length=20), nullable=False),
    *[sa.Column(name, sa.String(length=100), nullable=False) for name in campaign],
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('humans', sa.Integer(), nullable=False),
    sa.Column('bots', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_referral_rollup_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('span', 'mode_key', 'arrived_key', *campaign, 'day', 'organization_id', name=op.f('pk_referral_rollup')),
    sqlite_with_rowid=False
    )


def _create_source_rollup(*, by_member_and_campaign: bool) -> None:
    """The table with this revision's member and campaign keys, or (downgrade) as 0021 left it."""
    keys = ['organization_id', 'campaign_key'] if by_member_and_campaign else []
    types = {'organization_id': sa.Integer(), 'campaign_key': sa.String(length=100)}
    op.create_table('referral_source_rollup',
    sa.Column('span', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    *[sa.Column(name, types[name], nullable=False) for name in keys],
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('arrived_via', sa.String(length=20), nullable=False),
    sa.Column('humans', sa.Integer(), nullable=False),
    sa.Column('bots', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('span', 'kind', *keys, 'day', 'value', 'mode', 'arrived_via', name=op.f('pk_referral_source_rollup')),
    sqlite_with_rowid=False
    )
