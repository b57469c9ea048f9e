"""Where a mobile business goes, as SMS threads through the signed webhook.

Shine's vans start from Alex's base (1400 E 6th St) and Sam's (2100 S Lamar Blvd). Pat is a new
customer, so the bot asks where the job is before it offers times. Without a maps key the address is
placed by its ZIP code; with one, Google geocodes it and the route matrix gives the drives (both played
here by the local stand-in of tests/support/google_standin.py, over real HTTP).
"""

import json

import pytest
import zipcodes
from fastapi.testclient import TestClient

from api.main import create_app
from bot.config import Settings
from tests.conftest import AUTH_TOKEN, PAT, PUBLIC_BASE, execute, rows
from tests.conversations.support import say
from tests.support.google_standin import API_KEY, google_standin, point  # noqa: F401  (the fixture)

ALEX_BASE, SAM_BASE = (30.2640, -97.7263), (30.2477, -97.7686)
LAKE_AUSTIN = "2400 Lake Austin Blvd, Austin TX 78703"
LAKE_AUSTIN_AT = (30.2870, -97.7760)
HOUSTON = "500 Main St, Houston TX 77002"
ASK_ADDRESS = "We come to you! What's the address for the job? (street and city, e.g. '123 Oak St, Austin')"


def serve(db_url: str, *, radius_km: float | None = None, zips: list[str] = ()) -> None:
    execute(db_url, "update business set service_radius_km = :r, service_zips = :z", r=radius_km,
            z=json.dumps(list(zips)))


def bookings(db_url: str) -> list[tuple]:
    return rows(db_url, "select status from booking")


def pat(db_url: str) -> tuple:
    return rows(db_url, "select address, lat, lng from customer where phone = :p", p=PAT)[0]


# Offline: no key, addresses placed by their ZIP code.


def test_an_address_outside_the_zip_codes_is_refused_kindly_and_another_is_asked_for(client, db_url):
    serve(db_url, zips=["78701", "78702", "78703"])
    assert say(client, "tomorrow morning full detail", from_=PAT) == [ASK_ADDRESS]
    assert say(client, "123 Elm St, Round Rock TX 78664", from_=PAT) == [
        "Sorry, we don't go as far as 123 Elm St, Round Rock TX 78664: we serve ZIP codes 78701, 78702, 78703. "
        "Could you send another address? Or call or text (555) 000-2222 and we'll see what we can do."]
    assert bookings(db_url) == [] and pat(db_url) == (None, None, None)

    offers = say(client, "4500 W 6th St, Austin TX 78703", from_=PAT)[0]
    assert offers.startswith("Here's what's open for Full Detail (3 hr, $180):\n1) Wed Mar 11")
    centre = zipcodes.matching("78703")[0]
    assert pat(db_url) == ("4500 W 6th St, Austin TX 78703", float(centre["lat"]), float(centre["long"]))
    assert "hold" in say(client, "1", from_=PAT)[0]
    assert rows(db_url, "select address, lat, lng from booking") == [
        ("4500 W 6th St, Austin TX 78703", float(centre["lat"]), float(centre["long"]))]


def test_the_refusal_is_in_spanish_for_a_customer_who_writes_spanish(client, db_url):
    serve(db_url, radius_km=20)
    say(client, "el sábado por la mañana, lavado express", from_=PAT)
    assert say(client, "1200 Main St, Dallas TX 75202", from_=PAT) == [
        "Perdón, no llegamos hasta 1200 Main St, Dallas TX 75202: atendemos a menos de 20 km (12 mi) de nosotros. "
        "¿Nos mandas otra dirección? O llámanos o escríbenos ((555) 000-2222) y vemos qué podemos hacer."]
    assert say(client, "4500 W 6th St, Austin TX 78703", from_=PAT)[0].startswith("Esto es lo que hay libre")


def test_an_address_we_cannot_place_is_accepted(client, db_url):
    """No ZIP code and no key: we cannot tell, so we go (the drive is the business's unknown_drive_minutes)."""
    serve(db_url, radius_km=5)
    say(client, "tomorrow morning full detail", from_=PAT)
    assert say(client, "17 Faraway Rd, Marfa", from_=PAT)[0].startswith("Here's what's open for Full Detail")
    assert pat(db_url) == ("17 Faraway Rd, Marfa", None, None)


def test_a_whatsapp_pin_outside_the_radius_is_refused(client, db_url):
    serve(db_url, radius_km=20)
    whatsapp = {"from_": f"whatsapp:{PAT}", "to": "whatsapp:+15550001111"}
    say(client, "sat morning express wash", **whatsapp)
    refusal = say(client, "", Latitude="29.7604", Longitude="-95.3698", Address="Discovery Green, Houston",
                  **whatsapp)
    assert refusal == ["Sorry, we don't go as far as Discovery Green, Houston: we serve within 20 km (12 mi) of "
                       "us. Could you send another address? Or call or text (555) 000-2222 and we'll see what we "
                       "can do."]
    offers = say(client, "", Latitude="30.2672", Longitude="-97.7431", Address="Congress Ave, Austin", **whatsapp)
    assert offers[0].startswith("Here's what's open for Express Wash")
    assert pat(db_url) == ("Congress Ave, Austin", 30.2672, -97.7431)


