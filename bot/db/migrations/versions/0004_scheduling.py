"""scheduling: reminder offsets, quiet hours, approval expiry, waitlist, rebooking nudges, outbox retries

Revision ID: 0004_scheduling
Revises: 0002
Create Date: 2026-11-22 10:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.db.types


revision = '0004_scheduling'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New NOT NULL columns carry a server default, so this runs on a live database with rows in it.
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_offsets_minutes', sa.JSON(), nullable=False,
                                      server_default='[1440, 120]'))
        batch_op.add_column(sa.Column('quiet_start', sa.Time(), nullable=True, server_default='21:00:00'))
        batch_op.add_column(sa.Column('quiet_end', sa.Time(), nullable=True, server_default='08:00:00'))
        batch_op.add_column(sa.Column('approval_hours', sa.Integer(), nullable=False, server_default='24'))
        batch_op.add_column(sa.Column('waitlist_hold_minutes', sa.Integer(), nullable=False, server_default='15'))
        batch_op.add_column(sa.Column('whatsapp_templates', sa.JSON(), nullable=False, server_default='{}'))

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rebook_weeks', sa.Integer(), nullable=True))

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_confirmed_at', bot.db.types.UTCDateTime(), nullable=True))

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True))
        batch_op.add_column(sa.Column('template_variables', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', bot.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', bot.db.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('error_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True))

    op.create_table('waitlist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('before_at', bot.db.types.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('offered_booking_id', sa.Integer(), nullable=True),
    sa.Column('created_at', bot.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.ForeignKeyConstraint(['customer_id'], ['customer.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], ),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['offered_booking_id'], ['booking.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_waitlist_open', ['business_id', 'status', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waitlist', schema=None) as batch_op:
        batch_op.drop_index('ix_waitlist_open')
        batch_op.drop_index(batch_op.f('ix_waitlist_customer_id'))
    op.drop_table('waitlist')

    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('error_code')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('template_variables')
        batch_op.drop_column('kind')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('attendance_confirmed_at')

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('rebook_weeks')

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('whatsapp_templates')
        batch_op.drop_column('waitlist_hold_minutes')
        batch_op.drop_column('approval_hours')
        batch_op.drop_column('quiet_end')
        batch_op.drop_column('quiet_start')
        batch_op.drop_column('reminder_offsets_minutes')
