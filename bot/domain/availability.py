"""Free slots: weekly hours -> open ranges in the business's zone -> minus busy time -> slot starts.

Everything is a parameter (zone, now, bookings), so the same inputs always give the same slots.
Worked example: hours 08:00-18:00, a 180-minute job, a 30-minute grid and a 15-minute buffer. With
a booking 10:00-11:30 the first start after it is 12:00 (11:45 clears the buffer but is off the grid)
and the last start of the day is 15:00 (15:00 + 3 h = 18:00).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.span import Span, intersect, merged, subtract


@dataclass(frozen=True)
class WeeklyRule:
    """Open from `opens` to `closes` local wall-clock time on `weekday` (0 = Monday)."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class StaffCalendar:
    """One technician's week, days off and busy time (bookings, holds; without buffers)."""

    staff_id: int
    rules: Sequence[WeeklyRule]
    time_off: Sequence[Span] = ()
    busy: Sequence[Span] = ()


@dataclass(frozen=True)
class SlotRules:
    duration: timedelta
    buffer: timedelta = timedelta(0)          # kept free before and after every job
    grid: timedelta = timedelta(minutes=30)   # slot starts are on this local-clock grid
    notice: timedelta = timedelta(hours=1)    # no start sooner than this after now
    horizon: timedelta = timedelta(days=60)   # no start later than this after now


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime
    staff_id: int = field(compare=True)


def opening_ranges(rules: Iterable[WeeklyRule], tz: ZoneInfo, first_day: date, last_day: date) -> list[Span]:
    """The open ranges, as UTC instants, of every local day from `first_day` to `last_day` inclusive.

    Rules are local wall-clock times, so an 08:00 opening stays 08:00 across a DST change; a time
    that does not exist on a spring-forward day resolves to the instant the clock jumps to.
    """
    rules = list(rules)
    spans: list[Span] = []
    day = first_day
    while day <= last_day:
        for rule in rules:
            if rule.weekday == day.weekday() and rule.opens < rule.closes:
                spans.append(Span(_instant(day, rule.opens, tz), _instant(day, rule.closes, tz)))
        day += timedelta(days=1)
    return merged(spans)


def free_slots(staff: Sequence[StaffCalendar], rules: SlotRules, window: Span, *, now: datetime,
               tz: ZoneInfo) -> list[Slot]:
    """Every bookable slot whose start lies in `window`, for every technician, sorted by start.

    A window with start == end asks for that exact start time.
    """
    # Arithmetic on zone-aware local datetimes is wall-clock arithmetic (03:00 CDT - 1 h = 02:00, a
    # time that never existed); UTC makes every step and duration real elapsed time.
    window, now = Span(window.start.astimezone(UTC), window.end.astimezone(UTC)), now.astimezone(UTC)
    earliest = max(window.start, now + rules.notice)
    latest_start = min(window.end - _TICK, now + rules.horizon)  # the window's end is exclusive
    if window.start == window.end:
        latest_start = window.start if earliest <= window.start <= now + rules.horizon else earliest - _TICK
    if latest_start < earliest:
        return []
    # Local days that can hold a job starting in the window (a day's hours may start before it).
    first_day = (earliest - rules.duration).astimezone(tz).date()
    last_day = (latest_start + rules.duration).astimezone(tz).date()
    reach = Span(earliest, latest_start + rules.duration)
    slots: list[Slot] = []
    for calendar in staff:
        open_spans = intersect(opening_ranges(calendar.rules, tz, first_day, last_day), reach)
        blocked = [b.widened(rules.buffer, rules.buffer) for b in calendar.busy] + list(calendar.time_off)
        for free in subtract(open_spans, blocked):
            start = _on_grid(free.start, rules.grid, tz)
            while start <= latest_start and start + rules.duration <= free.end:
                slots.append(Slot(start, start + rules.duration, calendar.staff_id))
                # Re-align after each step: across a DST change, elapsed time and the local clock differ.
                start = _on_grid(start + rules.grid, rules.grid, tz)
    return sorted(slots)


def distinct_starts(slots: Iterable[Slot]) -> list[Slot]:
    """One slot per start time (the first technician free then), sorted by start."""
    seen: dict[datetime, Slot] = {}
    for slot in sorted(slots):
        seen.setdefault(slot.start, slot)
    return list(seen.values())


def spread_offers(slots: Sequence[Slot], limit: int, tz: ZoneInfo) -> list[Slot]:
    """Up to `limit` slots spread evenly over the candidates, first and last included.

    People answer round times more readily, so when there are enough starts on the hour only those
    are considered: afternoon starts 12:00-15:00 every 30 minutes offer 12:00, 14:00 and 15:00.
    """
    candidates = distinct_starts(slots)
    on_the_hour = [s for s in candidates if s.start.astimezone(tz).minute == 0]
    if len(on_the_hour) >= limit:
        candidates = on_the_hour
    if len(candidates) <= limit:
        return candidates
    if limit == 1:
        return candidates[:1]
    last = len(candidates) - 1
    picks = sorted({int(i * last / (limit - 1) + 0.5) for i in range(limit)})
    return [candidates[i] for i in picks]


def nearest_slots(staff: Sequence[StaffCalendar], rules: SlotRules, window: Span, *, now: datetime,
                  tz: ZoneInfo, limit: int = 3) -> list[Slot]:
    """The free starts closest to `window` when it has none: the latest before it, the earliest after."""
    before = distinct_starts(free_slots(staff, rules, Span(now, window.start - _TICK), now=now, tz=tz))
    after: list[Slot] = []
    search_from = window.end + _TICK if window.end > window.start else window.start + _TICK
    # Look a week at a time so a busy business does not cost a whole-horizon scan.
    while len(after) < limit and search_from < now + rules.horizon:
        week = Span(search_from, search_from + timedelta(days=7))
        after += distinct_starts(free_slots(staff, rules, week, now=now, tz=tz))
        search_from = week.end
    nearest = sorted(before[-1:] + after, key=lambda s: abs(s.start - window.start))[:limit]
    return sorted(nearest)


def _instant(day: date, wall_time: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time.

    A time skipped by spring-forward moves forward by the gap (02:30 -> 03:30 CDT), as zoneinfo's
    fold=0 reading and dateutil's resolve_imaginary do; a repeated fall-back time is its first
    occurrence.
    """
    return datetime.combine(day, wall_time, tzinfo=tz).astimezone(UTC)


def _on_grid(instant: datetime, grid: timedelta, tz: ZoneInfo) -> datetime:
    """The first instant at or after `instant` that lies on the grid of the local clock."""
    local = instant.astimezone(tz)
    step = int(grid.total_seconds())
    since_midnight = local.hour * 3600 + local.minute * 60 + local.second
    remainder = since_midnight % step
    if remainder == 0 and local.microsecond == 0:
        return instant
    return instant + timedelta(seconds=step - remainder, microseconds=-local.microsecond)


_TICK = timedelta(microseconds=1)
