"""Technicians' working time as the owner edits it: weekly hours (several intervals a day), time off and
holidays. Shell functions over the caller's transaction; the availability engine reads these rows on the
very next customer message (bot/schedule.py), so a change needs no restart and no cache to clear.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import Session

from bot.bookings import Refusal
from bot.db import queries
from bot.db.tables import Booking, Business, Staff, TimeOff, WeeklyHours
from bot.domain.span import Span
from bot.domain.wording import WEEKDAYS, clock_text

WEEKDAY_NAMES = WEEKDAYS["en"]


@dataclass(frozen=True)
class Interval:
    """One open interval of a weekday, local wall-clock time ("Sat 9:00-12:00")."""

    weekday: int         # 0 = Monday
    opens: time
    closes: time

    def __str__(self) -> str:
        day = datetime(2000, 1, 1)
        return (f"{WEEKDAY_NAMES[self.weekday]} {clock_text(day.replace(hour=self.opens.hour, minute=self.opens.minute))}"
                f"-{clock_text(day.replace(hour=self.closes.hour, minute=self.closes.minute))}")


class Clash(Refusal):
    """Time off over bookings: the owner must move or cancel them first, or insist (`force`)."""

    def __init__(self, bookings: Sequence[Booking]):
        ids = ", ".join(f"#{b.id}" for b in bookings)
        super().__init__("start_at", f"clashes with booking{'s' if len(bookings) != 1 else ''} {ids}; move or "
                                     f"cancel them first, or send force=true to keep them anyway")
        self.bookings = list(bookings)


def weekly_hours(session: Session, staff: Staff) -> list[Interval]:
    return [Interval(r.weekday, r.opens, r.closes) for r in queries.weekly_hours_of(session, staff_id=staff.id)]


def set_weekly_hours(session: Session, staff: Staff, intervals: Sequence[Interval]) -> list[Interval]:
    """Replace the technician's whole week; a day with no interval is a day off."""
    checked = sorted(intervals, key=lambda i: (i.weekday, i.opens))
    for n, interval in enumerate(checked):
        if not 0 <= interval.weekday <= 6:
            raise Refusal("hours", f"weekday must be 0 (Monday) to 6 (Sunday), not {interval.weekday}")
        if interval.closes <= interval.opens:
            raise Refusal("hours", f"{interval}: closes before it opens")
        before = checked[n - 1] if n else None
        if before is not None and before.weekday == interval.weekday and interval.opens < before.closes:
            raise Refusal("hours", f"{interval} overlaps {before}")
    for row in queries.weekly_hours_of(session, staff_id=staff.id):
        session.delete(row)
    session.flush()
    session.add_all(WeeklyHours(staff_id=staff.id, weekday=i.weekday, opens=i.opens, closes=i.closes)
                    for i in checked)
    session.flush()
    return checked


def clashes(session: Session, business: Business, staff: Sequence[Staff], span: Span, *,
            now: datetime) -> list[Booking]:
    """The bookings that time off for these technicians over `span` would leave without a technician."""
    return queries.clashing_bookings(session, business_id=business.id, staff_ids=[s.id for s in staff],
                                     around=span, now=now)


def add_time_off(session: Session, business: Business, staff: Sequence[Staff], span: Span, *, reason: str = "",
                 force: bool = False, now: datetime) -> list[TimeOff]:
    """Time off for each of these technicians (all of them: a holiday). Raises Clash over bookings unless
    `force`, which keeps the bookings and blocks only new ones."""
    if span.end <= span.start:
        raise Refusal("end_at", "must be after start_at")
    if not staff:
        raise Refusal("technician_ids", "no technician to give time off to")
    found = clashes(session, business, staff, span, now=now)
    if found and not force:
        raise Clash(found)
    rows = [TimeOff(staff_id=s.id, start_at=span.start, end_at=span.end, reason=reason[:200]) for s in staff]
    session.add_all(rows)
    session.flush()
    return rows


def own_time_off(session: Session, business: Business, time_off_id: int) -> TimeOff | None:
    row = session.get(TimeOff, time_off_id)
    if row is None:
        return None
    staff = session.get(Staff, row.staff_id)
    return row if staff is not None and staff.business_id == business.id else None
