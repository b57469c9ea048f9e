"""Properties of `find_slots`, checked against a brute-force oracle on random businesses.

Each example is three local days around a DST change (America/Chicago, Europe/London and
Australia/Sydney, both ways) or in a half-hour zone (Asia/Kolkata), with random weekly hours, dated
overrides, time off, external busy time, existing jobs with places and buffers, group classes,
services per technician, bases, daily maximums, grids, notice, horizons, windows and drive times.

The oracle shares no code with the engine: it walks the real minutes of the days, reads each one's
local wall-clock time with zoneinfo and asks of every minute of a candidate job whether it is open,
free of time off and external busy time, and clear of every existing job widened by both jobs'
buffers and the drive between them. Properties:
- every returned slot passes the oracle (no overlap with busy time plus buffers plus travel; inside
  working hours; after the notice; within the horizon; on the local grid; inside a window);
- every grid start the oracle finds feasible is returned (completeness), with the detour it adds;
- capacity is never exceeded;
- shuffling every input list gives the identical result.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.availability import Job, ServiceSpec, Slot, SlotRequest, Technician, WeeklyRule, find_slots
from bot.domain.span import Span
from bot.domain.travel import Place

MINUTE = timedelta(minutes=1)
DAYS = 3
# (zone, the first of three local days); the middle day changes the clock except in Kolkata.
STRETCHES = [
    ("America/Chicago", date(2026, 3, 7)),     # Sun 8 Mar: 02:00 CST -> 03:00 CDT
    ("America/Chicago", date(2026, 10, 31)),   # Sun 1 Nov: 02:00 CDT -> 01:00 CST
    ("Europe/London", date(2026, 3, 28)),      # Sun 29 Mar: 01:00 GMT -> 02:00 BST
    ("Europe/London", date(2026, 10, 24)),     # Sun 25 Oct: 02:00 BST -> 01:00 GMT
    ("Australia/Sydney", date(2026, 4, 4)),    # Sun 5 Apr: 03:00 AEDT -> 02:00 AEST
    ("Australia/Sydney", date(2026, 10, 3)),   # Sun 4 Oct: 02:00 AEST -> 03:00 AEDT
    ("Asia/Kolkata", date(2026, 3, 7)),        # +05:30 all year
]
SERVICE = "Detail"
OTHER = "Wash"
# Places on a small street grid; `BlockTravel` drives between them.
PLACES = [Place(f"{x} {y} St", x, y) for x in range(3) for y in range(3)]


class BlockTravel:
    """Integer drive minutes on a street grid: 12 per block east-west, 8 north-south, plus 10 for going
    east (one-way streets), so the way there and the way back differ."""

    def minutes(self, origin: Place, destination: Place) -> float:
        if origin == destination:
            return 0.0
        east = 10 if destination.lat > origin.lat else 0
        return float(12 * abs(destination.lat - origin.lat) + 8 * abs(destination.lng - origin.lng) + east)


# --- random businesses ----------------------------------------------------------------------------------


def quarter(q: int) -> time:
    """The `q`th quarter hour of the day: quarter(34) is 08:30."""
    return time(q // 4, q % 4 * 15)


def day_hours() -> st.SearchStrategy[list[tuple[time, time]]]:
    """One day's opening hours, in one of a few shapes that stress different rules."""
    q = st.integers(0, 95)
    return st.one_of(
        # a working day: opens 06:00-10:00, closes 15:00-20:00
        st.tuples(st.integers(24, 40), st.integers(60, 80)).map(lambda t: [(quarter(t[0]), quarter(t[1]))]),
        # any stretch
        st.tuples(q, q).map(lambda t: [(quarter(min(t)), quarter(max(t)))]),
        # a split day with a short first shift, so the drive from the base can outlast it
        st.tuples(st.integers(24, 40), st.integers(1, 3), st.integers(1, 4), st.integers(64, 80)).map(
            lambda t: [(quarter(t[0]), quarter(t[0] + t[1])), (quarter(t[0] + t[1] + t[2]), quarter(t[3]))]),
        # the night, through the hour the clock changes
        st.tuples(st.integers(0, 3), st.integers(12, 24)).map(lambda t: [(quarter(t[0]), quarter(t[1]))]),
        # either way round (the wrong way is ignored)
        st.tuples(q, q).map(lambda t: [(quarter(t[0]), quarter(t[1]))]),
        # closed
        st.just([]),
    )


