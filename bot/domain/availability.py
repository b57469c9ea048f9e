"""Free slots: `find_slots(request)` is every start a service can be booked at, for every technician.

Pure: the zone, `now`, hours, jobs and travel times all come in the request, so the same request
always gives the same slots (in any input order).

The pipeline, per technician and local day (cal.com's shape, with every input explicit):
1. hours: the weekly wall-clock rules, or that date's override, as real UTC ranges;
2. nothing starts before the drive from the technician's base, counted from the day's first opening;
3. existing jobs cut the ranges into gaps. Each job is widened by its own buffers, the new job's
   buffers and the drive between the two places, so a gap is where the new job's whole span fits;
4. time off and external busy time (the owner's Google Calendar) are removed as they are;
5. starts on the local-clock grid that fit in a gap, after the minimum notice, within the horizon and
   inside the asked window.

Worked example: hours 08:00-18:00, a 180-minute job, a 30-minute grid and a 15-minute turnaround
after each job. With a booking 10:00-11:30 the first start after it is 12:00 (11:45 clears the
turnaround but is off the grid) and the last start of the day is 15:00 (15:00 + 3 h = 18:00). If the
booking was across town, 25 minutes' drive away, the first start becomes 12:30 (11:30 + 15 + 25 =
12:10, next grid point 12:30).

Travel is checked against every job of the day, not only the neighbours. With drive times that obey
the triangle inequality (straight-line estimates always do, real roads nearly always) that is the
same as checking the neighbours; when they do not, it errs towards a longer gap, never a late arrival.
A technician starts the day at their base; the drive home after the last job is not working time.
"""

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import chain, groupby, islice, repeat
from operator import attrgetter, eq, is_, sub
from zoneinfo import ZoneInfo

from bot.domain.span import Span, merged, subtract
from bot.domain.travel import MemoTravel, Place, TravelTimes

