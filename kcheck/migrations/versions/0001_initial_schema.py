"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('webhook_secret', sa.LargeBinary(), nullable=True),
    sa.Column('webhook_secret_previous', sa.LargeBinary(), nullable=True),
    sa.Column('webhook_previous_until', sa.DateTime(), nullable=True),
    sa.Column('webhook_disabled_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('key_prefix', name=op.f('uq_api_clients_key_prefix'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_type', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_case_id'), ['case_id'], unique=False)

    op.create_table('staff_users',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('totp_secret', sa.LargeBinary(), nullable=True),
    sa.Column('totp_enrolled_at', sa.DateTime(), nullable=True),
    sa.Column('totp_last_step', sa.BigInteger(), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email'))
    )
    op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('api_client_id', sa.String(length=36), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('request_fingerprint', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('subject_ref', sa.String(length=200), nullable=False),
    sa.Column('order_ref', sa.String(length=200), nullable=True),
    sa.Column('locale', sa.String(length=5), nullable=True),
    sa.Column('callback_url', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('reason_code', sa.String(length=60), nullable=True),
    sa.Column('reviewer_id', sa.String(length=36), nullable=True),
    sa.Column('link_nonce', sa.String(length=32), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(), nullable=True),
    sa.Column('token_used_at', sa.DateTime(), nullable=True),
    sa.Column('claimed_by', sa.String(length=36), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('resubmission_slots', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data_received_at', sa.DateTime(), nullable=True),
    sa.Column('purge_due_at', sa.DateTime(), nullable=True),
    sa.Column('data_purged_at', sa.DateTime(), nullable=True),
    sa.Column('purge_receipt', sa.JSON(), nullable=True),
    sa.Column('wrapped_data_key', sa.LargeBinary(), nullable=True),
    sa.Column('expected_name', sa.LargeBinary(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('location', sa.LargeBinary(), nullable=True),
    sa.Column('location_country', sa.String(length=2), nullable=True),
    sa.Column('phone_verified_at', sa.DateTime(), nullable=True),
    sa.Column('location_at', sa.DateTime(), nullable=True),
    sa.Column('document_type', sa.String(length=20), nullable=True),
    sa.Column('consent_at', sa.DateTime(), nullable=True),
    sa.Column('biometric_consent_at', sa.DateTime(), nullable=True),
    sa.Column('sms_locks', sa.Integer(), nullable=False),
    sa.Column('sms_sends', sa.Integer(), nullable=False),
    sa.Column('resubmission_message', sa.LargeBinary(), nullable=True),
    sa.Column('face_match', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('fk_cases_api_client_id_api_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('api_client_id', 'idempotency_key', name='uq_cases_idempotency'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_cases_token_hash'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_api_client_id'), ['api_client_id'], unique=False)
        batch_op.create_index('ix_cases_purge_due', ['purge_due_at'], unique=False)
        batch_op.create_index('ix_cases_purge_pending', ['purge_due_at'], unique=False, sqlite_where=sa.text('data_purged_at IS NULL'), postgresql_where=sa.text('data_purged_at IS NULL'))
        batch_op.create_index('ix_cases_status_expires', ['status', 'expires_at'], unique=False)

    op.create_table('staff_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_staff_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_staff_id'), ['staff_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('reviewer_id', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('reason_code', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('slots', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('case_submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['staff_users.id'], name=op.f('fk_decisions_reviewer_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_case_id'), ['case_id'], unique=False)

    op.create_table('mobile_sessions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_mobile_sessions_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mobile_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_mobile_sessions_token_hash'))
    )
    with op.batch_alter_table('mobile_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mobile_sessions_case_id'), ['case_id'], unique=False)

    op.create_table('photos',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('slot', sa.String(length=20), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('blob_key', sa.String(length=200), nullable=True),
    sa.Column('preview_key', sa.String(length=200), nullable=True),
    sa.Column('byte_size', sa.BigInteger(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=True),
    sa.Column('metrics', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('enqueued_at', sa.DateTime(), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('analysis', sa.String(length=10), nullable=True),
    sa.Column('analysed_at', sa.DateTime(), nullable=True),
    sa.Column('mrz', sa.LargeBinary(), nullable=True),
    sa.Column('phash', sa.LargeBinary(), nullable=True),
    sa.Column('phash_bands', sa.String(length=60), nullable=True),
    sa.Column('document_digest', sa.String(length=24), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_photos_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photos'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_document_digest'), ['document_digest'], unique=False)
        batch_op.create_index('ix_photos_status_enqueued', ['status', 'enqueued_at'], unique=False)

    op.create_table('sms_challenges',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('phone_digest', sa.String(length=64), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('sends', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_at', sa.DateTime(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_sms_challenges_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_challenges'))
    )
    with op.batch_alter_table('sms_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_challenges_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_challenges_phone_digest'), ['phone_digest'], unique=False)

    op.create_table('webhook_events',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('api_client_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['api_client_id'], ['api_clients.id'], name=op.f('fk_webhook_events_api_client_id_api_clients')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_webhook_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_events'))
    )
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_events_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_webhook_events_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=40), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['webhook_events.id'], name=op.f('fk_webhook_deliveries_event_id_webhook_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_event_id'), ['event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_event_id'))

    op.drop_table('webhook_deliveries')
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_events_due')
        batch_op.drop_index(batch_op.f('ix_webhook_events_case_id'))

    op.drop_table('webhook_events')
    with op.batch_alter_table('sms_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_challenges_phone_digest'))
        batch_op.drop_index(batch_op.f('ix_sms_challenges_case_id'))

    op.drop_table('sms_challenges')
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index('ix_photos_status_enqueued')
        batch_op.drop_index(batch_op.f('ix_photos_document_digest'))
        batch_op.drop_index(batch_op.f('ix_photos_case_id'))

    op.drop_table('photos')
    with op.batch_alter_table('mobile_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mobile_sessions_case_id'))

    op.drop_table('mobile_sessions')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_case_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_staff_id'))

    op.drop_table('staff_sessions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_status_expires')
        batch_op.drop_index('ix_cases_purge_pending', sqlite_where=sa.text('data_purged_at IS NULL'), postgresql_where=sa.text('data_purged_at IS NULL'))
        batch_op.drop_index('ix_cases_purge_due')
        batch_op.drop_index(batch_op.f('ix_cases_api_client_id'))

    op.drop_table('cases')
    op.drop_table('staff_users')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_case_id'))

    op.drop_table('audit_events')
    op.drop_table('api_clients')
