"""Booking revisions: the SEQUENCE of a booking's calendar file (bot/domain/calendar_file.py).

Raised by a flush listener on every session rather than by the code that moves or cancels bookings:
the owner API, the owner page and texts, the customer's reschedule and cancel flows, a waitlist move,
an approval lapsing and a late deposit all write bookings through the ORM, and none of them can forget
to. The rule itself (which changes count) is pure: `calendar_file.is_revision`. A write that bypasses
the ORM must raise the revision itself; there is none in the code base.
"""

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession

from bot.db.tables import Booking
from bot.domain.booking import BookingStatus
from bot.domain.calendar_file import is_revision

PLACEMENT = ("start_at", "end_at", "staff_id")


@event.listens_for(OrmSession, "before_flush")
def _count_revisions(session: OrmSession, _context, _instances) -> None:
    """Raise the revision of each booking this flush moves or ends after it went on the customer's calendar."""
    with session.no_autoflush:
        for row in session.dirty:
            if not isinstance(row, Booking):
                continue
            state = inspect(row)
            moved = any(state.attrs[name].history.has_changes() for name in PLACEMENT)
            status = state.attrs.status.history
            before = status.deleted[0] if status.deleted else row.status
            if is_revision(BookingStatus(before), BookingStatus(row.status), moved=moved):
                row.revision = (row.revision or 0) + 1
