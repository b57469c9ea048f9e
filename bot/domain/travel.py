"""Where jobs are and how long the drive between two of them takes.

`TravelTimes` is the role; the Google Maps adapter plays it for real, and `StraightLineTravel` is the
offline default: great-circle distance times a road factor at an average speed.
"""

import math
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Place:
    """A job's or a technician's location; coordinates may be unknown (an address we could not geocode)."""

    address: str = ""
    lat: float | None = None
    lng: float | None = None

    @property
    def is_located(self) -> bool:
        return self.lat is not None and self.lng is not None

    def __repr__(self) -> str:
        # The generated repr, written out without its guard against recursion (three plain fields cannot
        # recurse), which made it three times slower: Job._key sorts every booking of an offer by it.
        return f"Place(address={self.address!r}, lat={self.lat!r}, lng={self.lng!r})"


def place_at(address: str | None, lat: float | None, lng: float | None) -> Place | None:
    """The place stored as address and coordinates on a row (customer, booking, base); None when neither is known."""
    return Place(address or "", lat, lng) if address or lat is not None else None


class TravelTimes(Protocol):
    def minutes(self, origin: Place, destination: Place) -> float:
        """Driving minutes from `origin` to `destination` (0 for the same place)."""
        ...


EARTH_RADIUS_KM = 6371.0088


def distance_km(a: Place, b: Place) -> float:
    """Great-circle (haversine) distance between two located places."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


@dataclass(frozen=True)
class StraightLineTravel:
    """Drive time estimated from straight-line distance.

    Roads are longer than the crow flies: a factor of 1.3-1.4 is typical of city street grids, and
    35 km/h is a fair average for urban driving with lights. When either end has no coordinates we
    cannot estimate, so we assume `unknown_minutes`, which errs on the side of a technician arriving
    early rather than late.
    """

    speed_kmh: float = 35.0
    road_factor: float = 1.35
    unknown_minutes: float = 20.0

    def minutes(self, origin: Place, destination: Place) -> float:
        if origin == destination:
            return 0.0
        if not (origin.is_located and destination.is_located):
            return self.unknown_minutes
        return distance_km(origin, destination) * self.road_factor / self.speed_kmh * 60


class MemoTravel:
    """Remembers each pair's answer, so a scan asks a provider about each pair once."""

    def __init__(self, inner: TravelTimes) -> None:
        self.inner = inner
        self.known: dict[tuple[Place, Place], float] = {}

    def minutes(self, origin: Place, destination: Place) -> float:
        key = (origin, destination)
        if key not in self.known:
            self.known[key] = self.inner.minutes(origin, destination)
        return self.known[key]


class RecordedTravel:
    """Answers from `inner` and notes every pair asked: a scan run once on estimates tells a route matrix
    which drives to fetch before the scan runs again on real ones (bot.schedule.scanned)."""

    def __init__(self, inner: TravelTimes) -> None:
        self.inner = inner
        self.asked: set[tuple[Place, Place]] = set()

    def minutes(self, origin: Place, destination: Place) -> float:
        self.asked.add((origin, destination))
        return self.inner.minutes(origin, destination)
