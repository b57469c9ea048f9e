"""Maps without the network: the ZIP-code geocoder, the drive cache and its rounding, batching pairs into
matrix calls, falling back to estimates, and the scan that asks the engine which drives it needs."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.google_maps import (MISSING, Cooldown, DistanceMatrix, GoogleGeocoder, GoogleTravel, LruCache,
                                      MapsUnavailable, RoutesMatrix, drive_key, matrix_calls, point_of)
from bot.adapters.maps import TravelMatrix, ZipCentroids, zip_in
from bot.config import Settings
from bot.domain.availability import ServiceSpec, SlotRequest, Technician, WeeklyRule, find_slots
from bot.domain.span import Span
from bot.domain.travel import Place, StraightLineTravel
from bot.schedule import departure_for, scanned
from bot.wiring import geocoder_from, travel_from

CHICAGO = ZoneInfo("America/Chicago")
BASE = Place("base", 30.2640, -97.7263)
CUSTOMER = Place("2400 Lake Austin Blvd", 30.2870, -97.7760)
ESTIMATE = StraightLineTravel(unknown_minutes=20)


class FakeMatrix:
    """A MatrixSource answering from a table, with every request it got (tests read `requests`)."""

    max_side = 25
    max_elements = 625

    def __init__(self, minutes: dict | None = None, *, default: float = 10.0, error: Exception | None = None):
        self.table = minutes or {}
        self.default = default
        self.error = error
        self.requests: list[tuple[list, list, datetime]] = []

    def durations(self, origins, destinations, departure_at):
        self.requests.append((list(origins), list(destinations), departure_at))
        if self.error is not None:
            raise self.error
        return {(i, j): self.table.get((o, d), self.default)
                for i, o in enumerate(origins) for j, d in enumerate(destinations)}


class Ticking:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# The offline geocoder


@pytest.mark.parametrize(("address", "code"), [
    ("4500 W 6th St, Austin TX 78703", "78703"),
    ("4500 W 6th St, Austin, TX 78703-1234", "78703"),
    ("1100 Congress Ave 78701", "78701"),
    ("12345 Main St, Austin", None),           # a five-digit house number is not a ZIP code
    ("12345 Main St, Austin 78701", "78701"),
    ("123 Oak St, Austin", None),
    ("78701", None),
])
def test_zip_in(address, code):
    assert zip_in(address) == code


def test_an_address_with_a_zip_code_is_placed_at_its_centre():
    found = ZipCentroids().locate("4500 W 6th St, Austin TX 78703")
    assert (found.lat, found.lng, found.postal_code, found.approximate) == (30.2907, -97.7648, "78703", True)
    assert found.address == "Austin, TX 78703"
    assert found.place("4500 W 6th St, Austin TX 78703") == Place("4500 W 6th St, Austin TX 78703", 30.2907, -97.7648)


@pytest.mark.parametrize(("address", "country"), [
    ("123 Oak St, Austin", "US"),             # no ZIP code
    ("1 Nowhere Rd, 00000", "US"),            # no such ZIP code
    ("Calle Mayor 5, 28013 Madrid", "ES"),    # a Spanish business: US ZIP codes mean nothing there
])
def test_what_the_zip_table_cannot_place_stays_unknown(address, country):
    assert ZipCentroids().locate(address, country=country) is None


# Rounding and the cache


def test_places_a_few_steps_apart_share_a_cache_key_and_a_block_away_do_not():
    door = Place("door", 30.27471, -97.74042)
    assert point_of(door) == point_of(Place("pin", 30.27468, -97.74038)) == (30.275, -97.74)
    assert point_of(door) != point_of(Place("next block", 30.2760, -97.7404))


def test_a_drive_is_cached_for_its_departure_hour():
    a, b = (30.275, -97.74), (30.287, -97.776)
    ten = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    assert drive_key(a, b, ten + timedelta(minutes=5)) == drive_key(a, b, ten + timedelta(minutes=55))
    assert drive_key(a, b, ten + timedelta(minutes=55)) != drive_key(a, b, ten + timedelta(hours=1))
    assert drive_key(a, b, ten) == drive_key(a, b, ten.astimezone(CHICAGO))


def test_the_cache_forgets_the_least_recently_used_first():
    cache = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("c"), len(cache)) == (1, 3, 2)
    assert cache.get("b") is MISSING


# Batching


def test_a_scan_s_pairs_go_as_a_row_a_column_and_the_scattered_rest():
    new, x, y, z, base = (0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (4.0, 4.0)
    pairs = {(new, x), (new, y), (new, z), (new, base),          # from the new job: a row
             (x, new), (y, new), (z, new), (base, new),          # to it: a column
             (base, x), (x, y), (z, base)}                       # a technician's day, job to job
    calls = matrix_calls(pairs)
    assert calls[:2] == [([new], [x, y, z, base]), ([x, y, z, base], [new])]
    assert calls[2:] == [([x, z, base], [x, y, base])]
    covered = {(o, d) for origins, destinations in calls for o in origins for d in destinations}
    assert pairs <= covered


def test_calls_are_cut_to_the_api_s_limits():
    origin = (0.0, 0.0)
    row = {(origin, (1.0, float(i))) for i in range(60)}
    assert [len(d) for _, d in matrix_calls(row, max_side=25, max_elements=625)] == [25, 25, 10]
    square = {((float(i), 0.0), (0.0, float(j))) for i in range(3) for j in range(3)}
    # The legacy Distance Matrix takes 100 elements a request.
    assert all(len(o) * len(d) <= 100 for o, d in matrix_calls(square | row, max_side=25, max_elements=100))


# GoogleTravel over a fake matrix


def test_one_call_answers_every_pair_and_the_next_scan_comes_from_the_cache():
    matrix = FakeMatrix({(point_of(BASE), point_of(CUSTOMER)): 42.0})
    travel = GoogleTravel(matrix, estimate=ESTIMATE)
    leaving = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    times = travel.times([(BASE, CUSTOMER), (CUSTOMER, BASE)], departure_at=leaving, fallback=ESTIMATE)
    assert times.minutes(BASE, CUSTOMER) == 42.0
    assert times.minutes(CUSTOMER, BASE) == 10.0
    assert len(matrix.requests) == 1
    nearby = Place("same door, typed differently", CUSTOMER.lat + 0.0001, CUSTOMER.lng)
    again = travel.times([(BASE, nearby)], departure_at=leaving + timedelta(minutes=20), fallback=ESTIMATE)
    assert again.minutes(BASE, nearby) == 42.0
    assert len(matrix.requests) == 1
    travel.times([(BASE, CUSTOMER)], departure_at=leaving + timedelta(hours=1), fallback=ESTIMATE)
    assert len(matrix.requests) == 2


def test_pairs_google_cannot_answer_get_the_estimate():
    unlocated = Place("typed, not geocoded")
    matrix = FakeMatrix({(point_of(BASE), point_of(CUSTOMER)): None})      # ROUTE_NOT_FOUND
    travel = GoogleTravel(matrix, estimate=ESTIMATE)
    times = travel.times([(BASE, CUSTOMER), (BASE, unlocated)], departure_at=datetime(2026, 3, 11, 15, tzinfo=UTC),
                         fallback=ESTIMATE)
    assert times.minutes(BASE, CUSTOMER) == pytest.approx(ESTIMATE.minutes(BASE, CUSTOMER))
    assert times.minutes(BASE, unlocated) == 20.0
    assert times.minutes(CUSTOMER, CUSTOMER) == 0.0
    assert times.minutes(CUSTOMER, BASE) == pytest.approx(ESTIMATE.minutes(CUSTOMER, BASE))   # never asked
    assert matrix.requests[0][:2] == ([point_of(BASE)], [point_of(CUSTOMER)])


def test_after_a_failure_we_estimate_and_stop_asking_for_a_while(caplog):
    clock = Ticking()
    matrix = FakeMatrix(error=MapsUnavailable("Routes API answered 429: RESOURCE_EXHAUSTED: Quota exceeded"))
    travel = GoogleTravel(matrix, estimate=ESTIMATE, cooldown=Cooldown(60, clock))
    leaving = datetime(2026, 3, 11, 15, tzinfo=UTC)
    times = travel.times([(BASE, CUSTOMER)], departure_at=leaving, fallback=ESTIMATE)
    assert times.minutes(BASE, CUSTOMER) == pytest.approx(ESTIMATE.minutes(BASE, CUSTOMER))
    assert "RESOURCE_EXHAUSTED" in caplog.text
    travel.times([(BASE, CUSTOMER)], departure_at=leaving, fallback=ESTIMATE)
    assert len(matrix.requests) == 1
    clock.now = 61
    matrix.error = None
    assert travel.times([(BASE, CUSTOMER)], departure_at=leaving, fallback=ESTIMATE).minutes(BASE, CUSTOMER) == 10.0


def test_a_surprise_in_the_answer_is_logged_not_raised(caplog):
    matrix = FakeMatrix(error=KeyError("rows"))
    travel = GoogleTravel(matrix, estimate=ESTIMATE)
    times = travel.times([(BASE, CUSTOMER)], departure_at=datetime(2026, 3, 11, 15, tzinfo=UTC), fallback=ESTIMATE)
    assert times.minutes(BASE, CUSTOMER) == pytest.approx(ESTIMATE.minutes(BASE, CUSTOMER))
    assert "unexpected failure" in caplog.text


# The scan: estimates first, to learn which drives the engine asks about


def day_request(travel) -> SlotRequest:
    """Wed 11 March 2026, 08:00-18:00, one technician at BASE, a 60-minute job at CUSTOMER."""
    hours = [WeeklyRule(day, time(8), time(18)) for day in range(7)]
    wednesday = Span(datetime(2026, 3, 11, 8, tzinfo=CHICAGO), datetime(2026, 3, 11, 12, tzinfo=CHICAGO))
    return SlotRequest(service=ServiceSpec("Wash", timedelta(minutes=60)),
                       technicians=[Technician(1, hours, base=BASE)], windows=[wednesday],
                       now=datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO), tz="America/Chicago",
                       place=CUSTOMER, travel=travel)


def test_slots_respect_the_matrix_drive_and_the_engine_never_sees_the_matrix():
    matrix = FakeMatrix({(point_of(BASE), point_of(CUSTOMER)): 75.0})
    travel = GoogleTravel(matrix, estimate=ESTIMATE)
    assert isinstance(travel, TravelMatrix)
    slots = scanned(day_request(ESTIMATE), find_slots, travel)
    assert [s.start.astimezone(CHICAGO).strftime("%H:%M") for s in slots] == ["09:30", "10:00", "10:30", "11:00",
                                                                             "11:30"]
    assert slots[0].drive_minutes == 75.0 + 10.0           # there, and home again after the last job
    # One request for both drives, leaving at 10:00 on the day asked about (15:00 UTC).
    ends = [point_of(BASE), point_of(CUSTOMER)]
    assert [(o, d, at.isoformat()) for o, d, at in matrix.requests] == [(ends, ends, "2026-03-11T15:00:00+00:00")]
    # The straight-line estimate (about 5 km) would have started at 08:30.
    assert find_slots(day_request(ESTIMATE))[0].start.astimezone(CHICAGO).strftime("%H:%M") == "08:30"


def test_a_departure_already_past_is_now():
    request = day_request(ESTIMATE)
    assert departure_for(request) == datetime(2026, 3, 11, 15, tzinfo=UTC)
    late = datetime(2026, 3, 11, 11, 40, tzinfo=CHICAGO)
    later = replace(request, now=late)
    assert departure_for(later) == late.astimezone(UTC) + timedelta(minutes=1)


def test_without_a_matrix_the_scan_runs_once_as_it_is():
    calls = []
    scanned(day_request(ESTIMATE), lambda r: calls.append(r) or [], ESTIMATE)
    assert len(calls) == 1 and calls[0].travel is ESTIMATE


# Wiring


@pytest.mark.parametrize(("settings", "travel", "source"), [
    ({}, StraightLineTravel, None),
    ({"google_maps_api_key": "AIzaX"}, GoogleTravel, RoutesMatrix),
    ({"google_maps_api_key": "AIzaX", "travel_provider": "distance_matrix"}, GoogleTravel, DistanceMatrix),
    ({"google_maps_api_key": "AIzaX", "travel_provider": "straight_line"}, StraightLineTravel, None),
    ({"travel_provider": "routes"}, StraightLineTravel, None),      # no key: a warning, and estimates
])
def test_the_travel_provider_comes_from_the_settings(settings, travel, source):
    chosen = travel_from(Settings(_env_file=None, **settings))
    assert type(chosen) is travel
    if source is not None:
        assert type(chosen.source) is source


def test_the_straight_line_settings_shape_the_estimate():
    chosen = travel_from(Settings(_env_file=None, straight_line_speed_kmh=50, straight_line_road_factor=1.2))
    assert (chosen.speed_kmh, chosen.road_factor) == (50, 1.2)
    google = travel_from(Settings(_env_file=None, google_maps_api_key="AIzaX", straight_line_speed_kmh=50))
    assert google.estimate.speed_kmh == 50


def test_the_geocoder_is_google_with_a_key_and_the_zip_table_without():
    assert type(geocoder_from(Settings(_env_file=None))) is ZipCentroids
    google = geocoder_from(Settings(_env_file=None, google_maps_api_key="AIzaX"))
    assert type(google) is GoogleGeocoder and type(google.fallback) is ZipCentroids
