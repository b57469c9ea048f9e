"""Maps, by role: where an address is (`Geocoder`) and drive times fetched for a whole scan at once
(`TravelMatrix`). Google plays both for real (bot/adapters/google_maps.py); offline, addresses are placed
at the centre of their US ZIP code (`ZipCentroids`) and drives are estimated from straight-line distance
(bot.domain.travel.StraightLineTravel). bot/wiring.py picks them from the settings.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.domain.travel import Place, TravelTimes

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Located:
    """Where a geocoder put an address."""

    lat: float
    lng: float
    address: str = ""                 # as the geocoder writes it
    postal_code: str | None = None
    approximate: bool = False         # the centre of an area (a ZIP code, a street), not the door

    def place(self, address: str) -> Place:
        """The job's place: the customer's own words for it, at these coordinates."""
        return Place(address, self.lat, self.lng)


class Geocoder(Protocol):
    def locate(self, address: str, *, country: str | None = None) -> Located | None:
        """Where `address` is (`country`: the business's, ISO 3166 alpha-2, to keep results in it); None when
        unknown. Never raises: a geocoder that is down is an address we cannot place."""
        ...


@runtime_checkable
class TravelMatrix(Protocol):
    """Drive times that come cheapest many at a time (a route matrix), so they are fetched per scan."""

    estimate: TravelTimes             # what a pair gets when the matrix cannot answer it

    def times(self, pairs: Iterable[tuple[Place, Place]], *, departure_at: datetime,
              fallback: TravelTimes) -> TravelTimes:
        """Drive times for `pairs`, leaving at `departure_at`, fetched together now; the answer never does
        network I/O, and gives `fallback`'s minutes for any pair the matrix could not answer."""
        ...


# A US ZIP code after the start of the address: "4500 W 6th St, Austin TX 78703" -> 78703. The first
# token is left out, as it is the house number in "12345 Main St".
ZIP_IN_ADDRESS = re.compile(r"(?<=\S)\s*,?\s*\b(\d{5})(?:-\d{4})?\b")


def zip_in(address: str) -> str | None:
    """The last US ZIP code written in `address` after its first word, if any."""
    found = ZIP_IN_ADDRESS.findall(address.strip())
    return found[-1] if found else None


class ZipCentroids:
    """The offline geocoder: an address with a US ZIP code is placed at that ZIP code's centre, from the
    `zipcodes` package's bundled table (no network, no key). Within a few kilometres, which is enough for
    a service-area check and a far better drive estimate than none; anything else stays unknown."""

    def locate(self, address: str, *, country: str | None = None) -> Located | None:
        if country not in (None, "US"):
            return None
        code = zip_in(address)
        if code is None:
            return None
        import zipcodes  # loads its table (about 0.4 s) on first use, not at import

        found = [z for z in zipcodes.matching(code) if z.get("lat") and z.get("long")]
        if not found:
            log.info("ZIP code %s is not in the zipcodes table", code)
            return None
        z = found[0]
        return Located(float(z["lat"]), float(z["long"]), f"{z['city']}, {z['state']} {code}", code, approximate=True)
