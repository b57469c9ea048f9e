"""When reminders, follow-ups and nudges go out: offsets before a booking, quiet hours, DST.

Pure: every instant is a parameter (aware datetimes), zones are IANA names.

- An offset of whole days is counted in local calendar days: "24 h before" a 10:00 job is 10:00 the
  day before even across a DST change (a 23-hour day), because that is what a person expects.
  Other offsets ("2 h before") are elapsed time.
- Quiet hours (e.g. 21:00-08:00 local) hold non-urgent texts (follow-ups, rebooking nudges) until they
  end. A reminder cannot wait (2 h before an 8:00 job is 6:00, and 8:00 is too late), so one that falls
  inside quiet hours goes out earlier instead, shortly before they begin the evening before.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
# A reminder pulled out of quiet hours is due this long before they begin, so that a dispatcher
# running once a minute and a queue of other texts still deliver it before the quiet starts.
QUIET_MARGIN = timedelta(minutes=15)


def offset_before(start_at: datetime, minutes: int, tz: str) -> datetime:
    """The instant `minutes` before `start_at`: local calendar days for whole days, elapsed time otherwise."""
    if minutes % DAY_MINUTES:
        # In UTC: arithmetic on a zoned datetime is wall-clock arithmetic, wrong across a DST change.
        return start_at.astimezone(UTC) - timedelta(minutes=minutes)
    zone = ZoneInfo(tz)
    local = start_at.astimezone(zone).replace(tzinfo=None) - timedelta(days=minutes // DAY_MINUTES)
    # A wall-clock time that does not exist that day (inside a spring-forward gap) maps to the instant
    # after the gap; an ambiguous one (fall back) to its first occurrence (fold=0).
    return local.replace(tzinfo=zone).astimezone(UTC)


def is_quiet(at: datetime, tz: str, quiet_start: time | None, quiet_end: time | None) -> bool:
    """Whether `at` falls inside the daily quiet hours [quiet_start, quiet_end) in zone `tz` (may span midnight)."""
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return False
    clock = at.astimezone(ZoneInfo(tz)).time()
    if quiet_start < quiet_end:
        return quiet_start <= clock < quiet_end
    return clock >= quiet_start or clock < quiet_end


def quiet_ends(at: datetime, tz: str, quiet_start: time | None, quiet_end: time | None) -> datetime:
    """`at` itself when it is not in quiet hours, else the instant they end, in UTC (a non-urgent text
    waits until then)."""
    if not is_quiet(at, tz, quiet_start, quiet_end):
        return at
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    end = datetime.combine(local.date(), quiet_end, tzinfo=zone)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), quiet_end, tzinfo=zone)
    return end.astimezone(UTC)


def quiet_begins_before(at: datetime, tz: str, quiet_start: time, quiet_end: time) -> datetime:
    """The start of the quiet hours that contain `at` (which must be inside them)."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    day = local.date() if local.time() >= quiet_start else local.date() - timedelta(days=1)
    return datetime.combine(day, quiet_start, tzinfo=zone).astimezone(UTC)


def reminder_times(start_at: datetime, offsets_minutes: Iterable[int], *, now: datetime, tz: str,
                   quiet_start: time | None = None, quiet_end: time | None = None) -> list[datetime]:
    """When to remind the customer of a job at `start_at` (UTC instants), earliest first.

    A reminder that falls in quiet hours moves to QUIET_MARGIN before they begin. One that is already
    past when the booking is made is dropped (the confirmation has just told them), and two that land
    on the same instant are sent once. E.g. a job Wed 9:30 with offsets 24 h and 2 h and quiet hours
    21:00-08:00: Tue 9:30 and Tue 20:45 (7:30 would be inside quiet hours).
    """
    times = set()
    for minutes in offsets_minutes:
        if minutes <= 0:
            continue
        due = offset_before(start_at, minutes, tz)
        if is_quiet(due, tz, quiet_start, quiet_end):
            due = quiet_begins_before(due, tz, quiet_start, quiet_end) - QUIET_MARGIN
        if now < due < start_at:
            times.add(due)
    return sorted(times)