@st.composite
def requests(draw: st.DrawFn) -> SlotRequest:
    zone, first = draw(st.sampled_from(STRETCHES))
    tz = ZoneInfo(zone)
    days = [first + timedelta(days=n) for n in range(DAYS)]
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    length = int((datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC) - start)
                 / MINUTE)

    def instant(lo: int, hi: int, step: int = 5) -> datetime:
        """A UTC instant `lo`..`hi` minutes from the stretch's start, on a `step`-minute multiple."""
        return start + timedelta(minutes=draw(st.integers(lo // step, hi // step)) * step)

    def daytime() -> datetime:
        """A local time of day 06:00-20:00 (any 5 minutes) on one of the days or the evening before."""
        day = draw(st.sampled_from([first - timedelta(days=1), *days]))
        local = datetime.combine(day, time(6), tzinfo=tz) + timedelta(minutes=draw(st.integers(0, 14 * 12)) * 5)
        return local.astimezone(UTC)

    def spans(max_size: int, lengths: list[int]) -> list[Span]:
        found = []
        for _ in range(draw(st.integers(0, max_size))):
            begin = draw(st.sampled_from([daytime(), instant(-6 * 60, length + 6 * 60)]))
            found.append(Span(begin, begin + timedelta(minutes=draw(st.sampled_from(lengths)))))
        return found

    now = instant(-24 * 60, 6 * 60, 15)
    notice = timedelta(minutes=draw(st.sampled_from([0, 30, 120, 120, 60, 24 * 60])))
    horizon = timedelta(hours=draw(st.sampled_from([60 * 24, 60 * 24, 48, 72])))
    windows = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.sampled_from([False, False, True])):   # a precise start, now and then right at a limit
            limits = [now + notice] + ([now + horizon] if horizon < timedelta(days=DAYS) else [])
            exact = draw(st.sampled_from([instant(0, length, 15), instant(0, length, 15), *limits]))
            windows.append(Span(exact, exact))
        elif draw(st.sampled_from([True, False])):   # the day the clock changes, in local time
            windows.append(Span(datetime.combine(days[1], time(0), tzinfo=tz),
                                datetime.combine(days[2], time(0), tzinfo=tz)))
        else:
            begin = instant(-120, length - 120, draw(st.sampled_from([15, 5])))
            end = begin + timedelta(minutes=draw(st.sampled_from([length, 720, 240, 60, 1440])))
            windows.append(Span(begin, min(end, start + timedelta(minutes=length + 120))))
    duration = timedelta(minutes=draw(st.sampled_from([30, 45, 60, 90, 180])))
    service = ServiceSpec(SERVICE, duration, buffer_before=timedelta(minutes=draw(st.sampled_from([0, 10, 15, 30]))),
                          buffer_after=timedelta(minutes=draw(st.sampled_from([0, 10, 15, 30]))),
                          seats=draw(st.sampled_from([1, 3])))
    technicians = []
    for staff_id in range(1, draw(st.integers(1, 3)) + 1):
        weekly = [WeeklyRule(day.weekday(), opens, closes) for day in days for opens, closes in draw(day_hours())]
        overrides = {day: draw(day_hours()) for day in draw(st.lists(st.sampled_from(days), max_size=1))}
        jobs = []
        for span in spans(6, [60, 90, 15, 180, 240, 35]):
            jobs.append(Job(span, place=draw(st.sampled_from([None, *PLACES])),
                            service=draw(st.sampled_from([SERVICE, OTHER])), seats=draw(st.integers(1, 3)),
                            buffer_before=timedelta(minutes=draw(st.sampled_from([0, 10, 20]))),
                            buffer_after=timedelta(minutes=draw(st.sampled_from([0, 10, 20])))))
        time_off = spans(1, [240, 60, 600, 240, 2880])
        for _ in range(draw(st.sampled_from([1, 0, 2]))):   # a class of this service with a few bookings
            begin = draw(st.sampled_from([daytime(), *(w.start for w in windows)]))
            place = draw(st.sampled_from(PLACES))
            end = begin.astimezone(UTC) + duration + draw(st.sampled_from([timedelta(0), timedelta(0),
                                                                          timedelta(minutes=30)]))
            jobs += [Job(Span(begin, end), place=place, service=SERVICE, seats=draw(st.sampled_from([1, 2])))
                     for _ in range(draw(st.sampled_from([1, 2, 3])))]
            if draw(st.sampled_from([False, False, True])):   # the teacher is away for part of it
                time_off.append(Span(end - timedelta(minutes=10), end + timedelta(hours=1)))
        technicians.append(Technician(
            staff_id, weekly, overrides, time_off=time_off, busy=spans(2, [60, 30, 240]),
            jobs=jobs, services=draw(st.sampled_from([None] * 6 + [frozenset({SERVICE}), frozenset({OTHER})])),
            base=draw(st.sampled_from([None, *PLACES])), max_jobs_per_day=draw(st.sampled_from([None, None, 1, 2, 3]))))
    travel = draw(st.sampled_from([BlockTravel(), None]))
    return SlotRequest(
        service, technicians, windows, now=now, tz=zone,
        grid=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90]))),
        notice=notice, horizon=horizon,
        place=draw(st.sampled_from([*PLACES, None])), travel=travel,
        party=draw(st.sampled_from([1, 2, 3] if service.seats > 1 else [1] * 19 + [2])))


