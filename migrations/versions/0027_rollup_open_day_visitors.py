"""the day in progress is rolled up as it goes: the visitors its roll-ups counted already

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-30 19:30:00.000000

Reports read the day in progress from its raw rows, every one of them, which on a campaign day
(hundreds of thousands of hand-offs) made every report view count them all again. The roll-up
catch-up now rolls the day up to a mark as it goes, and reports add only the rows after it;
this table holds the day's visitors already counted, so that those later rows add exactly the
new ones to the unique visitor counts.
"""

import sqlalchemy as sa
from alembic import op


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'referral_rollup_visitor',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('visitor_hash', sa.String(length=32), nullable=False),
        sa.Column('organization_id', sa.Integer(), nullable=False),
        sa.Column('mode', sa.String(length=20), nullable=False),
        sa.Column('arrived_via', sa.String(length=20), nullable=False),
        sa.Column('campaign', sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint(
            'day', 'visitor_hash', 'organization_id', 'mode', 'arrived_via', 'campaign',
            name=op.f('pk_referral_rollup_visitor'),
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('referral_rollup_visitor')
