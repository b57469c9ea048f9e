"""The shortcuts that make a full calendar's offer cheaper give the answers of the plain ways they replace.

Each test compares a fast path with a plain, obviously right version written here, on seeded random inputs (the
same every run): Job's own __init__, the span algebra's merging, a technician's job order, the scan's widened
jobs (kept per place identity and buffers), its opening hours (kept per hours and day) and its drive from the base.
"""

import dataclasses
import inspect
import random
from dataclasses import FrozenInstanceError, dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.availability import (
    Job,
    ServiceSpec,
    SlotRequest,
    Technician,
    WeeklyRule,
    _Scan,
    find_slots,
    nearest_slots,
    opening_ranges,
)
from bot.domain.span import Span, merged, subtract
from bot.domain.travel import Place, StraightLineTravel

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=CHICAGO)   # a Monday; the six weeks ahead cross spring-forward (8 March)
MINUTE = timedelta(minutes=1)
SEEDS = range(12)
PLACES = [Place("1100 Congress Ave, Austin"), Place("2100 S Lamar Blvd, Austin", 30.2477, -97.7686),
          Place("1400 E 6th St, Austin", 30.2640, -97.7263), None]


# --- plain versions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlainJob:
    """Job as dataclass() writes it."""

    span: Span
    place: Place | None = None
    service: str = ""
    seats: int = 1
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


def plain_merged(spans: list[Span]) -> list[Span]:
    result: list[Span] = []
    for span in sorted(s for s in spans if s.start < s.end):
        if result and span.start <= result[-1].end:
            last = result[-1]
            result[-1] = Span(last.start, max(last.end, span.end))
        else:
            result.append(span)
    return result


def plain_subtract(spans: list[Span], holes: list[Span]) -> list[Span]:
    holes = plain_merged(holes)
    result: list[Span] = []
    for span in plain_merged(spans):
        cursor = span.start
        for hole in holes:
            if hole.end <= cursor or hole.start >= span.end:
                continue
            if hole.start > cursor:
                result.append(Span(cursor, hole.start))
            cursor = max(cursor, hole.end)
            if cursor >= span.end:
                break
        if cursor < span.end:
            result.append(Span(cursor, span.end))
    return result


def plain_block(request: SlotRequest, job: Job) -> Span:
    """Where the new job may not be because of `job`, with every drive asked afresh."""
    def drive(origin: Place | None, destination: Place | None) -> timedelta:
        if request.travel is None or origin is None or destination is None:
            return timedelta(0)
        return timedelta(minutes=request.travel.minutes(origin, destination))

    service = request.service
    return Span(job.span.start - (job.buffer_before + service.buffer_after + drive(request.place, job.place)),
                job.span.end + (job.buffer_after + service.buffer_before + drive(job.place, request.place)))


# --- random inputs ----------------------------------------------------------------------------------------


def random_spans(rng: random.Random, count: int) -> list[Span]:
    """Spans on a 5-minute grid, some empty, inverted, touching, nested or repeated."""
    base = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    spans = [Span(base + rng.randrange(0, 120) * 5 * MINUTE, base + rng.randrange(0, 120) * 5 * MINUTE)
             for _ in range(count)]
    return spans + rng.sample(spans, min(len(spans), rng.randrange(3)))


def random_job(rng: random.Random, day: date, places: list[Place | None]) -> Job:
    start = datetime.combine(day, time(rng.randrange(7, 19), rng.choice([0, 15, 30, 45])), tzinfo=CHICAGO)
    start = start.astimezone(rng.choice([UTC, UTC, CHICAGO, timezone(timedelta(0), "Z")]))
    return Job(Span(start, start + rng.choice([45, 90, 180]) * MINUTE), rng.choice(places),
               rng.choice(["Express Wash", "Full Detail"]), rng.choice([1, 1, 2]),
               rng.choice([timedelta(0), 10 * MINUTE]), rng.choice([timedelta(0), 15 * MINUTE]))


def full_calendar(rng: random.Random, places: list[Place | None], weeks: int = 6) -> list[Technician]:
    """Two technicians, nearly full for `weeks` weeks: each open day has 7-10 jobs."""
    days = [NOW.date() + timedelta(days=n) for n in range(weeks * 7)]
    technicians = []
    for staff_id in (1, 2):
        jobs = [random_job(rng, day, places) for day in days for _ in range(rng.randrange(7, 11))]
        weekly = [WeeklyRule(weekday, time(8), time(18)) for weekday in range(6)]
        if staff_id == 2 and rng.random() < 0.5:   # another technician's hours, to tell the days' openings apart
            weekly = [WeeklyRule(weekday, time(7), time(12)) for weekday in range(6)] + \
                     [WeeklyRule(weekday, time(12), time(16)) for weekday in range(5)]
        overrides = {rng.choice(days): rng.choice([[], [(time(9), time(13))]]) for _ in range(2)}
        technicians.append(Technician(staff_id, weekly, overrides, jobs=jobs, base=rng.choice(places[1:3])))
    return technicians


def request_for(technicians: list[Technician], rng: random.Random) -> SlotRequest:
    service = ServiceSpec(rng.choice(["Express Wash", "Full Detail"]), rng.choice([45, 90]) * MINUTE,
                          buffer_before=rng.choice([timedelta(0), 10 * MINUTE]), buffer_after=15 * MINUTE)
    day = NOW.date() + timedelta(days=rng.randrange(1, 4))
    window = Span(datetime.combine(day, time(12), tzinfo=CHICAGO), datetime.combine(day, time(17), tzinfo=CHICAGO))
    return SlotRequest(service, technicians, [window], NOW, ZONE, place=rng.choice(PLACES),
                       travel=rng.choice([StraightLineTravel(), None]))