# --- the oracle -----------------------------------------------------------------------------------------


@dataclass
class Oracle:
    """Brute force over real minutes: what the availability rules say, one minute at a time."""

    request: SlotRequest

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.request.tz)
        self._hours: dict[tuple[int, date], list[Span]] = {}
        self._blocks: dict[int, list[tuple[Span, str]]] = {}
        self._free: dict[tuple[int, datetime], bool] = {}

    @cached_property
    def reach(self) -> Span:
        """Every minute a job starting in a window can cover."""
        return Span(min(w.start for w in self.request.windows).astimezone(UTC),
                    max(w.end for w in self.request.windows).astimezone(UTC) + self.request.service.duration)

    @cached_property
    def walls(self) -> dict[datetime, datetime]:
        """The naive local wall-clock reading of every real minute from a (25-hour) day before `reach` to one after."""
        out, minute = {}, self.reach.start - timedelta(hours=26)
        while minute < self.reach.end + timedelta(hours=26):
            out[minute] = minute.astimezone(self.tz).replace(tzinfo=None)
            minute += MINUTE
        return out

    @cached_property
    def by_wall(self) -> dict[datetime, list[datetime]]:
        found: dict[datetime, list[datetime]] = {}
        for minute, wall in self.walls.items():
            found.setdefault(wall, []).append(minute)
        return found

    def resolved(self, day: date, wall_time: time) -> datetime:
        """The real instant of a local wall-clock time: its first occurrence, or, when the clock skips it,
        that many minutes after the last reading before the jump (02:30 -> 03:30 CDT)."""
        wall = datetime.combine(day, wall_time)
        if wall in self.by_wall:
            return self.by_wall[wall][0]
        before = max(minute for minute, reading in self.walls.items() if reading < wall and reading.date() == day)
        return before + (wall - self.walls[before])

    def hours(self, tech: Technician, day: date) -> list[Span]:
        if (tech.id, day) not in self._hours:
            rules = tech.overrides[day] if day in tech.overrides else [
                (r.opens, r.closes) for r in tech.weekly if r.weekday == day.weekday()]
            found = [Span(self.resolved(day, opens), self.resolved(day, closes)) for opens, closes in rules
                     if opens < closes]
            self._hours[(tech.id, day)] = [span for span in found if span.start < span.end]
        return self._hours[(tech.id, day)]

    def drive(self, origin: Place | None, destination: Place | None) -> float:
        if self.request.travel is None or origin is None or destination is None:
            return 0.0
        return BlockTravel().minutes(origin, destination)

    def job_block(self, job: Job) -> Span:
        """Where no minute of the new job may be because of `job`: buffers of both, drives both ways."""
        new, span = self.request.service, utc(job.span)
        there = timedelta(minutes=self.drive(self.request.place, job.place))
        back = timedelta(minutes=self.drive(job.place, self.request.place))
        return Span(span.start - job.buffer_before - new.buffer_after - there,
                    span.end + job.buffer_after + new.buffer_before + back)

    def day_of(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def jobs_on(self, tech: Technician, day: date) -> list[Job]:
        return [j for j in tech.jobs if self.day_of(j.span.start) == day]

    def in_window(self, start: datetime) -> bool:
        r = self.request
        if not r.now + r.notice <= start <= r.now + r.horizon:
            return False
        return any(start == w.start if w.start == w.end else w.start <= start < w.end for w in r.windows)

    def on_grid(self, start: datetime) -> bool:
        wall = self.walls[start]
        return wall.second == 0 and (wall.hour * 60 + wall.minute) % (self.request.grid // MINUTE) == 0

    def blocks(self, tech: Technician) -> list[tuple[Span, str]]:
        """Time off and external busy time as they are, and each job widened by buffers and travel."""
        if tech.id not in self._blocks:
            self._blocks[tech.id] = [(s, "time off or external busy time") for s in (*tech.time_off, *tech.busy)] + [
                (self.job_block(j), f"within buffers and travel of the job {j.span}") for j in tech.jobs]
        return self._blocks[tech.id]

    def minute_problem(self, tech: Technician, minute: datetime) -> str | None:
        """Why a new job with `tech` cannot cover `minute`, or None."""
        hours = self.hours(tech, self.walls[minute].date())
        if not any(h.start <= minute < h.end for h in hours):
            return "outside working hours"
        for block, why in self.blocks(tech):
            if block.start <= minute < block.end:
                return why
        if tech.base is not None:
            opening = min(h.start for h in hours)
            if opening <= minute < opening + timedelta(minutes=self.drive(tech.base, self.request.place)):
                return "before the drive from the base can arrive"
        return None

    def is_free(self, tech: Technician, minute: datetime) -> bool:
        if (tech.id, minute) not in self._free:
            self._free[(tech.id, minute)] = self.minute_problem(tech, minute) is None
        return self._free[(tech.id, minute)]

    def new_start_problem(self, tech: Technician, start: datetime) -> str | None:
        """Why a new job cannot start at `start` with `tech`, or None."""
        r = self.request
        if not tech.does(r.service.name) or r.party > r.service.seats:
            return "service or party size"
        if not self.in_window(start):
            return "outside the windows, notice or horizon"
        if not self.on_grid(start):
            return "off the local grid"
        day = self.walls[start].date()
        if tech.max_jobs_per_day is not None and len(
                {(j.span.start, j.span.end, j.service) for j in self.jobs_on(tech, day)}) >= tech.max_jobs_per_day:
            return "the day's maximum of jobs"
        minute = start
        while minute < start + r.service.duration:
            if self.walls[minute].date() != day:
                return "runs into the next day"
            if not self.is_free(tech, minute):
                return f"{minute:%Y-%m-%d %H:%M} UTC is {self.minute_problem(tech, minute)}"
            minute += MINUTE
        return None

    def class_seats(self, tech: Technician, span: Span) -> int:
        return sum(j.seats for j in tech.jobs if j.service == self.request.service.name and j.span == span)

    def joinable(self, tech: Technician, span: Span) -> bool:
        """A class of this service already on the books, on an open day, with room for the party."""
        r = self.request
        real = utc(span)
        return (tech.does(r.service.name) and r.service.seats > 1 and real.end - real.start == r.service.duration
                and 0 < self.class_seats(tech, span) <= r.service.seats - r.party and self.in_window(span.start)
                and bool(self.hours(tech, self.day_of(span.start)))
                and not any(s.start < span.end and span.start < s.end for s in (*tech.time_off, *tech.busy)))

    def detour(self, tech: Technician, start: datetime) -> float | None:
        """Driving the job adds between the previous stop (the job that ended last, or the base) and the
        next (the first job after, or the base to go home); None when jobs ending or starting at the same
        time in different places make that ambiguous."""
        r = self.request
        if r.travel is None:
            return 0.0
        todays = self.jobs_on(tech, self.day_of(start))
        done = [j for j in todays if j.span.end <= start]
        ahead = [j for j in todays if j.span.start >= start + r.service.duration]
        last_end = max((j.span.end for j in done), default=None)
        next_start = min((j.span.start for j in ahead), default=None)
        if len({j.place for j in done if j.span.end == last_end}) > 1 or \
                len({j.place for j in ahead if j.span.start == next_start}) > 1:
            return None
        prev = next((j.place for j in done if j.span.end == last_end), tech.base)
        following = next((j.place for j in ahead if j.span.start == next_start), tech.base)
        if prev is None and following is None:
            return 0.0
        if prev is None:
            return self.drive(r.place, following)
        if following is None:
            return self.drive(prev, r.place)
        return max(0.0, self.drive(prev, r.place) + self.drive(r.place, following) - self.drive(prev, following))

    def candidates(self) -> list[datetime]:
        """Every real minute inside a window."""
        found = set()
        for w in self.request.windows:
            minute = w.start.astimezone(UTC)
            while minute <= w.start or minute < w.end:
                found.add(minute)
                minute += MINUTE
        return sorted(found)

    def feasible(self) -> dict[tuple[datetime, int], str]:
        """Every (start, technician) the rules allow, marked "new" or "join"."""
        found = {}
        for tech in self.request.technicians:
            for start in self.candidates():
                if self.new_start_problem(tech, start) is None:
                    found[(start, tech.id)] = "new"
            for span in {j.span for j in tech.jobs}:
                if self.joinable(tech, span):
                    found[(span.start, tech.id)] = "join"
        return found


def utc(span: Span) -> Span:
    """The span's real instants: arithmetic on zone-aware local datetimes is wall-clock arithmetic."""
    return Span(span.start.astimezone(UTC), span.end.astimezone(UTC))


def technician(request: SlotRequest, staff_id: int) -> Technician:
    return next(t for t in request.technicians if t.id == staff_id)


# --- properties -----------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(request=requests())
def test_every_slot_passes_the_oracle_and_every_feasible_start_is_found(request: SlotRequest) -> None:
    oracle = Oracle(request)
    slots = find_slots(request)
    feasible = oracle.feasible()

    for slot in slots:
        tech = technician(request, slot.staff_id)
        assert slot.end - slot.start == request.service.duration
        if (slot.start, slot.staff_id) not in feasible:
            span = Span(slot.start, slot.end)
            reason = "not a class with room" if oracle.class_seats(tech, span) else \
                oracle.new_start_problem(tech, slot.start)
            raise AssertionError(f"{slot} should not be offered: {reason}")
    missed = sorted(set(feasible) - {(s.start, s.staff_id) for s in slots})
    assert missed == [], f"feasible but not offered: {missed}"
    assert len(slots) == len(feasible)

    for slot in slots:
        if feasible[(slot.start, slot.staff_id)] == "join":
            assert slot.drive_minutes == 0.0
        else:
            expected = oracle.detour(technician(request, slot.staff_id), slot.start)
            assert expected is None or slot.drive_minutes == expected, slot


@settings(max_examples=100, deadline=None)
@given(request=requests())
def test_capacity_is_never_exceeded(request: SlotRequest) -> None:
    for slot in find_slots(request):
        span = Span(slot.start, slot.end)
        overlapping = [j for j in technician(request, slot.staff_id).jobs if j.span.overlaps(span)]
        same_class = [j for j in overlapping if j.service == request.service.name and j.span == span]
        if same_class:   # joining a class: its seats and the party fit
            assert sum(j.seats for j in same_class) + request.party <= request.service.seats
        else:            # a new job: the technician is free for it
            assert overlapping == []
            assert request.party <= request.service.seats


def shuffled(request: SlotRequest, rng: random.Random) -> SlotRequest:
    def mixed(items: Iterable) -> list:
        items = list(items)
        rng.shuffle(items)
        return items

    technicians = [replace(t, weekly=mixed(t.weekly), overrides=dict(mixed(t.overrides.items())),
                           time_off=mixed(t.time_off), busy=mixed(t.busy), jobs=mixed(t.jobs))
                   for t in mixed(request.technicians)]
    return replace(request, technicians=technicians, windows=mixed(request.windows))


def described(slots: list[Slot]) -> list[tuple[datetime, datetime, int, float]]:
    return [(s.start, s.end, s.staff_id, s.drive_minutes) for s in slots]


@settings(max_examples=100, deadline=None)
@given(request=requests(), rng=st.randoms(use_true_random=False))
def test_shuffled_inputs_give_identical_results(request: SlotRequest, rng: random.Random) -> None:
    assert described(find_slots(shuffled(request, rng))) == described(find_slots(request))


@settings(max_examples=100, deadline=None)
@given(request=requests())
def test_slots_are_sorted_distinct_utc_instants(request: SlotRequest) -> None:
    slots = find_slots(request)

    assert slots == sorted(slots)
    assert len({(s.start, s.staff_id) for s in slots}) == len(slots)
    assert all(s.start.utcoffset() == timedelta(0) and s.start.second == 0 for s in slots)
