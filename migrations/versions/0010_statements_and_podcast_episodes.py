"""statements and podcast episodes

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 09:30:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('episode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('guid', sa.String(length=500), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('audio_url', sa.String(length=2000), nullable=True),
    sa.Column('page_url', sa.String(length=2000), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('staff_edited', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_episode')),
    sa.UniqueConstraint('guid', name=op.f('uq_episode_guid'))
    )
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episode_published_at'), ['published_at'], unique=False)

    op.create_table('episode_member',
    sa.Column('episode_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['episode_id'], ['episode.id'], name=op.f('fk_episode_member_episode_id_episode'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_episode_member_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('episode_id', 'organization_id', name=op.f('pk_episode_member'))
    )
    with op.batch_alter_table('episode_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_episode_member_organization_id'), ['organization_id'], unique=False)

    op.create_table('statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'draft', 'published', name='publicationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('original_url', sa.String(length=1000), nullable=True),
    sa.Column('translation_of_id', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_statement_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['translation_of_id'], ['statement.id'], name=op.f('fk_statement_translation_of_id_statement'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement'))
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_statement_status_published', ['status', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_translation_of_id'), ['translation_of_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_translation_of_id'))
        batch_op.drop_index('ix_statement_status_published')
        batch_op.drop_index(batch_op.f('ix_statement_organization_id'))

    op.drop_table('statement')
    with op.batch_alter_table('episode_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episode_member_organization_id'))

    op.drop_table('episode_member')
    with op.batch_alter_table('episode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_episode_published_at'))

    op.drop_table('episode')
