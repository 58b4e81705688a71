"""photo orientation: read at intake, applied by the worker's stored copy

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('photos') as batch:
        batch.add_column(sa.Column('orientation', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('photos') as batch:
        batch.drop_column('orientation')
