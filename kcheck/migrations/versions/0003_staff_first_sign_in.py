"""staff first sign-in: a forced password change, and a language that follows the browser

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_users') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.alter_column('locale', existing_type=sa.String(length=5), nullable=True)
    # Accounts that never signed in still hold the generated password: they change it first.
    op.execute(sa.text("UPDATE staff_users SET must_change_password = :yes "
                       "WHERE totp_enrolled_at IS NULL").bindparams(yes=True))


def downgrade() -> None:
    op.execute(sa.text("UPDATE staff_users SET locale = 'en' WHERE locale IS NULL"))
    with op.batch_alter_table('staff_users') as batch:
        batch.alter_column('locale', existing_type=sa.String(length=5), nullable=False)
        batch.drop_column('must_change_password')