def test_a_pin_s_zip_code_comes_from_its_address_when_that_is_where_the_pin_is(client, db_url):
    serve(db_url, zips=["78701"])
    whatsapp = {"from_": f"whatsapp:{PAT}", "to": "whatsapp:+15550001111"}
    say(client, "sat morning express wash", **whatsapp)
    refusal = say(client, "", Latitude="29.7532", Longitude="-95.3597", Address="Discovery Green, Houston TX 77010",
                  **whatsapp)[0]
    assert refusal.startswith("Sorry, we don't go as far as Discovery Green, Houston TX 77010: "
                              "we serve ZIP codes 78701.")
    # A written address far from the pin (Round Rock, 27 km from 78701's centre) tells us nothing: we cannot
    # check, so we go.
    offers = say(client, "", Latitude="30.5083", Longitude="-97.6789", Address="Home, 78701", **whatsapp)[0]
    assert offers.startswith("Here's what's open for Express Wash")
    assert pat(db_url) == ("Home, 78701", 30.5083, -97.6789)


def test_without_a_service_area_the_business_goes_anywhere(client, db_url):
    say(client, "tomorrow morning full detail", from_=PAT)
    assert say(client, "123 Elm St, Round Rock TX 78664", from_=PAT)[0].startswith("Here's what's open for Full Detail")


# With a maps key: Google's geocoding and route matrix (the local stand-in).


@pytest.fixture
def google_client(db_url, clock, google_standin):
    settings = Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        google_maps_api_key=API_KEY, google_routes_api_base=google_standin.url,
                        google_maps_api_base=google_standin.url, _env_file=None)
    with TestClient(create_app(settings, clock=clock)) as client:
        yield client


def test_google_places_the_address_and_offers_follow_the_matrix_drives(google_client, db_url, google_standin):
    serve(db_url, radius_km=20)
    google_standin.place(HOUSTON, 29.7604, -95.3698, postal_code="77002")
    google_standin.place(LAKE_AUSTIN, *LAKE_AUSTIN_AT, postal_code="78703")
    # Rush hour on the bridges: 70 minutes from Alex's base, 95 from Sam's (straight line: under 10).
    google_standin.drive(ALEX_BASE, LAKE_AUSTIN_AT, 70 * 60)
    google_standin.drive(SAM_BASE, LAKE_AUSTIN_AT, 95 * 60)

    assert say(google_client, "tomorrow morning full detail", from_=PAT) == [ASK_ADDRESS]
    assert say(google_client, HOUSTON, from_=PAT) == [
        "Sorry, we don't go as far as 500 Main St, Houston TX 77002: we serve within 20 km (12 mi) of us. "
        "Could you send another address? Or call or text (555) 000-2222 and we'll see what we can do."]
    assert google_standin.geocode_calls[0]["components"] == ["country:US"]
    assert google_standin.matrix_calls == [] and bookings(db_url) == []

    # Alex can be there at 9:10 at the earliest, so nothing starts before 9:30 (on estimates: 9:00, below).
    assert say(google_client, LAKE_AUSTIN, from_=PAT) == [
        "Here's what's open for Full Detail (3 hr, $180):\n1) Wed Mar 11, 9:30 AM\n2) Wed Mar 11, 10:30 AM\n"
        "3) Wed Mar 11, 11:30 AM\nReply 1, 2 or 3, or tell me another time."]
    assert pat(db_url) == (LAKE_AUSTIN, *LAKE_AUSTIN_AT)
    calls = google_standin.matrix_calls
    assert {c.body["departureTime"] for c in calls} == {"2026-03-11T15:00:00Z"}     # Wed 10:00 AM in Austin
    asked = {(o, d) for c in calls for o in c.origins for d in c.destinations}
    assert {(point(*ALEX_BASE), point(*LAKE_AUSTIN_AT)), (point(*SAM_BASE), point(*LAKE_AUSTIN_AT))} <= asked

    # The hold re-checks the slot with the same drives (from the cache) and keeps the coordinates.
    assert "holding Wed Mar 11, 9:30 AM" in say(google_client, "1", from_=PAT)[0]
    assert len(google_standin.matrix_calls) == len(calls)
    assert rows(db_url, "select s.name, b.lat, b.lng from booking b join staff s on s.id = b.staff_id") == [
        ("Alex", *LAKE_AUSTIN_AT)]


def test_when_google_fails_the_booking_goes_on_with_estimates(google_client, db_url, google_standin):
    google_standin.fail_with = 429
    say(google_client, "tomorrow morning full detail", from_=PAT)
    offers = say(google_client, "4500 W 6th St, Austin TX 78703", from_=PAT)[0]
    # Google's geocoder did not know it: the ZIP code placed it; the matrix refused: straight-line drives.
    assert google_standin.matrix_calls and google_standin.geocode_calls
    assert offers.startswith("Here's what's open for Full Detail (3 hr, $180):\n1) Wed Mar 11, 9:00 AM")
    assert pat(db_url)[1:] == (30.2907, -97.7648)
