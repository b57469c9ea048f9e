"""How fast the availability engine answers, and how that grows with the bookings on the books.

A synthetic mobile business in America/Chicago: 5 technicians on split shifts (Mon-Sat 08:00-12:00
and 13:00-18:00), each starting the day at their own base, two services, a 30-minute grid, 2 hours'
notice and a 60-day horizon that crosses the spring-forward change. Existing bookings are spread at
random over the horizon and the technicians, each at one of a few hundred random places in a 30 km
square; drive times come from a precomputed matrix (a `TravelTimes` backed by a dict, as a cached
maps provider would be).

Two layouts of the same booking counts (300, 3,000, 30,000):
- as specified: every booking inside the 60-day horizon. 3,000 is about 12 jobs per technician-day,
  more than the hours hold, so days are overbooked and windows mostly come back empty: the engine
  still reads and cuts every job, which makes it the harder case for speed;
- with history: the same bookings spread over the past 300 days and the horizon, as a database holds
  them; 3,000 is then about 2 jobs per technician-day ahead, a busy but real calendar.

The bookings are turned into `Technician` objects once per booking count, like a database index, and
every query passes them in, as production does. Two queries are timed with `time.perf_counter`:
- first offers: `find_slots` for a one-day window plus `chosen_offers` picking 3 (a different day
  and customer place each time);
- 30-day scan: `find_slots` over the next 30 days.

Growth is reported against the bookings that touch the queried windows, since a query only reads
those (the rest are skipped by bisection).

Run: .venv/bin/python bench/availability_bench.py   (about 25 s)
"""

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from bot.domain.availability import Job, ServiceSpec, SlotRequest, Technician, WeeklyRule, find_slots
from bot.domain.offers import chosen_offers
from bot.domain.span import Span
from bot.domain.travel import Place, StraightLineTravel

ZONE = "America/Chicago"
TZ = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 2, 7, 0, tzinfo=TZ)   # a Monday; the horizon crosses spring-forward (Sun 8 March)
TECHNICIANS = 5
HORIZON = timedelta(days=60)
LOCATIONS = 300
BOOKING_COUNTS = (300, 3_000, 30_000)
FIRST_OFFERS_RUNS = 400
SCAN_RUNS = 40
SEED = 20260302
SPLIT_SHIFT = tuple(rule for weekday in range(6)
                    for rule in (WeeklyRule(weekday, clock(8), clock(12)), WeeklyRule(weekday, clock(13), clock(18))))
TURNAROUND = timedelta(minutes=15)
SERVICES = (ServiceSpec("Full detail", timedelta(minutes=180), buffer_after=TURNAROUND),
            ServiceSpec("Express wash", timedelta(minutes=60), buffer_after=TURNAROUND))
REQUESTED = SERVICES[0]


class MatrixTravel:
    """Drive minutes looked up in a precomputed origin -> destination table."""

    def __init__(self, table: dict[tuple[Place, Place], float]) -> None:
        self.table = table

    def minutes(self, origin: Place, destination: Place) -> float:
        return self.table[(origin, destination)]


def random_places(rng: random.Random, count: int, prefix: str) -> list[Place]:
    """Places in a 30 km square around central Austin."""
    return [Place(f"{prefix} {i}", 30.27 + rng.uniform(-0.135, 0.135), -97.74 + rng.uniform(-0.155, 0.155))
            for i in range(count)]


def travel_matrix(places: Sequence[Place]) -> MatrixTravel:
    estimate = StraightLineTravel()
    return MatrixTravel({(a, b): round(estimate.minutes(a, b), 1) for a in places for b in places})


def open_days(first: date, last: date) -> list[date]:
    return [day for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
            if day.weekday() in {rule.weekday for rule in SPLIT_SHIFT}]


