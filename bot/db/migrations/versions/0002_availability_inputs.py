"""availability inputs: technician skills, base, day hours, buffers, seats, job places; customer language; cancellation notice

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 13:42:11.819204
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.db.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get the defaults the models give new ones (server_default), so this runs on a live database.
    op.create_table('day_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=True),
    sa.Column('closes', sa.Time(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('day_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_day_hours_staff_id'), ['staff_id'], unique=False)

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lng', sa.Float(), nullable=True))

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unknown_drive_minutes', sa.Integer(), nullable=False, server_default='20'))
        batch_op.add_column(sa.Column('cancel_refund_hours', sa.Integer(), nullable=False, server_default='24'))

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lng', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False,
                                      server_default='en'))

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buffer_before_minutes', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('buffer_after_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seats', sa.Integer(), nullable=False, server_default='1'))

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('base_address', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('base_lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('base_lng', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('max_jobs_per_day', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('max_jobs_per_day')
        batch_op.drop_column('base_lng')
        batch_op.drop_column('base_lat')
        batch_op.drop_column('base_address')
        batch_op.drop_column('service_ids')

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('seats')
        batch_op.drop_column('buffer_after_minutes')
        batch_op.drop_column('buffer_before_minutes')

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('language')
        batch_op.drop_column('lng')
        batch_op.drop_column('lat')
        batch_op.drop_column('address')

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('cancel_refund_hours')
        batch_op.drop_column('unknown_drive_minutes')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('lng')
        batch_op.drop_column('lat')
        batch_op.drop_column('address')
        batch_op.drop_column('seats')

    with op.batch_alter_table('day_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_day_hours_staff_id'))

    op.drop_table('day_hours')
