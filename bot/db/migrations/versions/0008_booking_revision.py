"""booking revision: how often a booking on the customer's calendar changed time or ended

Revision ID: 0008_booking_revision
Revises: 0007_no_double_booking

The booking's calendar file (GET /b/{code}.ics) carries it as SEQUENCE, so a calendar that imported the
file replaces its copy with a rescheduled or cancelled one. A flush listener raises it
(bot/db/booking_revision.py). Existing bookings start at 0: no file has been handed out for them yet.
"""
from alembic import op
import sqlalchemy as sa


revision = "0008_booking_revision"
down_revision = "0007_no_double_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("revision")
