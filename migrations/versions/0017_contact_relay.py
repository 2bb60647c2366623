"""contact relay

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 10:25:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_address',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_contact_address_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_contact_address'))
    )
    op.create_table('contact_relay',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('shared_email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_contact_relay_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_relay'))
    )
    with op.batch_alter_table('contact_relay', schema=None) as batch_op:
        batch_op.create_index('ix_contact_relay_org_created', ['organization_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('contact_relay', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_relay_org_created')

    op.drop_table('contact_relay')
    op.drop_table('contact_address')
