"""The Routes API route matrix over real HTTP, against a local stand-in that answers in Routes' own shape
(tests/support/google_standin.py): the request we send, durations, ROUTE_NOT_FOUND, element errors, 429,
403, 5xx and a timeout; and availability whose slots respect the matrix's drives."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.google_maps import GoogleTravel, MapsUnavailable, RoutesMatrix, point_of
from bot.domain.availability import Job, ServiceSpec, SlotRequest, Technician, WeeklyRule, find_slots
from bot.domain.span import Span
from bot.domain.travel import Place, StraightLineTravel
from bot.schedule import scanned
from tests.support.google_standin import API_KEY, google_standin  # noqa: F401  (the fixture)

CHICAGO = ZoneInfo("America/Chicago")
LEAVING = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
BASE = Place("base", 30.2640, -97.7263)
JOB = Place("1100 Congress Ave", 30.2747, -97.7404)
NEW = Place("2400 Lake Austin Blvd", 30.2870, -97.7760)
ESTIMATE = StraightLineTravel(unknown_minutes=20)


def routes(standin, **kwargs) -> RoutesMatrix:
    return RoutesMatrix(API_KEY, base_url=standin.url, **kwargs)


def test_the_request_is_a_traffic_aware_driving_matrix_with_our_key_and_field_mask(google_standin):
    answers = routes(google_standin).durations([point_of(BASE), point_of(JOB)], [point_of(NEW)], LEAVING)
    assert answers == {(0, 0): 10.0, (1, 0): 10.0}
    [call] = google_standin.matrix_calls
    assert call.headers["X-Goog-Api-Key"] == API_KEY
    assert call.headers["X-Goog-FieldMask"] == "originIndex,destinationIndex,duration,condition,status"
    assert call.headers["Content-Type"] == "application/json"
    assert call.body == {
        "origins": [{"waypoint": {"location": {"latLng": {"latitude": 30.264, "longitude": -97.726}}}},
                    {"waypoint": {"location": {"latLng": {"latitude": 30.275, "longitude": -97.74}}}}],
        "destinations": [{"waypoint": {"location": {"latLng": {"latitude": 30.287, "longitude": -97.776}}}}],
        "travelMode": "DRIVE", "routingPreference": "TRAFFIC_AWARE", "departureTime": "2026-03-11T15:00:00Z"}


def test_durations_no_route_and_failed_elements(google_standin):
    base, job, new = point_of(BASE), point_of(JOB), point_of(NEW)
    google_standin.drive(base, new, 1234)
    google_standin.no_route.add((job, new))
    google_standin.failing_pairs.add((new, job))
    answers = routes(google_standin).durations([base, job, new], [new, job], LEAVING)
    assert answers[(0, 0)] == pytest.approx(1234 / 60)
    assert answers[(1, 0)] is None                   # ROUTE_NOT_FOUND: no road
    assert (2, 1) not in answers                     # that element's status had an error code
    assert answers[(2, 0)] == 10.0                   # the stand-in's default, 600 s


@pytest.mark.parametrize(("status", "words"), [
    (429, "429: RESOURCE_EXHAUSTED"), (403, "403: PERMISSION_DENIED"), (500, "500: INTERNAL"),
    (503, "503: UNAVAILABLE")])
def test_a_refused_request_is_maps_unavailable(google_standin, status, words):
    google_standin.fail_with = status
    with pytest.raises(MapsUnavailable, match=words):
        routes(google_standin).durations([point_of(BASE)], [point_of(NEW)], LEAVING)


def test_a_wrong_key_is_refused(google_standin):
    with pytest.raises(MapsUnavailable, match="403: PERMISSION_DENIED: API key not valid"):
        RoutesMatrix("AIzaWrong", base_url=google_standin.url).durations([point_of(BASE)], [point_of(NEW)], LEAVING)


def test_a_slow_answer_times_out(google_standin):
    google_standin.delay = 1.0
    with pytest.raises(MapsUnavailable, match="did not answer within 0.2 s"):
        routes(google_standin, timeout=0.2).durations([point_of(BASE)], [point_of(NEW)], LEAVING)


def test_nothing_listening_is_maps_unavailable():
    with pytest.raises(MapsUnavailable, match="unreachable"):
        RoutesMatrix(API_KEY, base_url="http://127.0.0.1:9").durations([point_of(BASE)], [point_of(NEW)], LEAVING)


@pytest.mark.parametrize("trouble", ["429", "timeout"])
def test_travel_falls_back_to_the_estimate_when_google_fails(google_standin, trouble, caplog):
    if trouble == "429":
        google_standin.fail_with = 429
    else:
        google_standin.delay = 1.0
    travel = GoogleTravel(routes(google_standin, timeout=0.2), estimate=ESTIMATE)
    times = travel.times([(BASE, NEW)], departure_at=LEAVING, fallback=ESTIMATE)
    assert times.minutes(BASE, NEW) == pytest.approx(ESTIMATE.minutes(BASE, NEW))
    assert "drive times estimated" in caplog.text
    # Cooling down: the next scan does not wait for Google again.
    travel.times([(BASE, NEW)], departure_at=LEAVING, fallback=ESTIMATE)
    assert len(google_standin.matrix_calls) == 1


def wednesday(travel) -> SlotRequest:
    """One technician, 08:00-18:00 from BASE, a job 10:00-11:30 at JOB; a 60-minute job wanted at NEW."""
    hours = [WeeklyRule(day, time(8), time(18)) for day in range(7)]
    job = Job(Span(datetime(2026, 3, 11, 10, tzinfo=CHICAGO), datetime(2026, 3, 11, 11, 30, tzinfo=CHICAGO)),
              place=JOB)
    day = Span(datetime(2026, 3, 11, 0, tzinfo=CHICAGO), datetime(2026, 3, 12, 0, tzinfo=CHICAGO))
    return SlotRequest(service=ServiceSpec("Wash", timedelta(minutes=60)),
                       technicians=[Technician(7, hours, base=BASE, jobs=[job])], windows=[day],
                       now=datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO), tz="America/Chicago", place=NEW, travel=travel)


def test_slots_respect_the_drives_the_matrix_gives(google_standin):
    base, job, new = point_of(BASE), point_of(JOB), point_of(NEW)
    google_standin.drive(base, new, 30 * 60)
    google_standin.drive(new, job, 40 * 60)
    google_standin.drive(job, new, 40 * 60)
    travel = GoogleTravel(routes(google_standin), estimate=ESTIMATE)
    slots = scanned(wednesday(ESTIMATE), find_slots, travel)
    # The day starts 30 minutes' drive from the base; the job at 10:00 needs the technician to leave NEW by
    # 09:20 (too early for a 60-minute job after 08:30), and they are back at NEW at 11:30 + 40 = 12:10.
    assert [s.start.astimezone(CHICAGO).strftime("%H:%M") for s in slots] == [
        "12:30", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]
    # On the straight-line estimate (about 4 minutes each way) the morning would have been open.
    assert find_slots(wednesday(ESTIMATE))[0].start.astimezone(CHICAGO).strftime("%H:%M") == "08:30"
    asked = {(o, d) for call in google_standin.matrix_calls for o in call.origins for d in call.destinations}
    assert {(base, new), (new, job), (job, new)} <= asked
    # Leaving at 10:00 on the day asked about; a second scan of the day comes from the cache.
    assert {call.body["departureTime"] for call in google_standin.matrix_calls} == {"2026-03-11T15:00:00Z"}
    calls = len(google_standin.matrix_calls)
    assert scanned(wednesday(ESTIMATE), find_slots, travel) == slots
    assert len(google_standin.matrix_calls) == calls