def technicians(rng: random.Random, bookings: int, days: Sequence[date], places: Sequence[Place],
                bases: Sequence[Place]) -> list[Technician]:
    """The business's technicians holding `bookings` random jobs on `days` (built once, like an index)."""
    jobs: list[list[Job]] = [[] for _ in range(TECHNICIANS)]
    for _ in range(bookings):
        service = rng.choice(SERVICES)
        last_start = 18 * 60 - int(service.duration.total_seconds() // 60)
        minutes = rng.randrange(8 * 60, last_start + 1, 15)
        start = datetime.combine(rng.choice(days), clock(minutes // 60, minutes % 60), tzinfo=TZ).astimezone(UTC)
        jobs[rng.randrange(TECHNICIANS)].append(Job(
            Span(start, start + service.duration), place=rng.choice(places), service=service.name,
            buffer_after=service.buffer_after))
    return [Technician(i + 1, SPLIT_SHIFT, jobs=jobs[i], base=bases[i]) for i in range(TECHNICIANS)]


def request(techs: Sequence[Technician], window: Span, place: Place, travel: MatrixTravel) -> SlotRequest:
    return SlotRequest(REQUESTED, techs, [window], NOW, ZONE, grid=timedelta(minutes=30), notice=timedelta(hours=2),
                       horizon=HORIZON, place=place, travel=travel)


def timings(runs: int, query: Callable[[int], object]) -> list[float]:
    """Milliseconds per call of `query(run)`, after a few warm-up calls."""
    for run in range(3):
        query(run)
    spent = []
    for run in range(runs):
        started = time.perf_counter()
        query(run)
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def p99(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def touching(techs: Sequence[Technician], window: Span) -> int:
    return sum(len(t.jobs_touching(window)) for t in techs)


def main() -> None:
    rng = random.Random(SEED)
    places = random_places(rng, LOCATIONS, "customer")
    bases = random_places(rng, TECHNICIANS, "base")
    travel = travel_matrix([*places, *bases])
    ahead = open_days(NOW.date(), (NOW + HORIZON).date() - timedelta(days=1))
    layouts = {"as specified: every booking inside the 60-day horizon": ahead,
               "with history: bookings over the past 300 days and the horizon":
                   open_days(NOW.date() - timedelta(days=300), (NOW + HORIZON).date())}
    day_windows = [Span(datetime.combine(d, clock(0), tzinfo=TZ), datetime.combine(d + timedelta(days=1), clock(0),
                                                                                 tzinfo=TZ)) for d in ahead[1:]]
    month = Span(NOW, NOW + timedelta(days=30))
    customers = [rng.choice(places) for _ in range(FIRST_OFFERS_RUNS + 3)]

    print(f"{TECHNICIANS} technicians, {HORIZON.days}-day horizon, {LOCATIONS} places, "
          f"'{REQUESTED.name}' ({REQUESTED.duration.seconds // 60} min); times in ms")
    print("touch/day, touch/30d: bookings touching the window (all technicians); empty: one-day windows with no "
          "free slot;\nbuild: making the Technician objects; slots/30d: slots a 30-day scan finds")
    rows = {}
    for layout, days in layouts.items():
        header = (f"{'bookings':>8}  {'build':>6}  {'touch/day':>9}  {'empty':>5}  {'offers med':>10}  "
                  f"{'offers p99':>10}  {'touch/30d':>9}  {'scan med':>8}  {'scan p99':>8}  {'slots/30d':>9}")
        print(f"\n{layout}\n{header}\n{'-' * len(header)}")
        rows[layout] = []
        for count in BOOKING_COUNTS:
            started = time.perf_counter()
            techs = technicians(random.Random(SEED + count), count, days, places, bases)
            build = (time.perf_counter() - started) * 1000
            empty = 0

            def first_offers(run: int) -> list:
                nonlocal empty
                window = day_windows[run % len(day_windows)]
                slots = find_slots(request(techs, window, customers[run], travel))
                empty += not slots
                return chosen_offers(slots, [window], limit=3, tz=TZ)

            def scan(run: int) -> list:
                return find_slots(request(techs, month, customers[run], travel))

            offers_ms = timings(FIRST_OFFERS_RUNS, first_offers)
            empty_share = empty / (FIRST_OFFERS_RUNS + 3)
            scan_ms = timings(SCAN_RUNS, scan)
            per_day = statistics.mean(touching(techs, w) for w in day_windows)
            per_month = touching(techs, month)
            row = (count, statistics.median(offers_ms), statistics.median(scan_ms), per_day, per_month)
            rows[layout].append(row)
            print(f"{count:>8}  {build:>6.0f}  {per_day:>9.1f}  {empty_share:>5.0%}  {row[1]:>10.3f}  "
                  f"{p99(offers_ms):>10.3f}  {per_month:>9}  {row[2]:>8.2f}  {p99(scan_ms):>8.2f}  {len(scan(0)):>9}")

    print("\ngrowth: time ratio next to the ratio of bookings touching the windows (linear: time ratio <= it)")
    for layout, layout_rows in rows.items():
        print(f"  {layout.split(':')[0]}")
        for (n0, offers0, scan0, day0, month0), (n1, offers1, scan1, day1, month1) in zip(layout_rows, layout_rows[1:]):
            print(f"    {n0:>6} -> {n1:<6}  first offers x{offers1 / offers0:5.2f} (touching x{day1 / day0:5.2f})"
                  f"   30-day scan x{scan1 / scan0:5.2f} (touching x{month1 / month0:5.2f})")
    for layout, layout_rows in rows.items():
        _, offers, scan_median, _, _ = layout_rows[BOOKING_COUNTS.index(3_000)]
        print(f"targets at 3,000 bookings, {layout.split(':')[0]}: first offers {offers:.3f} ms (< 2 ms), "
              f"30-day scan {scan_median:.2f} ms (< 20 ms)")


if __name__ == "__main__":
    main()
