"""join the booking revision, service area, Google Calendar and schedule stamp branches (built in parallel from 0007)

Revision ID: 0012_merge
Revises: 0008_booking_revision, 0009_service_area, 0010_google_calendar, 0011_schedule_stamp
"""

revision = "0012_merge"
down_revision = ("0008_booking_revision", "0009_service_area", "0010_google_calendar", "0011_schedule_stamp")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # the branches add different columns and tables; joining them needs no change


def downgrade() -> None:
    pass
