"""campaign links: a recipient's hand-off link with chosen tags

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaign_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('campaign', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('medium', sa.String(length=100), nullable=False),
    sa.Column('made_by', sa.Enum('staff', 'member', name='linkmaker', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_campaign_link_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_link')),
    sa.UniqueConstraint('code', name=op.f('uq_campaign_link_code')),
    sa.UniqueConstraint('organization_id', 'campaign', 'source', 'medium', name='uq_campaign_link')
    )


def downgrade() -> None:
    op.drop_table('campaign_link')
