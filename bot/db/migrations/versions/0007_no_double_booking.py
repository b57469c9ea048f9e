"""no double booking: PostgreSQL refuses two live bookings of one technician at overlapping times

Revision ID: 0007_no_double_booking
Revises: 0006_merge

A live booking is a hold (held, awaiting payment) or a firm one (pending approval, confirmed). Holds
lapse by time without a status change, which a constraint cannot see: the code that takes a slot
(bot.schedule.free_at) first marks the business's lapsed holds expired inside its transaction.
Seats of one group class share their exact span (`group_seat`, same service and start: one key);
how many seats are taken is the availability re-check's job, under the business row lock. Bookings
the owner forced over a clash are outside the constraint: that is what force means.
SQLite has no exclusion constraints: there every transaction is BEGIN IMMEDIATE (one writer at a
time) and re-checks availability before it writes (bot/db/session.py).
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_no_double_booking"
down_revision = "0006_merge"
branch_labels = None
depends_on = None

LIVE = "('held', 'awaiting_payment', 'pending_approval', 'confirmed')"


def upgrade() -> None:
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_seat", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    # Two rows conflict when they have the same technician, overlapping [start, end) and different keys.
    # The key is the row's own id, except for a group seat, where it is minus the service id: seats of
    # one class agree on it, while anything else overlapping them still conflicts.
    op.execute(f"""
        ALTER TABLE booking ADD CONSTRAINT booking_no_double_booking EXCLUDE USING gist (
            staff_id WITH =,
            tstzrange(start_at, end_at, '[)') WITH &&,
            (CASE WHEN group_seat THEN -service_id ELSE id END) WITH <>
        ) WHERE (status IN {LIVE} AND NOT forced)""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE booking DROP CONSTRAINT IF EXISTS booking_no_double_booking")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("group_seat")
