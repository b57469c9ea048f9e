"""Geocoding and the legacy Distance Matrix through the real `googlemaps` client, its HTTP stubbed with
`responses` as googlemaps' own tests do: the parameters we send, the answers we read, and ZERO_RESULTS,
OVER_QUERY_LIMIT, REQUEST_DENIED, 5xx and timeouts."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from bot.adapters.google_maps import (Cooldown, DistanceMatrix, GoogleGeocoder, GoogleTravel, MapsUnavailable,
                                      maps_client)
from bot.adapters.maps import Located, ZipCentroids
from bot.domain.travel import Place, StraightLineTravel

KEY = "AIzaTestKey0123456789"
GEOCODE = "https://maps.googleapis.com/maps/api/geocode/json"
MATRIX = "https://maps.googleapis.com/maps/api/distancematrix/json"
LEAVING = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
BASE = Place("base", 30.2640, -97.7263)
NEW = Place("2400 Lake Austin Blvd", 30.2870, -97.7760)
ESTIMATE = StraightLineTravel(unknown_minutes=20)

CONGRESS = {
    "address_components": [
        {"long_name": "1100", "short_name": "1100", "types": ["street_number"]},
        {"long_name": "Congress Avenue", "short_name": "Congress Ave", "types": ["route"]},
        {"long_name": "Austin", "short_name": "Austin", "types": ["locality", "political"]},
        {"long_name": "Texas", "short_name": "TX", "types": ["administrative_area_level_1", "political"]},
        {"long_name": "United States", "short_name": "US", "types": ["country", "political"]},
        {"long_name": "78701", "short_name": "78701", "types": ["postal_code"]}],
    "formatted_address": "1100 Congress Ave., Austin, TX 78701, USA",
    "geometry": {"location": {"lat": 30.2746652, "lng": -97.7403505}, "location_type": "ROOFTOP",
                 "viewport": {"northeast": {"lat": 30.276, "lng": -97.739},
                              "southwest": {"lat": 30.273, "lng": -97.742}}},
    "place_id": "ChIJLwJRQqe1RIYRD3cQ4dSOzbo", "types": ["street_address"]}


def query(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


@pytest.fixture
def stubbed():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def geocoder() -> GoogleGeocoder:
    return GoogleGeocoder(maps_client(KEY, timeout=0.5), fallback=ZipCentroids())


def test_an_address_is_located_in_the_business_s_country(stubbed, geocoder):
    stubbed.get(GEOCODE, json={"results": [CONGRESS], "status": "OK"})
    found = geocoder.locate("1100 Congress Ave, Austin", country="US")
    assert found == Located(30.2746652, -97.7403505, "1100 Congress Ave., Austin, TX 78701, USA", "78701")
    assert query(stubbed.calls[0]) == {"address": "1100 Congress Ave, Austin", "components": "country:US",
                                       "region": "us", "key": KEY}
    # The same address again (however it is spaced or cased) comes from the cache.
    assert geocoder.locate("1100  congress ave, AUSTIN", country="US") == found
    assert len(stubbed.calls) == 1


def test_zero_results_falls_back_to_the_zip_code(stubbed, geocoder):
    stubbed.get(GEOCODE, json={"results": [], "status": "ZERO_RESULTS"})
    found = geocoder.locate("4500 Nowhere Lane, Austin TX 78703", country="US")
    assert (found.postal_code, found.approximate) == ("78703", True)
    assert geocoder.locate("Nowhere at all", country="US") is None


@pytest.mark.parametrize(("answer", "logged"), [
    ({"json": {"results": [], "status": "OVER_QUERY_LIMIT", "error_message": "You have exceeded your rate-limit."}},
     "OVER_QUERY_LIMIT"),
    ({"json": {"results": [], "status": "REQUEST_DENIED", "error_message": "The provided API key is invalid."}},
     "REQUEST_DENIED"),
    ({"body": requests.exceptions.ReadTimeout("read timed out")}, "geocoding timed out"),
    ({"status": 500, "body": "oops"}, "timed out"),       # googlemaps retries a 5xx until its (short) time is up
])
def test_a_failure_falls_back_and_cools_down(stubbed, answer, logged, caplog):
    stubbed.get(GEOCODE, **answer)
    clock = [0.0]
    geocoder = GoogleGeocoder(maps_client(KEY, timeout=0.5), fallback=ZipCentroids(),
                              cooldown=Cooldown(60, lambda: clock[0]))
    found = geocoder.locate("1100 Congress Ave, Austin TX 78701", country="US")
    assert (found.postal_code, found.approximate) == ("78701", True)
    assert logged in caplog.text
    calls = len(stubbed.calls)
    geocoder.locate("1100 Congress Ave, Austin TX 78701", country="US")
    assert len(stubbed.calls) == calls          # cooling down: Google is not asked again yet
    clock[0] = 61
    stubbed.replace(responses.GET, GEOCODE, json={"results": [CONGRESS], "status": "OK"})
    assert geocoder.locate("1100 Congress Ave, Austin TX 78701", country="US").approximate is False


def distance_matrix_body(*rows) -> dict:
    return {"destination_addresses": ["x"] * len(rows[0]), "origin_addresses": ["y"] * len(rows),
            "rows": [{"elements": list(row)} for row in rows], "status": "OK"}


def ok(seconds: int, in_traffic: int | None = None) -> dict:
    element = {"distance": {"text": "9 km", "value": 9000}, "duration": {"text": "x", "value": seconds},
               "status": "OK"}
    if in_traffic is not None:
        element["duration_in_traffic"] = {"text": "y", "value": in_traffic}
    return element


def test_the_distance_matrix_reads_duration_in_traffic(stubbed):
    stubbed.get(MATRIX, json=distance_matrix_body([ok(900, 1260), {"status": "ZERO_RESULTS"}],
                                                  [ok(600), {"status": "NOT_FOUND"}]))
    source = DistanceMatrix(maps_client(KEY, timeout=0.5))
    answers = source.durations([(30.264, -97.726), (30.275, -97.74)], [(30.287, -97.776), (21.3, -157.8)], LEAVING)
    assert answers == {(0, 0): 21.0, (0, 1): None, (1, 0): 10.0}
    sent = query(stubbed.calls[0])
    assert sent == {"origins": "30.264,-97.726|30.275,-97.74", "destinations": "30.287,-97.776|21.3,-157.8",
                    "mode": "driving", "departure_time": str(int(LEAVING.timestamp())), "key": KEY}


@pytest.mark.parametrize("answer", [
    {"json": {"rows": [], "status": "OVER_QUERY_LIMIT", "error_message": "You have exceeded your rate-limit."}},
    {"json": {"rows": [], "status": "MAX_ELEMENTS_EXCEEDED"}},
    {"json": {"rows": [], "status": "REQUEST_DENIED", "error_message": "This API project is not authorized."}},
    {"body": requests.exceptions.ConnectTimeout("connect timed out")},
    {"body": requests.exceptions.ConnectionError("refused")},
])
def test_a_failed_distance_matrix_is_maps_unavailable(stubbed, answer):
    stubbed.get(MATRIX, **answer)
    with pytest.raises(MapsUnavailable):
        DistanceMatrix(maps_client(KEY, timeout=0.5)).durations([(30.264, -97.726)], [(30.287, -97.776)], LEAVING)


def test_travel_over_the_distance_matrix_answers_and_falls_back(stubbed):
    stubbed.get(MATRIX, json=distance_matrix_body([ok(900, 1500)]))
    travel = GoogleTravel(DistanceMatrix(maps_client(KEY, timeout=0.5)), estimate=ESTIMATE)
    times = travel.times([(BASE, NEW)], departure_at=LEAVING, fallback=ESTIMATE)
    assert times.minutes(BASE, NEW) == 25.0
    stubbed.replace(responses.GET, MATRIX, json={"rows": [], "status": "OVER_QUERY_LIMIT"})
    later = travel.times([(NEW, BASE)], departure_at=LEAVING, fallback=ESTIMATE)
    assert later.minutes(NEW, BASE) == pytest.approx(ESTIMATE.minutes(NEW, BASE))
