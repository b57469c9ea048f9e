"""google calendar: connected calendars (business-wide or per technician) with their cached busy times, and the
event each booking has on one

Revision ID: 0010_google_calendar
Revises: 0007_no_double_booking

calendar_link holds an owner's OAuth refresh token only Fernet-encrypted (GOOGLE_TOKEN_KEY), or none for the
deployment's service account. calendar_event has one row per booking: the unique booking_id is what makes a
booking's event changes one at a time (its lease) and the event id deterministic per booking.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.db.types


revision = "0010_google_calendar"
down_revision = "0007_no_double_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("calendar_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("auth_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("refresh_token_sealed", sa.Text(), nullable=True),
        sa.Column("busy", sa.JSON(), nullable=True),
        sa.Column("busy_until", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error_since", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["business.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("calendar_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_link_business_id"), ["business_id"], unique=False)

    op.create_table(
        "calendar_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("calendar_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("start_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("end_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("previous_link_id", sa.Integer(), nullable=True),
        sa.Column("previous_start_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("previous_end_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("synced_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_until", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("booking_id"),
    )
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendar_event_link_id"), ["link_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_event_link_id"))
    op.drop_table("calendar_event")
    with op.batch_alter_table("calendar_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_link_business_id"))
    op.drop_table("calendar_link")