def with_own_places(technicians: list[Technician]) -> list[Technician]:
    """The same technicians, each job at its own copy of its place (equal, but not the same object)."""
    def own(place: Place | None) -> Place | None:
        return None if place is None else Place(place.address, place.lat, place.lng)

    return [replace(t, jobs=[replace(j, place=own(j.place)) for j in t.jobs]) for t in technicians]


def described(slots: list) -> list[tuple]:
    return [(s.start, s.end, s.staff_id, s.drive_minutes) for s in slots]


# --- Job ----------------------------------------------------------------------------------------------------


def test_job_init_takes_the_fields_dataclass_would() -> None:
    """A field added to Job but not to its __init__ would be left unset: this says so."""
    def described(fields: tuple) -> list[tuple]:
        return [(f.name, None if f.default is dataclasses.MISSING else f.default) for f in fields]

    parameters = inspect.signature(Job).parameters.values()
    assert [(p.name, None if p.default is p.empty else p.default) for p in parameters] == \
        described(dataclasses.fields(Job))
    assert described(dataclasses.fields(Job)) == described(dataclasses.fields(PlainJob))


@pytest.mark.parametrize("seed", SEEDS)
def test_jobs_behave_as_the_generated_dataclass(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        job = random_job(rng, date(2026, 3, 11), PLACES)
        values = tuple(getattr(job, f.name) for f in dataclasses.fields(job))
        plain = PlainJob(*values)
        assert repr(job).replace("Job(", "PlainJob(", 1) == repr(plain)
        assert Job(*values) == job and hash(Job(*values)) == hash(job)
        assert Job(**{f.name: getattr(job, f.name) for f in dataclasses.fields(job)}) == job
        assert Job(job.span) == Job(span=job.span, place=None, service="", seats=1)
        assert replace(job, seats=5) == Job(*values[:3], 5, *values[4:])
        assert replace(job, seats=5) != job
        with pytest.raises(FrozenInstanceError):
            job.seats = 2  # type: ignore[misc]


# --- span algebra -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_merged_and_subtract_give_the_plain_answers(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(200):
        spans, holes = random_spans(rng, rng.randrange(6)), random_spans(rng, rng.randrange(12))
        assert merged(spans) == plain_merged(spans)
        assert subtract(spans, holes) == plain_subtract(spans, holes)
        assert all(type(s) is Span for s in [*merged(spans), *subtract(spans, holes)])


# --- a technician's jobs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_jobs_are_held_in_utc_and_key_order(seed: int) -> None:
    rng = random.Random(seed)
    jobs = [random_job(rng, date(2026, 3, rng.randrange(9, 12)), PLACES) for _ in range(rng.randrange(40))]
    jobs += rng.sample(jobs, min(len(jobs), 4))   # some share a span, so the whole key orders them
    tech = Technician(1, jobs=jobs)

    in_utc = [replace(j, span=Span(j.span.start.astimezone(UTC), j.span.end.astimezone(UTC))) for j in jobs]
    assert tech.jobs == tuple(sorted(in_utc, key=Job._key))
    assert all(j.span.start.tzinfo is UTC and j.span.end.tzinfo is UTC for j in tech.jobs)
    assert tech._starts == [j.span.start for j in tech.jobs]
    assert tech._longest == max((j.span.end - j.span.start for j in tech.jobs), default=timedelta(0))


# --- the scan -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_widened_jobs_are_the_plain_widening(seed: int) -> None:
    rng = random.Random(seed)
    request = request_for(full_calendar(rng, PLACES, weeks=1), rng)
    jobs = [j for t in request.technicians for j in t.jobs]
    own = [j for t in with_own_places(request.technicians) for j in t.jobs]
    scan = _Scan(request)

    assert scan._blocks(jobs) == [plain_block(request, j) for j in jobs]
    assert scan._blocks(own) == [plain_block(request, j) for j in own]   # places told apart by identity, not mixed


@pytest.mark.parametrize("seed", SEEDS)
def test_opening_hours_kept_per_scan_are_each_technicians_own(seed: int) -> None:
    rng = random.Random(seed)
    request = request_for(full_calendar(rng, PLACES, weeks=2), rng)
    scan = _Scan(request)
    for day in (NOW.date() + timedelta(days=n) for n in range(14)):
        for tech in request.technicians:
            assert scan._opening(tech, day) == opening_ranges(tech, day, CHICAGO)


@pytest.mark.parametrize("seed", SEEDS)
def test_nearest_and_find_slots_on_a_full_calendar_do_not_depend_on_shared_places(seed: int) -> None:
    rng = random.Random(seed)
    request = request_for(full_calendar(rng, PLACES), rng)
    own = replace(request, technicians=with_own_places(request.technicians))
    week = Span(NOW, NOW + timedelta(days=7))

    assert described(nearest_slots(request, limit=3, step=timedelta(days=1))) == \
        described(nearest_slots(own, limit=3, step=timedelta(days=1)))
    assert described(find_slots(replace(request, windows=[week]))) == described(find_slots(replace(own, windows=[week])))
