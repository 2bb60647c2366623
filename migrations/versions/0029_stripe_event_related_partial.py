"""stripe_event: the related-id index holds only the events that have one

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-30 20:40:00.000000

The ledger finds the events waiting for a donation by their related id (a refund's payment
intent, a cancelled subscription); most events (every payment's) have none, and each of them
wrote a NULL entry into that index as it was stored. The index is now partial: the same query
uses it (``related_id IN (...)`` implies NOT NULL), and a payment's event writes one page less.
"""

import sqlalchemy as sa
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

_NOT_NULL = sa.text('related_id IS NOT NULL')


def upgrade() -> None:
    op.drop_index('ix_stripe_event_related_id', table_name='stripe_event')
    op.create_index(
        'ix_stripe_event_related_id', 'stripe_event', ['related_id'], unique=False,
        sqlite_where=_NOT_NULL, postgresql_where=_NOT_NULL,
    )


def downgrade() -> None:
    op.drop_index('ix_stripe_event_related_id', table_name='stripe_event')
    op.create_index('ix_stripe_event_related_id', 'stripe_event', ['related_id'], unique=False)
