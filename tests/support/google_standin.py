"""A local stand-in for Google's Routes API route matrix and Geocoding API, on a real loopback HTTP server.

It speaks the wire format of the real services, as far as we use them:

- POST /distanceMatrix/v2:computeRouteMatrix with X-Goog-Api-Key and X-Goog-FieldMask: a JSON array of
  elements, {"originIndex", "destinationIndex", "status": {}, "condition": "ROUTE_EXISTS", "duration":
  "1234s"}; "condition": "ROUTE_NOT_FOUND" without a duration; an element whose status carries a `code`;
  and for the whole request Google's error body, {"error": {"code": 429, "message", "status":
  "RESOURCE_EXHAUSTED"}} (403 PERMISSION_DENIED, 500 INTERNAL). As in proto3 JSON, a zero index is left out.
- GET /maps/api/geocode/json?address=...&key=...: {"status": "OK", "results": [...]} or ZERO_RESULTS.

Tests set `durations` (seconds by rounded (lat, lng) pairs), `no_route`, `failing_pairs`, `places`
(geocoding answers by address), `fail_with` (an HTTP status for every matrix call) or `delay` (seconds
before answering), and read `matrix_calls` / `geocode_calls`, the requests as they arrived.
"""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

API_KEY = "AIzaTestKey0123456789"
ERRORS = {403: ("PERMISSION_DENIED", "Requests from this API key are blocked."),
          429: ("RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Compute Route Matrix elements'."),
          500: ("INTERNAL", "Internal error encountered."),
          503: ("UNAVAILABLE", "The service is currently unavailable.")}

Point = tuple[float, float]


def point(lat: float, lng: float) -> Point:
    return (round(lat, 3), round(lng, 3))


@dataclass
class MatrixCall:
    headers: dict[str, str]
    body: dict

    @property
    def origins(self) -> list[Point]:
        return [_point_of(w) for w in self.body["origins"]]

    @property
    def destinations(self) -> list[Point]:
        return [_point_of(w) for w in self.body["destinations"]]


def _point_of(entry: dict) -> Point:
    lat_lng = entry["waypoint"]["location"]["latLng"]
    return point(lat_lng["latitude"], lat_lng["longitude"])


@dataclass
class GoogleStandIn:
    url: str = ""
    durations: dict[tuple[Point, Point], int] = field(default_factory=dict)
    default_seconds: int = 600
    no_route: set[tuple[Point, Point]] = field(default_factory=set)
    failing_pairs: set[tuple[Point, Point]] = field(default_factory=set)
    places: dict[str, dict] = field(default_factory=dict)      # address -> a Geocoding API result
    fail_with: int | None = None
    delay: float = 0.0
    matrix_calls: list[MatrixCall] = field(default_factory=list)
    geocode_calls: list[dict[str, list[str]]] = field(default_factory=list)

    def drive(self, origin: Point, destination: Point, seconds: int) -> None:
        self.durations[(point(*origin), point(*destination))] = seconds

    def place(self, address: str, lat: float, lng: float, *, postal_code: str | None = None,
              formatted: str | None = None) -> None:
        components = [{"long_name": postal_code, "short_name": postal_code, "types": ["postal_code"]}] \
            if postal_code else []
        self.places[address] = {
            "address_components": components, "formatted_address": formatted or address,
            "geometry": {"location": {"lat": lat, "lng": lng}, "location_type": "ROOFTOP"},
            "place_id": "ChIJ" + str(abs(hash(address)))[:10], "types": ["street_address"]}

    def matrix(self, body: dict) -> tuple[int, object]:
        if self.fail_with is not None:
            status, message = ERRORS.get(self.fail_with, ("UNKNOWN", "error"))
            error = {"error": {"code": self.fail_with, "message": message, "status": status}}
            # The matrix is a streaming method, and Google's REST streaming methods may wrap an error in an array.
            return self.fail_with, [error] if self.fail_with >= 500 else error
        elements = []
        origins = [_point_of(w) for w in body["origins"]]
        destinations = [_point_of(w) for w in body["destinations"]]
        for i, origin in enumerate(origins):
            for j, destination in enumerate(destinations):
                element: dict = {"status": {}}
                if i:
                    element["originIndex"] = i
                if j:
                    element["destinationIndex"] = j
                pair = (origin, destination)
                if pair in self.failing_pairs:
                    element["status"] = {"code": 3, "message": "Waypoint could not be routed."}
                elif pair in self.no_route:
                    element["condition"] = "ROUTE_NOT_FOUND"
                else:
                    element["condition"] = "ROUTE_EXISTS"
                    element["duration"] = f"{self.durations.get(pair, self.default_seconds)}s"
                elements.append(element)
        return 200, elements

    def geocode(self, query: dict[str, list[str]]) -> tuple[int, object]:
        result = self.places.get(query.get("address", [""])[0])
        if result is None:
            return 200, {"results": [], "status": "ZERO_RESULTS"}
        return 200, {"results": [result], "status": "OK"}


def _handler(standin: GoogleStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            if urlsplit(self.path).path != "/distanceMatrix/v2:computeRouteMatrix":
                return self._answer(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})
            standin.matrix_calls.append(MatrixCall({k: v for k, v in self.headers.items()}, body))
            if self.headers.get("X-Goog-Api-Key") != API_KEY:
                return self._answer(403, {"error": {"code": 403, "message": "API key not valid.",
                                                    "status": "PERMISSION_DENIED"}})
            time.sleep(standin.delay)
            self._answer(*standin.matrix(body))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/maps/api/geocode/json":
                return self._answer(404, {"status": "INVALID_REQUEST"})
            query = parse_qs(parts.query)
            standin.geocode_calls.append(query)
            time.sleep(standin.delay)
            self._answer(*standin.geocode(query))

        def _answer(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                pass

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def google_standin():
    """The stand-in, serving on a free loopback port for one test."""
    standin = GoogleStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    standin.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield standin
    server.shutdown()
    server.server_close()
