"""The service-area rule (bot/domain/service_area.py) and how a refusal names the area."""

import pytest

from bot.domain.service_area import ServiceArea, Verdict, postal_key, verdict
from bot.domain.travel import Place, distance_km
from flows.booking import outside_area_text

BASE = Place("base", 30.2640, -97.7263)             # a technician's base, east Austin
DOWNTOWN = Place("1100 Congress Ave", 30.2747, -97.7404)
ROUND_ROCK = Place("Round Rock", 30.5083, -97.6789)
HOUSTON = Place("500 Main St, Houston", 29.7604, -95.3698)
UNLOCATED = Place("somewhere we could not geocode")
TO_ROUND_ROCK = distance_km(BASE, ROUND_ROCK)          # about 27.6 km


@pytest.mark.parametrize(("area", "place", "postal", "expected"), [
    # No rule: anywhere.
    (ServiceArea(), HOUSTON, None, Verdict.INSIDE),
    # Radius: the edge itself is inside.
    (ServiceArea(25, centers=(BASE,)), DOWNTOWN, None, Verdict.INSIDE),
    (ServiceArea(TO_ROUND_ROCK, centers=(BASE,)), ROUND_ROCK, None, Verdict.INSIDE),
    (ServiceArea(TO_ROUND_ROCK - 0.01, centers=(BASE,)), ROUND_ROCK, None, Verdict.OUTSIDE),
    (ServiceArea(25, centers=(BASE,)), HOUSTON, None, Verdict.OUTSIDE),
    # Within the radius of any base counts.
    (ServiceArea(25, centers=(HOUSTON, BASE)), DOWNTOWN, None, Verdict.INSIDE),
    # ZIP codes.
    (ServiceArea(zips=frozenset({"78701"})), DOWNTOWN, "78701", Verdict.INSIDE),
    (ServiceArea(zips=frozenset({"78701"})), DOWNTOWN, "78701-4321", Verdict.INSIDE),
    (ServiceArea(zips=frozenset({"78701"})), DOWNTOWN, "78702", Verdict.OUTSIDE),
    # Both rules: either lets a place in; outside only when both say no.
    (ServiceArea(5, frozenset({"78664"}), (BASE,)), ROUND_ROCK, "78664", Verdict.INSIDE),
    (ServiceArea(5, frozenset({"78664"}), (BASE,)), DOWNTOWN, "78701", Verdict.INSIDE),
    (ServiceArea(5, frozenset({"78664"}), (BASE,)), HOUSTON, "77002", Verdict.OUTSIDE),
    # What we cannot check is unknown, and unknown is let in (drive time: the business's unknown_drive_minutes).
    (ServiceArea(25, centers=(BASE,)), UNLOCATED, None, Verdict.UNKNOWN),
    (ServiceArea(25, centers=()), DOWNTOWN, None, Verdict.UNKNOWN),
    (ServiceArea(zips=frozenset({"78701"})), DOWNTOWN, None, Verdict.UNKNOWN),
    (ServiceArea(25, frozenset({"78701"}), (BASE,)), UNLOCATED, "78702", Verdict.UNKNOWN),
    (ServiceArea(5, frozenset({"78701"}), (BASE,)), HOUSTON, None, Verdict.UNKNOWN),
])
def test_verdict(area, place, postal, expected):
    assert verdict(area, place, postal) is expected


def test_an_area_with_no_rule_is_not_limited():
    assert not ServiceArea().is_limited
    assert ServiceArea(10).is_limited and ServiceArea(zips=frozenset({"78701"})).is_limited


@pytest.mark.parametrize(("code", "key"), [
    ("78701", "78701"), (" 78701-1234 ", "78701"), ("787011234", "78701"), ("sw1a 1aa", "SW1A1AA"),
    ("H2X 1Y4", "H2X1Y4"),
])
def test_postal_key(code, key):
    assert postal_key(code) == key


def test_a_refusal_names_the_radius_in_km_and_miles():
    text = outside_area_text(ServiceArea(25, centers=(BASE,)), "500 Main St, Houston", "en", "(555) 000-2222")
    assert text == ("Sorry, we don't go as far as 500 Main St, Houston: we serve within 25 km (16 mi) of us. "
                    "Could you send another address? Or call or text (555) 000-2222 and we'll see what we can do.")


def test_a_refusal_names_the_zip_codes_and_both_rules_in_spanish():
    area = ServiceArea(7.5, frozenset({"78702", "78701"}), (BASE,))
    text = outside_area_text(area, "", "es", "(555) 000-2222")
    assert text == ("Perdón, no llegamos hasta esa ubicación: atendemos a menos de 7.5 km (4.7 mi) de nosotros, "
                    "además de los códigos postales 78701, 78702. ¿Nos mandas otra dirección? O llámanos o "
                    "escríbenos ((555) 000-2222) y vemos qué podemos hacer.")


def test_a_long_zip_list_is_cut_short():
    area = ServiceArea(zips=frozenset(f"787{n:02}" for n in range(1, 21)))
    text = outside_area_text(area, "x", "en", "us")
    assert "ZIP codes 78701, 78702, 78703, 78704, 78705, 78706, 78707, 78708, …." in text
