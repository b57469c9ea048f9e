"""Planning a booking's due work: reminders and the follow-up once confirmed, approval expiry while it waits.

Only rows in `due_work` are written here; bot/duework.py runs them when they come due. Planning again
replaces what was planned (a reschedule moves the reminders), and bot.cancellation closes every open
row of a cancelled booking (so its reminders drop).
"""

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.db import queries
from bot.db.tables import Booking, Business, DueWork
from bot.domain.reminder import reminder_times

HOLD_EXPIRY = "hold_expiry"
# A hold a slot taker expired in place on PostgreSQL (bot.schedule.free_at): left to do, telling the customer.
HOLD_LAPSED = "hold_lapsed"
REMINDER = "reminder"
FOLLOW_UP = "follow_up"
REBOOK_NUDGE = "rebook_nudge"
APPROVAL_EXPIRY = "approval_expiry"
WAITLIST_EXPIRY = "waitlist_expiry"
# The thank-you (and marking the job done) waits this long after the planned end: jobs run over.
FOLLOW_UP_AFTER = timedelta(hours=2)
BOOKING_PLAN = (REMINDER, FOLLOW_UP)


def plan_reminders(session: Session, booking: Booking, business: Business, *, now: datetime) -> list[datetime]:
    """(Re)plan the reminders and the follow-up of a confirmed booking; returns the reminder times."""
    for row in queries.open_due_work_of(session, booking_id=booking.id, kinds=(*BOOKING_PLAN, APPROVAL_EXPIRY)):
        row.done_at = now
    times = reminder_times(booking.start_at, business.reminder_offsets_minutes, now=now, tz=business.time_zone,
                           quiet_start=business.quiet_start, quiet_end=business.quiet_end)
    session.add_all(DueWork(kind=REMINDER, booking_id=booking.id, due_at=due) for due in times)
    session.add(DueWork(kind=FOLLOW_UP, booking_id=booking.id, due_at=booking.end_at + FOLLOW_UP_AFTER))
    return times


def plan_approval_expiry(session: Session, booking: Booking, business: Business, *, now: datetime) -> None:
    """A request waiting for the owner's OK lapses after the business's approval hours (or at its start)."""
    due = min(now + timedelta(hours=business.approval_hours), booking.start_at)
    session.add(DueWork(kind=APPROVAL_EXPIRY, booking_id=booking.id, due_at=due))


def plan_rebook_nudge(session: Session, booking: Booking, *, weeks: int) -> None:
    session.add(DueWork(kind=REBOOK_NUDGE, booking_id=booking.id, due_at=booking.end_at + timedelta(weeks=weeks)))
