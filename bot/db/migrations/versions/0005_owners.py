"""owners: API tokens, page accounts, sessions and failed sign-ins; manual bookings' origin, force flag and note;
the business's day parts

Revision ID: 0005_owners
Revises: 0002
Create Date: 2026-11-22 12:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.db.types


revision = '0005_owners'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New NOT NULL columns carry a server default, so this runs on a live database with rows in it.
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_business_id'), ['business_id'], unique=False)

    op.create_table('owner_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('business_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['business.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email')
    )
    with op.batch_alter_table('owner_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_account_business_id'), ['business_id'], unique=False)

    op.create_table('owner_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('csrf_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['owner_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('owner_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_owner_session_account_id'), ['account_id'], unique=False)

    op.create_table('login_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('attempted_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempt_key', ['key', 'attempted_at'], unique=False)

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='text'))
        batch_op.add_column(sa.Column('forced', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                      server_default=''))

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_parts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('day_parts')

    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('forced')
        batch_op.drop_column('origin')

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_key')
    op.drop_table('login_attempt')

    with op.batch_alter_table('owner_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_session_account_id'))
    op.drop_table('owner_session')

    with op.batch_alter_table('owner_account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_owner_account_business_id'))
    op.drop_table('owner_account')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_business_id'))
    op.drop_table('api_token')
