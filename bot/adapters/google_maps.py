"""Google Maps: drive times in traffic and geocoding, behind the roles of bot/adapters/maps.py.

Drive times come from the Routes API's route matrix (`RoutesMatrix`, the default) or the legacy Distance
Matrix API (`DistanceMatrix`, TRAVEL_PROVIDER=distance_matrix, for keys that only have that API enabled);
`GoogleTravel` batches, caches and falls back for either. Geocoding is `GoogleGeocoder`.

Why httpx for the Routes API and not the official google-maps-routing client: the route matrix is one
JSON POST with two headers, and httpx is already how we speak HTTP. The official client is gRPC first:
its REST transport can be pointed at another host, but it streams the matrix through google-api-core,
protobuf and grpcio (tens of MB more in the image), and its retry and timeout policy is one more thing
to tame inside a customer's turn. Here a timeout is one number and a failure is one exception.

Why the `googlemaps` package for geocoding and the Distance Matrix: it is Google's client for those web
services (parameters, component filters, the API's status codes as exceptions), it takes `base_url` for
another host, and tests stub its HTTP with `responses`, as its own tests do. Its retries are cut to our
timeout: by default it retries for 60 seconds, which inside a turn means a customer waiting a minute.

Nothing here ever raises into a booking: a failure is logged, the turn goes on with the straight-line
estimate or an address we could not place, and we stop asking for a minute (`Cooldown`) so the next
turns do not each wait for a timeout too.
"""

import logging
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import googlemaps
import googlemaps.exceptions
import httpx

from bot.adapters.maps import Geocoder, Located
from bot.domain.travel import Place, TravelTimes

log = logging.getLogger(__name__)

ROUTES_BASE = "https://routes.googleapis.com"
MAPS_BASE = "https://maps.googleapis.com"
ROUTES_FIELDS = "originIndex,destinationIndex,duration,condition,status"
# Coordinates are rounded to 3 decimals (0.001 degree is 111 m north-south, less east-west) before they
# are sent or cached: two jobs in one building share a drive, and a customer's pin a few steps from
# their typed address hits the cache.
PRECISION = 3
# After a failure (quota, a refused key, Google down or slow) we stop asking for this long: the turns in
# between use estimates at once instead of each waiting for a timeout.
COOLDOWN_SECONDS = 60.0
# Scattered pairs (one technician's job to their next) share a call this many at a time: a call asks
# for every origin x destination of its pairs, so bigger groups waste elements, smaller ones add calls.
SCATTERED_PER_CALL = 10
PARALLEL_CALLS = 4

Point = tuple[float, float]
MISSING = object()


def point_of(place: Place) -> Point:
    return (round(place.lat, PRECISION), round(place.lng, PRECISION))


class MapsUnavailable(Exception):
    """Google did not answer usefully: a timeout, a network failure, a quota, a refused key, a 5xx."""


