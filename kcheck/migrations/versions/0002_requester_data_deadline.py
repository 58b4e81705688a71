"""requester data carries its own retention deadline

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Cases opened before this revision: the requester's values were stored at creation and get
# the longest deadline the settings allow (72 h); the audit checks against RETENTION_HOURS.
BACKFILL_HOURS = 72


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requester_data_due_at', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_cases_requester_data_due', ['requester_data_due_at'],
                              unique=False,
                              sqlite_where=sa.text('requester_data_due_at IS NOT NULL'),
                              postgresql_where=sa.text('requester_data_due_at IS NOT NULL'))
    cases = sa.table('cases', sa.column('id', sa.String), sa.column('created_at', sa.DateTime),
                     sa.column('expected_name', sa.LargeBinary),
                     sa.column('data_purged_at', sa.DateTime),
                     sa.column('requester_data_due_at', sa.DateTime))
    conn = op.get_bind()
    rows = conn.execute(sa.select(cases.c.id, cases.c.created_at).where(
        cases.c.expected_name.is_not(None), cases.c.data_purged_at.is_(None))).all()
    for case_id, created_at in rows:
        conn.execute(sa.update(cases).where(cases.c.id == case_id).values(
            requester_data_due_at=created_at + timedelta(hours=BACKFILL_HOURS)))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_requester_data_due',
                            sqlite_where=sa.text('requester_data_due_at IS NOT NULL'),
                            postgresql_where=sa.text('requester_data_due_at IS NOT NULL'))
        batch_op.drop_column('requester_data_due_at')