ZERO = timedelta(0)
TICK = timedelta(microseconds=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
# How far a job can reach into a neighbouring day through buffers and driving; no drive is longer.
REACH = timedelta(hours=12)
# Local days (per grid and zone) whose grid points are kept: a 60-day horizon for a few businesses' zones.
GRIDS_REMEMBERED = 512


@dataclass(frozen=True)
class WeeklyRule:
    """Open from `opens` to `closes` local wall-clock time on `weekday` (0 = Monday)."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True, init=False)
class Job:
    """Something already in a technician's day: a booking, a live hold or a pending approval."""

    span: Span                              # UTC instants
    place: Place | None = None
    service: str = ""
    seats: int = 1                          # customers it seats (more than one only in group services)
    buffer_before: timedelta = ZERO         # set-up kept free before it
    buffer_after: timedelta = ZERO          # clean-up and turnaround kept free after it

    def __init__(self, span: Span, place: Place | None = None, service: str = "", seats: int = 1,
                 buffer_before: timedelta = ZERO, buffer_after: timedelta = ZERO) -> None:
        # The generated __init__ of a frozen dataclass sets each field with its own object.__setattr__ call, and an
        # offer whose window is full builds every booking up to the horizon as a Job: that was a quarter of reading
        # them. One dict with every field is half the instructions, and fields still read fast from it (a dict
        # filled key by key through self.__dict__ made every later read slow). Equality, hashing, repr, replace()
        # and the frozen check are dataclass's own; tests/unit/test_availability_fast_paths.py holds this
        # signature to the fields.
        object.__setattr__(self, "__dict__", {"span": span, "place": place, "service": service, "seats": seats,
                                              "buffer_before": buffer_before, "buffer_after": buffer_after})

    def _key(self) -> tuple:
        return (self.span.start, self.span.end, self.service, self.seats, repr(self.place))


@dataclass(frozen=True)
class Technician:
    """One technician (or one van and its crew): hours, what they do, and what is already booked."""

    id: int
    weekly: Sequence[WeeklyRule] = ()
    # A date's own hours instead of the weekly rules: extra hours, a short day; () is a day off.
    overrides: Mapping[date, Sequence[tuple[time, time]]] = field(default_factory=dict)
    time_off: Sequence[Span] = ()
    busy: Sequence[Span] = ()               # external calendars' busy time: blocked exactly, no buffers
    jobs: Sequence[Job] = ()
    services: frozenset[str] | None = None  # None: every service
    base: Place | None = None               # where the day starts
    max_jobs_per_day: int | None = None
    _starts: list[datetime] = field(init=False, repr=False, compare=False, default_factory=list)
    _longest: timedelta = field(init=False, repr=False, compare=False, default=ZERO)
    _blocked: list[Span] = field(init=False, repr=False, compare=False, default_factory=list)

    def __post_init__(self) -> None:
        # Held in UTC: arithmetic on zone-aware local times is wall-clock arithmetic (on a spring-forward
        # day 03:00 CDT - 00:00 CST reads 3 hours, but only 2 pass), and buffers are real minutes.
        # Sorted once, so a query touches only the jobs near its window (bisect), whatever the order given.
        # A full calendar gives hundreds of jobs on each offer, so this is done in C where it can (map, sorted).
        jobs = _in_order(_jobs_in_utc(self.jobs))
        spans = list(map(_span_of, jobs))
        starts = list(map(_start_of, spans))
        object.__setattr__(self, "jobs", jobs)
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_longest", max(map(sub, map(_end_of, spans), starts), default=ZERO))
        object.__setattr__(self, "_blocked", merged(map(_in_utc, [*self.time_off, *self.busy])))

    def does(self, service: str) -> bool:
        return self.services is None or service in self.services

    def jobs_touching(self, span: Span) -> Sequence[Job]:
        """The jobs that overlap `span`, sorted by start."""
        lo = bisect.bisect_left(self._starts, span.start - self._longest)
        hi = bisect.bisect_left(self._starts, span.end)
        return [j for j in self.jobs[lo:hi] if j.span.end > span.start]

    def blocked_touching(self, span: Span) -> list[Span]:
        """Time off and external busy time that overlaps `span`."""
        i = max(bisect.bisect_left(self._blocked, (span.start,)) - 1, 0)  # merged: only one can start earlier
        found = []
        while i < len(self._blocked) and self._blocked[i].start < span.end:
            if self._blocked[i].end > span.start:
                found.append(self._blocked[i])
            i += 1
        return found


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    duration: timedelta
    buffer_before: timedelta = ZERO
    buffer_after: timedelta = ZERO
    seats: int = 1                          # customers one start can take: a group class has more


@dataclass(frozen=True)
class SlotRequest:
    service: ServiceSpec
    technicians: Sequence[Technician]
    windows: Sequence[Span]                 # start == end asks for that exact start
    now: datetime
    tz: str
    grid: timedelta = timedelta(minutes=30)     # starts lie on this local-clock grid from midnight
    notice: timedelta = timedelta(hours=1)      # no start sooner than this after now
    horizon: timedelta = timedelta(days=60)     # no start later than this after now
    place: Place | None = None              # where the new job is (mobile businesses)
    travel: TravelTimes | None = None       # None: the customer comes to us, nobody drives
    party: int = 1                          # seats wanted


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime
    staff_id: int
    drive_minutes: float = field(default=0.0, compare=False)  # driving this job adds to the technician's day


def find_slots(request: SlotRequest) -> list[Slot]:
    """Every bookable slot whose start lies in one of the request's windows, sorted by start, then technician."""
    return _Scan(request).slots(request.windows)


def nearest_slots(request: SlotRequest, limit: int = 3, *, step: timedelta = WEEK) -> list[Slot]:
    """When the request's window has nothing: the latest free start before it and the earliest after.

    Searches `step` at a time outwards, so a busy calendar does not cost a whole-horizon scan. The answer is
    the same for any step; a shorter one stops sooner after the last booked day, a longer one looks at more
    days at once (all of which a route matrix then answers, bot.schedule.scanned).
    """
    window = Span(request.windows[0].start.astimezone(UTC), request.windows[0].end.astimezone(UTC))
    now = request.now.astimezone(UTC)
    # One scan for every step: its grid points, drive times and days' slots hold for the whole search. A step of
    # a day in UTC touches two local days, and each is worked out once.
    scan = _Scan(request, keep_days=True)
    before: list[Slot] = []
    end = window.start - TICK
    while not before and end > now:
        before = _distinct(scan.slots([Span(max(now, end - step), end)]))
        end -= step
    after: list[Slot] = []
    start = max(window.end, window.start + TICK)
    while len(after) < limit and start < now + request.horizon:
        after += _distinct(scan.slots([Span(start, start + step)]))
        start += step
    # Both sides when both have something ("before and after it"), the rest by distance.
    after = sorted(after, key=lambda s: (_distance(s.start, window), s.start))
    return sorted(before[-1:] + after[:limit - len(before[-1:])])


def _distance(start: datetime, window: Span) -> timedelta:
    """How far `start` lies from the window's nearer edge: for a full "Saturday" (00:00-24:00), Friday 15:00
    is 9 hours away and Monday 08:00 is 32, not the 56 hours from Saturday's start."""
    return window.start - start if start < window.start else start - window.end


def opening_ranges(tech: Technician, day: date, tz: ZoneInfo) -> list[Span]:
    """The technician's open ranges on a local day, as UTC instants.

    Rules are local wall-clock times, so an 08:00 opening stays 08:00 across a DST change; a time
    that does not exist on a spring-forward day moves forward by the length of the gap
    (02:30 -> 03:30 CDT, zoneinfo's fold=0 reading), and a repeated fall-back time is its first occurrence.
    """
    return _opening_of(_hours_on(tech, day), day, tz)


def _hours_on(tech: Technician, day: date) -> tuple[tuple[time, time], ...]:
    """The technician's wall-clock hours on a local day: that date's own, or the weekly rules'."""
    if day in tech.overrides:
        return tuple((opens, closes) for opens, closes in tech.overrides[day])
    weekday = day.weekday()
    return tuple((r.opens, r.closes) for r in tech.weekly if r.weekday == weekday)


def _opening_of(hours: Iterable[tuple[time, time]], day: date, tz: ZoneInfo) -> list[Span]:
    return merged(Span(_instant(day, opens, tz), _instant(day, closes, tz)) for opens, closes in hours
                  if opens < closes)


def grid_starts(day: date, grid: timedelta, tz: ZoneInfo) -> list[datetime]:
    """The UTC instants of the local day's grid points (00:00, 00:30, ... in local wall-clock time).

    Spring-forward: points in the skipped hour do not exist and are left out (a 90-minute grid gives
    00:00, 01:30, 03:00 CDT, 04:30). Fall-back: points in the repeated hour exist twice, as two instants.
    """
    step = int(grid.total_seconds())
    midnight = _instant(day, time(0), tz)
    if _instant(day + DAY, time(0), tz) - midnight == DAY and midnight.astimezone(tz).time() == time(0):
        # No clock change today (nearly every day): the local grid is an even step in real time.
        return [midnight + timedelta(seconds=seconds) for seconds in range(0, 24 * 3600, step)]
    instants: list[datetime] = []
    for seconds in range(0, 24 * 3600, step):
        wall = datetime.combine(day, time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
        for fold in (0, 1):
            local = wall.replace(tzinfo=tz, fold=fold)
            instant = local.astimezone(UTC)
            if instant.astimezone(tz).replace(tzinfo=None) == wall:  # a skipped time does not round-trip
                instants.append(instant)
    return sorted(set(instants))


@lru_cache(maxsize=GRIDS_REMEMBERED)
def _shared_grid(day: date, grid: timedelta, tz: ZoneInfo) -> tuple[datetime, ...]:
    """grid_starts, worked out once per process: it depends on nothing else, and when a window is full every
    offer scans the same weeks ahead for the nearest free times."""
    return tuple(grid_starts(day, grid, tz))


def _distinct(slots: Sequence[Slot]) -> list[Slot]:
    seen: dict[datetime, Slot] = {}
    for slot in slots:
        seen.setdefault(slot.start, slot)
    return list(seen.values())


class _Scan:
    """A search's fixed inputs and caches (grid points per day, drive times per pair): everything but the windows."""

    def __init__(self, request: SlotRequest, *, keep_days: bool = False) -> None:
        """`keep_days`: keep each technician's slots of a whole local day, for a search whose windows touch the
        same days again and again (nearest_slots)."""
        self.request = request
        self.service = request.service
        self.tz = ZoneInfo(request.tz) if isinstance(request.tz, str) else request.tz
        self.now = request.now.astimezone(UTC)
        self.place = request.place
        self.travel = MemoTravel(request.travel) if request.travel is not None else None
        self._grids: dict[date, Sequence[datetime]] = {}
        self._days: dict[date, Span] = {}
        self._widenings: dict[tuple[int, timedelta, timedelta], tuple[Place | None, timedelta, timedelta]] = {}
        self._from_base: dict[int, timedelta] = {}
        self._openings: dict[tuple[tuple[tuple[time, time], ...], date], list[Span]] = {}
        self._whole_days: dict[tuple[int, date], list[Slot]] | None = {} if keep_days else None
        self._allowed = Span(self.now + request.notice, self.now + request.horizon)

    def slots(self, windows: Sequence[Span]) -> list[Slot]:
        """find_slots for these windows."""
        request = self.request
        found: dict[tuple[datetime, int], Slot] = {}
        for window in windows:
            starts = self.start_range(window)
            if starts is None:
                continue
            first_day, last_day = starts.start.astimezone(self.tz).date(), starts.end.astimezone(self.tz).date()
            for tech in request.technicians:
                if not tech.does(request.service.name):
                    continue
                day = first_day
                while day <= last_day:
                    for slot in self._day(tech, day, starts):
                        found.setdefault((slot.start, slot.staff_id), slot)
                    day += DAY
        return sorted(found.values())

    def _day(self, tech: Technician, day: date, starts: Span) -> list[Slot]:
        """day_slots, or with keep_days the day's slots for every start allowed, kept, and those within `starts`:
        nothing in a slot depends on the range asked, so the two are the same."""
        if self._whole_days is None:
            return self.day_slots(tech, day, starts)
        key = (tech.id, day)
        whole = self._whole_days.get(key)
        if whole is None:
            whole = self._whole_days[key] = self.day_slots(tech, day, self._allowed)
        return [slot for slot in whole if starts.start <= slot.start <= starts.end]

    def start_range(self, window: Span) -> Span | None:
        """The inclusive range of starts the window allows after notice and horizon, or None."""
        start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
        earliest, latest = self._allowed
        if start == end:  # an exact time
            return Span(start, start) if earliest <= start <= latest else None
        lo, hi = max(start, earliest), min(end - TICK, latest)  # the window's end is exclusive
        return Span(lo, hi) if lo <= hi else None

    def drive(self, origin: Place | None, destination: Place | None) -> float:
        if self.travel is None or origin is None or destination is None:
            return 0.0
        return self.travel.minutes(origin, destination)

    def _drive(self, origin: Place | None, destination: Place | None) -> timedelta:
        return timedelta(minutes=self.drive(origin, destination))

    def day_slots(self, tech: Technician, day: date, starts: Span) -> list[Slot]:
        opening = self._opening(tech, day)
        if not opening:
            return []
        service, duration = self.service, self.service.duration
        if self.request.party > service.seats:
            return []
        local_day = self._local_day(day)
        # Jobs within REACH of the hours can push into them; any job starting that day counts to its maximum.
        around = Span(min(opening[0].start - REACH, local_day.start), max(opening[-1].end + REACH, local_day.end))
        jobs = tech.jobs_touching(around)
        todays = jobs[bisect.bisect_left(jobs, local_day.start, key=_start_of_job):
                      bisect.bisect_left(jobs, local_day.end, key=_start_of_job)]  # jobs are sorted by start
        slots = self._joins(tech, todays, starts)
        if tech.max_jobs_per_day is not None and len({j._key()[:3] for j in todays}) >= tech.max_jobs_per_day:
            return slots
        holes = self._blocks(jobs)
        holes += tech.blocked_touching(around)
        if tech.base is not None:
            # The day starts at the base when work starts: no job before the drive from there, even past a
            # short first shift (08:00-08:30 and 09:00-18:00 with a 75-minute drive: 09:15, not 09:00).
            holes.append(Span(opening[0].start, opening[0].start + self._drive_from_base(tech)))
        gaps = subtract(opening, holes)
        grid = self._grid(day)
        for gap in gaps:
            lo, hi = max(gap.start, starts.start), min(gap.end - duration, starts.end)
            if lo > hi:
                continue
            drive = self._detour(tech, todays, gap)
            for start in grid[bisect.bisect_left(grid, lo):bisect.bisect_right(grid, hi)]:
                slots.append(Slot(start, start + duration, tech.id, drive))
        return slots

    def _opening(self, tech: Technician, day: date) -> list[Span]:
        """opening_ranges, worked out once per scan for each day's hours: technicians mostly share them."""
        hours = _hours_on(tech, day)
        opening = self._openings.get((hours, day))
        if opening is None:
            opening = self._openings[(hours, day)] = _opening_of(hours, day, self.tz)
        return opening

    def _blocks(self, jobs: Iterable[Job]) -> list[Span]:
        """Where the new job's span may not be, because of each of `jobs`: its span widened by both jobs'
        buffers and the drive between them."""
        widenings = self._widenings
        blocks = []
        for job in jobs:
            known = widenings.get((id(job.place), job.buffer_before, job.buffer_after))
            if known is None:
                known = self._widening(job)
            start, end = job.span
            blocks.append(Span(start - known[1], end + known[2]))
        return blocks

    def _widening(self, job: Job) -> tuple[Place | None, timedelta, timedelta]:
        """How far `job` reaches before and after its span for the new job, kept for the scan with its place.

        A full calendar's hundreds of jobs have a few places and buffers between them. Kept under the place's
        identity, as hashing a Place runs Python code and the jobs of one address share one Place
        (bot.db.queries.technicians); the place is kept with the answer, so while the scan lasts no other
        place can be given its id.
        """
        service = self.service
        known = (job.place, job.buffer_before + service.buffer_after + self._drive(self.place, job.place),
                 job.buffer_after + service.buffer_before + self._drive(job.place, self.place))
        self._widenings[(id(job.place), job.buffer_before, job.buffer_after)] = known
        return known

    def _drive_from_base(self, tech: Technician) -> timedelta:
        """The drive from the technician's base to the new job, asked once per scan."""
        if tech.id not in self._from_base:
            self._from_base[tech.id] = self._drive(tech.base, self.place)
        return self._from_base[tech.id]

    def _joins(self, tech: Technician, todays: Sequence[Job], starts: Span) -> list[Slot]:
        """Seats left in group jobs of this service already on the day (a class with room)."""
        service = self.service
        if service.seats <= 1:
            return []
        taken: dict[Span, int] = {}
        for job in todays:
            if job.service == service.name:
                taken[job.span] = taken.get(job.span, 0) + job.seats
        joins = []
        for span, seats in taken.items():
            if seats + self.request.party <= service.seats and starts.start <= span.start <= starts.end \
                    and span.end - span.start == service.duration \
                    and not any(b.overlaps(span) for b in tech.blocked_touching(span)):
                joins.append(Slot(span.start.astimezone(UTC), span.end.astimezone(UTC), tech.id, 0.0))
        return joins

    def _detour(self, tech: Technician, todays: Sequence[Job], gap: Span) -> float:
        """Minutes of driving the new job adds: prev -> new -> next instead of prev -> next.

        prev is the day's job that ends last before the gap (or the base), next the first job after it (or
        the base again, when known, for the drive home).
        """
        if self.travel is None:
            return 0.0
        done = [j for j in todays if j.span.end <= gap.start]
        prev = max(done, key=lambda j: j.span.end).place if done else tech.base
        following = next((j.place for j in todays if j.span.start >= gap.end), tech.base)
        if prev is None and following is None:
            return 0.0
        if prev is None:
            return self.drive(self.place, following)
        if following is None:
            return self.drive(prev, self.place)
        return max(0.0, self.drive(prev, self.place) + self.drive(self.place, following) - self.drive(prev, following))

    def _grid(self, day: date) -> Sequence[datetime]:
        if day not in self._grids:
            self._grids[day] = _shared_grid(day, self.request.grid, self.tz)
        return self._grids[day]

    def _local_day(self, day: date) -> Span:
        """The local day as UTC instants, from its first instant to the next day's."""
        if day not in self._days:
            self._days[day] = Span(_instant(day, time(0), self.tz), _instant(day + DAY, time(0), self.tz))
        return self._days[day]


_span_of = attrgetter("span")
_start_of = attrgetter("start")
_end_of = attrgetter("end")
_zone_of = attrgetter("tzinfo")
_start_of_job = attrgetter("span.start")


def _in_order(jobs: Iterable[Job]) -> tuple[Job, ...]:
    """The jobs sorted by Job._key. Its last part, the place's repr, cost more than all the rest of the sort and
    only tells apart jobs with the same span, which a technician's jobs nearly never share: so they are sorted by
    span, and only a run of jobs with one span is sorted again by the whole key."""
    by_span = sorted(jobs, key=_span_of)
    spans = list(map(_span_of, by_span))
    if not any(map(eq, spans, islice(spans, 1, None))):  # no two share a span: nearly always
        return tuple(by_span)
    ordered: list[Job] = []
    for _, same_span in groupby(by_span, key=_span_of):
        run = list(same_span)
        ordered += sorted(run, key=Job._key) if len(run) > 1 else run
    return tuple(ordered)


def _jobs_in_utc(jobs: Iterable[Job]) -> list[Job]:
    """The jobs with their spans in UTC; as they are when every instant is in UTC already (the database's)."""
    jobs = list(jobs)
    if all(map(is_, map(_zone_of, chain.from_iterable(map(_span_of, jobs))), repeat(UTC))):
        return jobs
    return [_job_in_utc(job) for job in jobs]


def _instant(day: date, wall_time: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, wall_time, tzinfo=tz).astimezone(UTC)


def _in_utc(span: Span) -> Span:
    return Span(span.start.astimezone(UTC), span.end.astimezone(UTC))


def _job_in_utc(job: Job) -> Job:
    if job.span.start.tzinfo is UTC and job.span.end.tzinfo is UTC:  # as the database gives them
        return job
    return replace(job, span=_in_utc(job.span))