class Cooldown:
    """Remembers a failure for a while, so we do not ask again at once."""

    def __init__(self, seconds: float = COOLDOWN_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self.until = 0.0

    @property
    def is_cooling(self) -> bool:
        return self.clock() < self.until

    def start(self) -> None:
        self.until = self.clock() + self.seconds


class LruCache:
    """A bounded, thread-safe map that forgets the least recently used entry first.

    In process, not Redis: a turn already waits on the database and maybe Google, and a Redis hop per
    pair would cost as much as the cache saves. A miss costs one matrix call, shared by the whole scan,
    and each worker process warms up its own within an hour; drive times change with the hour anyway.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._items:
                return MISSING
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


def drive_key(origin: Point, destination: Point, departure_at: datetime) -> tuple:
    """The cache key of a drive: both ends rounded (PRECISION) and the UTC hour of departure."""
    return origin, destination, departure_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


class MatrixSource(Protocol):
    """One matrix request to a Google API."""

    max_side: int                     # origins, and destinations, one request may carry
    max_elements: int                 # origins x destinations one request may carry

    def durations(self, origins: Sequence[Point], destinations: Sequence[Point],
                  departure_at: datetime) -> dict[tuple[int, int], float | None]:
        """Minutes by (origin index, destination index): None where no road route exists, absent where that
        element failed. Raises MapsUnavailable when the request as a whole failed."""
        ...


class RoutesMatrix:
    """The Routes API's computeRouteMatrix over REST: driving, traffic-aware, at a departure time."""

    max_side = 25                     # the API takes 625 elements; 25 x 25 keeps every call under it
    max_elements = 625

    def __init__(self, api_key: str, *, base_url: str = "", timeout: float = 3.0,
                 http: httpx.Client | None = None) -> None:
        self.api_key, self.timeout = api_key, timeout
        self.url = f"{(base_url or ROUTES_BASE).rstrip('/')}/distanceMatrix/v2:computeRouteMatrix"
        self.http = http or httpx.Client(timeout=timeout)

    def durations(self, origins: Sequence[Point], destinations: Sequence[Point],
                  departure_at: datetime) -> dict[tuple[int, int], float | None]:
        body = {"origins": [{"waypoint": _waypoint(p)} for p in origins],
                "destinations": [{"waypoint": _waypoint(p)} for p in destinations],
                "travelMode": "DRIVE", "routingPreference": "TRAFFIC_AWARE",
                "departureTime": departure_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        headers = {"X-Goog-Api-Key": self.api_key, "X-Goog-FieldMask": ROUTES_FIELDS}
        try:
            response = self.http.post(self.url, json=body, headers=headers, timeout=self.timeout)
        except httpx.TimeoutException:
            raise MapsUnavailable(f"Routes API did not answer within {self.timeout:g} s")
        except httpx.HTTPError as error:
            raise MapsUnavailable(f"Routes API unreachable: {error}")
        if response.status_code != 200:
            raise MapsUnavailable(f"Routes API answered {response.status_code}: {_google_error(response)}")
        try:
            answers = [_routes_element(element) for element in response.json()]
            return dict(answer for answer in answers if answer is not None)
        except (ValueError, TypeError, AttributeError) as error:
            raise MapsUnavailable(f"Routes API answered something that is not a route matrix: {error}")


def _waypoint(point: Point) -> dict:
    return {"location": {"latLng": {"latitude": point[0], "longitude": point[1]}}}


def _routes_element(element: dict) -> tuple[tuple[int, int], float | None] | None:
    """((origin, destination), minutes) of one matrix element; None when that element failed.
    Proto3 JSON leaves out zero values: a missing index is 0, a missing duration "0s"."""
    status = element.get("status") or element.get("error") or {}
    index = (int(element.get("originIndex", 0)), int(element.get("destinationIndex", 0)))
    if status.get("code"):
        log.info("Routes API: no answer for pair %s: %s", index, status.get("message", status["code"]))
        return None
    if element.get("condition") == "ROUTE_NOT_FOUND":
        return index, None
    return index, float(str(element.get("duration", "0s")).removesuffix("s")) / 60


def _google_error(response: httpx.Response) -> str:
    """'RESOURCE_EXHAUSTED: Quota exceeded ...' from Google's error body, or the start of the body. The
    matrix streams, so its error may come as the only item of an array."""
    try:
        body = response.json()
        error = (body[0] if isinstance(body, list) else body)["error"]
        return f"{error.get('status', '')}: {error.get('message', '')}"
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


class DistanceMatrix:
    """The legacy Distance Matrix API through the `googlemaps` client: driving, with duration_in_traffic."""

    max_side = 25
    max_elements = 100                # the API's limit per request

    def __init__(self, client: googlemaps.Client) -> None:
        self.client = client

    def durations(self, origins: Sequence[Point], destinations: Sequence[Point],
                  departure_at: datetime) -> dict[tuple[int, int], float | None]:
        try:
            body = self.client.distance_matrix(list(origins), list(destinations), mode="driving",
                                               departure_time=departure_at)
        except googlemaps.exceptions.Timeout:
            raise MapsUnavailable("Distance Matrix API did not answer in time")
        except (googlemaps.exceptions.ApiError, googlemaps.exceptions.TransportError) as error:
            raise MapsUnavailable(f"Distance Matrix API: {error}")
        found: dict[tuple[int, int], float | None] = {}
        for i, row in enumerate(body.get("rows", [])):
            for j, element in enumerate(row.get("elements", [])):
                status = element.get("status")
                if status == "OK":
                    duration = element.get("duration_in_traffic") or element["duration"]
                    found[(i, j)] = duration["value"] / 60
                elif status == "ZERO_RESULTS":       # no road between them
                    found[(i, j)] = None
                else:                                # NOT_FOUND, MAX_ROUTE_LENGTH_EXCEEDED
                    log.info("Distance Matrix: no answer for pair %s: %s", (i, j), status)
        return found


@dataclass(frozen=True)
class _Answers:
    """A scan's drive times: fetched ones, else the fallback's. Never does I/O."""

    known: dict[tuple[Point, Point], float | None]
    fallback: TravelTimes

    def minutes(self, origin: Place, destination: Place) -> float:
        if origin == destination:
            return 0.0
        if origin.is_located and destination.is_located:
            found = self.known.get((point_of(origin), point_of(destination)))
            if found is not None:
                return found
        return self.fallback.minutes(origin, destination)


class GoogleTravel:
    """Drive times from a Google matrix, fetched per scan (`times`), cached by rounded ends and hour.

    A pair Google cannot answer (no road route, an element error, the API failing) gets the fallback's
    straight-line estimate: a booking is never refused because Google was down.
    """

    def __init__(self, source: MatrixSource, *, estimate: TravelTimes, cache_size: int = 50_000,
                 cooldown: Cooldown | None = None) -> None:
        self.source, self.estimate = source, estimate
        self.cache = LruCache(cache_size)
        self.cooldown = cooldown or Cooldown()

    def times(self, pairs: Iterable[tuple[Place, Place]], *, departure_at: datetime,
              fallback: TravelTimes) -> TravelTimes:
        wanted = {(point_of(o), point_of(d)) for o, d in pairs
                  if o.is_located and d.is_located and point_of(o) != point_of(d)}
        missing = {pair for pair in wanted if self.cache.get(drive_key(*pair, departure_at)) is MISSING}
        if missing and self.cooldown.is_cooling:
            log.info("not asking Google for %s drives: cooling down after a failure", len(missing))
        elif missing:
            self._fetch(missing, departure_at)
        known = {}
        for pair in wanted:
            minutes = self.cache.get(drive_key(*pair, departure_at))
            if minutes is not MISSING:
                known[pair] = minutes
        return _Answers(known, fallback)

    def _fetch(self, missing: set[tuple[Point, Point]], departure_at: datetime) -> None:
        calls = matrix_calls(missing, max_side=self.source.max_side, max_elements=self.source.max_elements)
        if len(calls) == 1:
            self._call(*calls[0], departure_at)
            return
        with ThreadPoolExecutor(max_workers=min(PARALLEL_CALLS, len(calls))) as pool:
            list(pool.map(lambda call: self._call(*call, departure_at), calls))

    def _call(self, origins: list[Point], destinations: list[Point], departure_at: datetime) -> None:
        try:
            found = self.source.durations(origins, destinations, departure_at)
        except MapsUnavailable as error:
            log.warning("drive times estimated: %s", error)
            self.cooldown.start()
            return
        except Exception:  # a surprise in Google's answer must not cost the customer their booking
            log.exception("drive times estimated: unexpected failure of the route matrix")
            self.cooldown.start()
            return
        for (i, j), minutes in found.items():
            if i < len(origins) and j < len(destinations):
                self.cache.put(drive_key(origins[i], destinations[j], departure_at), minutes)


def matrix_calls(pairs: Iterable[tuple[Point, Point]], *, max_side: int = 25,
                 max_elements: int = 625) -> list[tuple[list[Point], list[Point]]]:
    """Matrix requests (origins, destinations) that cover `pairs` with few wasted elements.

    A scan asks mostly about the new job: from it to every other place (a row) and from each place to
    it (a column). Rows and columns of two or more pairs become one request each, the largest first;
    what is left (a technician's job to their next) goes SCATTERED_PER_CALL pairs per request. Each
    request is then cut to `max_side` origins and destinations and `max_elements` elements.
    """
    left = set(pairs)
    calls: list[tuple[list[Point], list[Point]]] = []
    while left:
        rows, columns = defaultdict(set), defaultdict(set)
        for origin, destination in left:
            rows[origin].add(destination)
            columns[destination].add(origin)
        row = max(rows.items(), key=lambda item: (len(item[1]), item[0]))
        column = max(columns.items(), key=lambda item: (len(item[1]), item[0]))
        if max(len(row[1]), len(column[1])) < 2:
            break
        if len(row[1]) >= len(column[1]):
            calls.append(([row[0]], sorted(row[1])))
            left -= {(row[0], d) for d in row[1]}
        else:
            calls.append((sorted(column[1]), [column[0]]))
            left -= {(o, column[0]) for o in column[1]}
    scattered = sorted(left)
    for start in range(0, len(scattered), SCATTERED_PER_CALL):
        group = scattered[start:start + SCATTERED_PER_CALL]
        calls.append((sorted({o for o, _ in group}), sorted({d for _, d in group})))
    return [cut for origins, destinations in calls for cut in _cut(origins, destinations, max_side, max_elements)]


def _cut(origins: list[Point], destinations: list[Point], max_side: int,
         max_elements: int) -> list[tuple[list[Point], list[Point]]]:
    down = min(max_side, len(origins))
    across = min(max_side, max(1, max_elements // down))
    return [(origins[i:i + down], destinations[j:j + across])
            for i in range(0, len(origins), down) for j in range(0, len(destinations), across)]


def maps_client(api_key: str, *, base_url: str = "", timeout: float = 3.0) -> googlemaps.Client:
    """googlemaps' client with retries cut to `timeout` and no retry on OVER_QUERY_LIMIT (we cool down
    instead): a customer's turn must not wait out its default 60 seconds of retries."""
    return googlemaps.Client(key=api_key, timeout=timeout, retry_timeout=timeout, retry_over_query_limit=False,
                             base_url=(base_url or MAPS_BASE).rstrip("/"))


class GoogleGeocoder:
    """Google's Geocoding API: coordinates, the formatted address and its postal code, kept to the
    business's country. Results are cached in process by address; anything Google cannot place, or
    any failure, goes to `fallback` (the offline ZIP-code geocoder)."""

    def __init__(self, client: googlemaps.Client, *, fallback: Geocoder | None = None, cache_size: int = 5_000,
                 cooldown: Cooldown | None = None) -> None:
        self.client, self.fallback = client, fallback
        self.cache = LruCache(cache_size)
        self.cooldown = cooldown or Cooldown()

    def locate(self, address: str, *, country: str | None = None) -> Located | None:
        key = (" ".join(address.casefold().split()), country)
        found = self.cache.get(key)
        if found is MISSING:
            found = self._geocode(address, country)
            if found is MISSING:            # failed: ask again next time
                return self._fall_back(address, country)
            self.cache.put(key, found)
        return found if found is not None else self._fall_back(address, country)

    def _geocode(self, address: str, country: str | None) -> Any:
        if not address.strip() or self.cooldown.is_cooling:
            return MISSING
        try:
            results = self.client.geocode(address, components={"country": country} if country else None,
                                          region=country.lower() if country else None)
        except googlemaps.exceptions.Timeout:
            log.warning("geocoding timed out; trying without Google")
            self.cooldown.start()
            return MISSING
        except (googlemaps.exceptions.ApiError, googlemaps.exceptions.TransportError) as error:
            # OVER_QUERY_LIMIT, REQUEST_DENIED (a bad or restricted key), a 5xx, the network.
            log.warning("geocoding failed: %s", error)
            if getattr(error, "status", None) != "INVALID_REQUEST":
                self.cooldown.start()
            return MISSING
        if not results:                      # ZERO_RESULTS: Google does not know the address
            return None
        return located_from(results[0])

    def _fall_back(self, address: str, country: str | None) -> Located | None:
        return self.fallback.locate(address, country=country) if self.fallback is not None else None


def located_from(result: dict) -> Located:
    """A Geocoding API result as a Located."""
    geometry = result["geometry"]
    postal = next((c["long_name"] for c in result.get("address_components", []) if "postal_code" in c["types"]),
                  None)
    return Located(float(geometry["location"]["lat"]), float(geometry["location"]["lng"]),
                   result.get("formatted_address", ""), postal,
                   approximate=geometry.get("location_type") in ("GEOMETRIC_CENTER", "APPROXIMATE"))
