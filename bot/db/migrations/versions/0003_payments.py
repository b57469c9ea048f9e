"""payments: deposit policies, no-show counts, Stripe ids and refunds on payments, provider webhook events

Revision ID: 0003_payments
Revises: 0002
Create Date: 2026-11-22 11:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.db.types


revision = '0003_payments'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New NOT NULL columns carry a server default, so this runs on a live database with rows in it.
    op.create_table('provider_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('received_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('provider', 'event_id')
    )

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deposit_policy', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False,
                                      server_default='none'))
        batch_op.add_column(sa.Column('deposit_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('deposit_percent', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('no_show_deposit_cents', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deposit_policy', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.add_column(sa.Column('deposit_percent', sa.Integer(), nullable=True))
    # Until now a service's deposit_cents was its deposit: keep that meaning for the rows already there.
    op.execute("UPDATE service SET deposit_policy = 'fixed' WHERE deposit_cents > 0")

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_show_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('payer_ref', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))

    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', bot.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('payment_intent', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('refunded_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('refund_ref', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('refunded_at', bot.db.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_payment_provider_ref'), ['provider_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_payment_intent'), ['payment_intent'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_payment_intent'))
        batch_op.drop_index(batch_op.f('ix_payment_provider_ref'))
        batch_op.drop_column('refunded_at')
        batch_op.drop_column('refund_ref')
        batch_op.drop_column('refunded_cents')
        batch_op.drop_column('payment_intent')
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('payer_ref')
        batch_op.drop_column('no_show_count')

    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('deposit_percent')
        batch_op.drop_column('deposit_policy')

    with op.batch_alter_table('business', schema=None) as batch_op:
        batch_op.drop_column('no_show_deposit_cents')
        batch_op.drop_column('deposit_percent')
        batch_op.drop_column('deposit_cents')
        batch_op.drop_column('deposit_policy')

    op.drop_table('provider_event')
