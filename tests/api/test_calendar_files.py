"""The "add to calendar" links in the customer's texts, followed as their phone would: GET /b/{code}.ics gives
an iCalendar file of the booking, GET /b/{code}/google sends them to Google Calendar's filled-in page. A
move keeps the event's UID and raises its SEQUENCE, whoever moves it; a cancellation cancels it.

The clock starts on Tuesday 10 March 2026, 9:15 AM in Chicago (CDT since 8 March)."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.conftest import DANA, LEE, OWNER, PUBLIC_BASE, execute, replies, rows, signed_post, twilio_form
from tests.conversations.support import book, say, texts_to
from tests.support.owner import auth, requires_approval, texted_request, token  # noqa: F401 (fixtures)

CHICAGO = ZoneInfo("America/Chicago")
LINKS = re.compile(re.escape(PUBLIC_BASE) + r"/b/[A-Za-z0-9_-]+(?:\.ics|/google)")


def links_in(text: str) -> tuple[str, str]:
    """The .ics and Google links a text carries, as paths to fetch."""
    ics, google = LINKS.findall(text)
    assert ics.endswith(".ics") and google.endswith("/google")
    return urlsplit(ics).path, urlsplit(google).path


def calendar_at(client, path: str) -> Calendar:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def event_at(client, path: str):
    [event] = calendar_at(client, path).events
    return event


def code_of(db_url: str, phone: str, status: str = "confirmed") -> str:
    [(code,)] = rows(db_url, "select b.code from booking b join customer c on c.id = b.customer_id "
                             "where c.phone = :p and b.status = :s", p=phone, s=status)
    return code


def start_of(db_url: str, code: str) -> datetime:
    [(start,)] = rows(db_url, "select start_at from booking where code = :c", c=code)
    return datetime.fromisoformat(start).replace(tzinfo=UTC)


def test_the_confirmation_after_the_deposit_links_to_the_booking_in_a_calendar_file(client, db_url, dispatcher):
    book(client, dispatcher, "tomorrow 2pm full detail")
    [(confirmation, _)] = texts_to(db_url, DANA, kind="confirmation")
    ics, google = links_in(confirmation)
    code = code_of(db_url, DANA)
    assert ics == f"/b/{code}.ics" and google == f"/b/{code}/google"
    assert re.fullmatch(r"[A-Za-z0-9_-]{16}", code)   # secrets.token_urlsafe(12): 96 random bits

    response = client.get(ics)
    assert response.headers["content-disposition"] == 'attachment; filename="shine-mobile-detailing-2026-03-11.ics"'
    assert response.headers["cache-control"] == "no-store"
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.events
    assert calendar["METHOD"] == "PUBLISH"
    assert [tz["TZID"] for tz in calendar.timezones] == ["America/Chicago"]
    # 2:00 PM on Wed 11 March is CDT (UTC-5): DST began on the 8th.
    assert event.start == datetime(2026, 3, 11, 14, 0, tzinfo=CHICAGO)
    assert (event.start.astimezone(UTC), event.end.astimezone(UTC)) == (datetime(2026, 3, 11, 19, tzinfo=UTC),
                                                                        datetime(2026, 3, 11, 22, tzinfo=UTC))
    assert (event["SUMMARY"], event["LOCATION"]) == ("Full Detail - Shine Mobile Detailing",
                                                     "1100 Congress Ave, Austin, TX")
    assert (event["UID"], event["SEQUENCE"], event["STATUS"]) == (f"booking-{code}@bot.example.com", 0, "CONFIRMED")
    assert "(555) 000-2222" in event["DESCRIPTION"] and code in event["DESCRIPTION"]
    technicians = [name for (name,) in rows(db_url, "select name from staff")]
    assert not any(name in response.text for name in technicians)

    redirect = client.get(google, follow_redirects=False)
    assert redirect.status_code == 302
    target = urlsplit(redirect.headers["location"])
    assert (target.netloc, target.path) == ("calendar.google.com", "/calendar/render")
    query = parse_qs(target.query)
    assert (query["action"], query["dates"], query["ctz"]) == (
        ["TEMPLATE"], ["20260311T190000Z/20260311T220000Z"], ["America/Chicago"])
    assert (query["text"], query["location"]) == (["Full Detail - Shine Mobile Detailing"],
                                                  ["1100 Congress Ave, Austin, TX"])


def test_every_move_keeps_the_uid_and_raises_the_sequence_and_a_cancellation_cancels(client, db_url, dispatcher,
                                                                                    auth):
    book(client, dispatcher, "tomorrow 2pm full detail")
    code = code_of(db_url, DANA)
    first = event_at(client, f"/b/{code}.ics")
    assert first["SEQUENCE"] == 0

    # The customer moves it by text: the reply carries the links to the file's new version.
    say(client, "can I move it to friday")
    moved = say(client, "2")[0]
    assert moved.startswith("Done! Your Full Detail is moved to Fri Mar 13")
    ics, _ = links_in(moved)
    by_text = event_at(client, ics)
    assert (by_text["UID"], by_text["SEQUENCE"]) == (first["UID"], 1)
    assert by_text.start.astimezone(UTC) == start_of(db_url, code) != first.start.astimezone(UTC)

    # The owner moves it (the API), then gives it to the other technician at the same time.
    [(booking_id, staff_id)] = rows(db_url, "select id, staff_id from booking where code = :c", c=code)
    assert client.post(f"/api/v1/bookings/{booking_id}/reschedule", headers=auth,
                       json={"start_at": "2026-03-12T10:00"}).status_code == 200
    by_owner = event_at(client, ics)
    assert (by_owner["UID"], by_owner["SEQUENCE"]) == (first["UID"], 2)
    assert by_owner.start == datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO)
    owner_moved = texts_to(db_url, DANA, kind="owner_moved")[-1][0]
    assert links_in(owner_moved)[0] == ics
    [(staff_id,)] = rows(db_url, "select staff_id from booking where code = :c", c=code)
    other = 1 if staff_id == 2 else 2
    assert client.post(f"/api/v1/bookings/{booking_id}/reschedule", headers=auth,
                       json={"start_at": "2026-03-12T10:00", "technician_id": other,
                             "text_customer": False}).status_code == 200
    assert event_at(client, ics)["SEQUENCE"] == 3

    say(client, "cancel my appointment")
    say(client, "yes")
    calendar = calendar_at(client, ics)
    [cancelled] = calendar.events
    assert calendar["METHOD"] == "CANCEL"
    assert (cancelled["UID"], cancelled["SEQUENCE"], cancelled["STATUS"]) == (first["UID"], 4, "CANCELLED")
    assert cancelled.start == datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO)
    gone = client.get(f"/b/{code}/google", follow_redirects=False)
    assert (gone.status_code, gone.text) == (410, "This booking was cancelled.")


def test_a_waitlist_move_raises_the_sequence_too(client, db_url, dispatcher):
    execute(db_url, "update staff set active = false where name = 'Sam'")  # one van: a freed slot is scarce
    book(client, dispatcher, "tomorrow 2pm full detail")
    book(client, dispatcher, "friday 2pm full detail", from_=LEE, name="Lee")
    lee = code_of(db_url, LEE)
    say(client, "text me if anything earlier opens", from_=LEE)
    say(client, "cancel my appointment")
    say(client, "yes")
    dispatcher.tick()
    ics, _ = links_in(say(client, "yes", from_=LEE)[0])
    assert ics == f"/b/{lee}.ics"
    event = event_at(client, ics)
    assert (event["SEQUENCE"], event.start) == (1, datetime(2026, 3, 11, 14, 0, tzinfo=CHICAGO))


@pytest.mark.parametrize("path", [
    "/b/nosuchbooking.ics", "/b/nosuchbooking/google", "/b/" + "A" * 32 + ".ics", "/b/" + "A" * 5000 + ".ics",
    "/b/" + "A" * 5000 + "/google", "/b/%00.ics", "/b/x'%20or%20'1'='1.ics", "/b/%F0%9F%93%85.ics",
])
def test_anything_but_a_booking_code_is_a_plain_404(client, path):
    response = client.get(path, follow_redirects=False)
    assert (response.status_code, response.headers["content-type"], response.text) == (
        404, "text/plain; charset=utf-8", "No booking has this link.")


@pytest.mark.parametrize("path", ["/b/.ics", "/b/..%2F..%2Fetc%2Fpasswd.ics", "/b/abc", "/b/abc.ICS"])
def test_paths_that_are_no_calendar_link_at_all_are_the_app_s_404(client, path):
    assert client.get(path, follow_redirects=False).status_code == 404


def test_a_hold_has_no_calendar_file_until_it_is_firm(client, db_url, dispatcher):
    say(client, "tomorrow 2pm full detail")
    say(client, "1")
    code = code_of(db_url, DANA, status="held")
    for path in (f"/b/{code}.ics", f"/b/{code}/google"):
        assert (client.get(path).status_code, client.get(path).text) == (404, "No booking has this link.")
    link = say(client, "Dana")[0]
    assert code_of(db_url, DANA, status="awaiting_payment") == code
    assert client.get(f"/b/{code}.ics").status_code == 404
    # A hold that ends was never on a calendar: no "cancelled" file for it either.
    execute(db_url, "update booking set status = 'cancelled' where code = :c", c=code)
    assert client.get(f"/b/{code}.ics").status_code == 404
    assert "/b/" not in link


def test_a_request_waiting_for_approval_is_tentative_and_the_approval_brings_the_links(client, db_url, dispatcher,
                                                                                      auth):
    requires_approval(db_url)
    texted_request(client, DANA)
    texted_request(client, LEE, text="tomorrow afternoon, interior", pick="1", name="Lee")
    dispatcher.tick()
    dana, lee = code_of(db_url, DANA, "pending_approval"), code_of(db_url, LEE, "pending_approval")
    assert event_at(client, f"/b/{dana}.ics")["STATUS"] == "TENTATIVE"
    assert "/b/" not in texts_to(db_url, DANA, kind="pending_approval")[0][0]

    # The owner approves by text.
    [(dana_id,)] = rows(db_url, "select id from booking where code = :c", c=dana)
    assert "approved" in replies(signed_post(client, twilio_form(f"Y {dana_id}", from_=OWNER)))[0].lower()
    [(confirmation, _)] = texts_to(db_url, DANA, kind="confirmation")
    assert links_in(confirmation)[0] == f"/b/{dana}.ics"
    approved = event_at(client, f"/b/{dana}.ics")
    assert (approved["STATUS"], approved["SEQUENCE"]) == ("CONFIRMED", 0)

    # A declined request was on the customer's calendar as tentative: its file now cancels it.
    [(lee_id,)] = rows(db_url, "select id from booking where code = :c", c=lee)
    assert client.post(f"/api/v1/bookings/{lee_id}/decline", headers=auth, json={"reason": "no"}).status_code == 200
    calendar = calendar_at(client, f"/b/{lee}.ics")
    assert (calendar["METHOD"], calendar.events[0]["STATUS"], calendar.events[0]["SEQUENCE"]) == (
        "CANCEL", "CANCELLED", 1)


def test_a_booking_without_a_deposit_is_confirmed_in_the_thread_with_the_links(client, db_url):
    execute(db_url, "update service set deposit_policy = 'none', deposit_cents = 0")
    say(client, "tomorrow 2pm full detail")
    say(client, "1")
    confirmed = say(client, "Dana")[0]
    assert confirmed.startswith("Thanks Dana! You're confirmed!")
    event = event_at(client, links_in(confirmed)[0])
    assert event.start == datetime(2026, 3, 11, 14, 0, tzinfo=CHICAGO)


def test_a_shop_puts_its_own_address_on_the_event(client, db_url, auth):
    execute(db_url, "update business set is_mobile = false, address = '200 Main St, Austin, TX'")
    made = client.post("/api/v1/bookings", headers=auth, json={
        "service_id": 1, "start_at": "2026-03-12T10:00", "phone": "+1 512 555 0100", "text_customer": True})
    assert made.status_code == 201, made.text
    [(text,)] = rows(db_url, "select body from message where phone = '+15125550100'")
    event = event_at(client, links_in(text)[0])
    assert event["LOCATION"] == "200 Main St, Austin, TX"
    assert event.start == datetime(2026, 3, 12, 10, 0, tzinfo=CHICAGO)


def test_the_revision_column_defaults_to_zero_for_rows_written_without_it(db_url):
    execute(db_url, "insert into booking (code, business_id, customer_id, staff_id, service_id, status, channel, "
                    "start_at, end_at, deposit_cents, seats, created_at, updated_at, origin, forced, group_seat, note) "
                    "select 'rawrow', 1, c.id, 1, 1, 'confirmed', 'sms', '2026-03-12 15:00:00.000000', "
                    "'2026-03-12 16:00:00.000000', 0, 1, '2026-03-10 00:00:00.000000', '2026-03-10 00:00:00.000000', "
                    "'phone', 0, 0, '' from customer c limit 1")
    assert rows(db_url, "select revision from booking where code = 'rawrow'") == [(0,)]
