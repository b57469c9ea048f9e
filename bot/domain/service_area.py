"""Where a mobile business goes: within a radius of its technicians' bases, or to a list of ZIP codes.

Pure: the shell locates the address (bot.adapters.maps) and hands in the place and its postal code.

The two rules add up: a business with "25 km" and "78701, 78702" goes to both. A place is outside only
when every rule in force can be checked and says no. When we cannot tell (an address that did not
geocode, no technician base with coordinates, a location pin without a ZIP code), the place counts as
inside: refusing a customer because our geocoder failed would be worse than a job the owner can still
decline, and the drive to it is then `Business.unknown_drive_minutes`.
"""

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.travel import Place, distance_km


class Verdict(StrEnum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"           # no rule could be checked: treated as inside


@dataclass(frozen=True)
class ServiceArea:
    radius_km: float | None = None          # from any of `centers`; None: no radius rule
    zips: frozenset[str] = frozenset()      # postal codes as postal_key gives them; empty: no ZIP rule
    centers: tuple[Place, ...] = ()         # where the radius is measured from (technicians' bases)

    @property
    def is_limited(self) -> bool:
        return self.radius_km is not None or bool(self.zips)

    def is_near(self, place: Place | None) -> bool:
        """Whether the radius rule alone lets `place` in."""
        return (self.radius_km is not None and place is not None and place.is_located
                and any(distance_km(c, place) <= self.radius_km for c in self.centers if c.is_located))


US_ZIP_PLUS_4 = re.compile(r"^(\d{5})-?\d{4}$")


def postal_key(code: str) -> str:
    """A postal code as we compare them: upper case without spaces, a US ZIP+4 as its five digits
    ("78701-1234" -> "78701", "sw1a 1aa" -> "SW1A1AA")."""
    key = "".join(code.split()).upper()
    match = US_ZIP_PLUS_4.match(key)
    return match.group(1) if match else key


def verdict(area: ServiceArea, place: Place | None, postal_code: str | None) -> Verdict:
    """Whether the business goes to `place` (with its postal code, when known).

    Radius 25 km from a base in downtown Austin: a job 24.9 km away is inside, 25.1 km outside (the
    edge itself counts as inside). ZIP codes ["78701"]: "78701-1234" is inside, "78702" outside.
    """
    answers: list[bool | None] = []
    if area.radius_km is not None:
        centers = [c for c in area.centers if c.is_located]
        answers.append(area.is_near(place) if centers and place is not None and place.is_located else None)
    if area.zips:
        answers.append(postal_key(postal_code) in area.zips if postal_code else None)
    if not answers or True in answers:
        return Verdict.INSIDE
    return Verdict.UNKNOWN if None in answers else Verdict.OUTSIDE
