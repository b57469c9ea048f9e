"""Google Calendar both ways, over the database and the app: busy times keep offers off those hours (and
an outage falls back to the last answer, with a warning for the owner), and bookings become events that
follow them: one per booking, moved, re-timed and removed with it, retried when Google fails."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from googleapiclient.http import HttpMockSequence
from sqlmodel import select

from bot import bookings
from bot.adapters.google_calendar import (SERVICE_ACCOUNT, CalendarAccessLost, CalendarUnavailable, FakeCalendar,
                                          GoogleCalendar, event_id_for)
from bot.adapters.payment import LocalPayments
from bot.calendar_sync import carry_out, claim_sync, connect, record_sync, refresh_busy, sync_calendars
from bot.db.calendar_mirror import CALENDAR_SYNC
from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, DEMO_SLUG
from bot.db.session import transaction
from bot.db.tables import Booking, Business, CalendarEvent, CalendarLink, DueWork, Service, Staff
from bot.domain.availability import find_slots
from bot.domain.span import Span
from bot.schedule import slot_request
from tests.conftest import CHICAGO, DANA, replies, signed_post, twilio_form
from tests.support.calendar_standin import BACKEND_ERROR, DUPLICATE, UNAVAILABLE, event_answer

TTL = timedelta(minutes=5)
SHOP = "shop@group.calendar.google.com"      # the business's calendar, shared with the service account
ALEX = "alex@group.calendar.google.com"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def fake(app) -> FakeCalendar:
    """The app's Google Calendar (and the dispatcher's): a FakeCalendar for every connected account."""
    app.state.adapters.calendars = fake = FakeCalendar()
    return fake


def business_of(session) -> Business:
    return session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()


def staff_id(session, name: str) -> int:
    return session.exec(select(Staff.id).where(Staff.name == name)).one()


def link(db_url, clock, calendar_id: str = SHOP, *, technician: str | None = None) -> int:
    with transaction(db_url) as session:
        business = business_of(session)
        staff = None if technician is None else staff_id(session, technician)
        return connect(session, business, staff_id=staff, calendar_id=calendar_id, auth_kind=SERVICE_ACCOUNT,
                       now=clock()).id


def book(db_url, clock, start: datetime, *, technician: str = "Alex", service: str = "Full Detail") -> int:
    """A booking the owner makes for Dana Kim (confirmed at once), as the owner API and page make it."""
    with transaction(db_url) as session:
        business = business_of(session)
        service_id = session.exec(select(Service.id).where(Service.name == service)).one()
        booking = bookings.book(session, business, bookings.ManualBooking(
            service_id=service_id, start_at=start, phone=DANA, name="Dana Kim",
            technician_id=staff_id(session, technician)), now=clock())
        return booking.id


def reschedule(db_url, clock, booking_id: int, start: datetime, *, technician: str | None = None) -> None:
    with transaction(db_url) as session:
        bookings.reschedule(session, business_of(session), session.get(Booking, booking_id), start, now=clock(),
                            technician_id=None if technician is None else staff_id(session, technician),
                            text_customer=False)


def cancel(db_url, clock, booking_id: int) -> None:
    with transaction(db_url) as session:
        bookings.cancel(session, business_of(session), session.get(Booking, booking_id), now=clock(),
                        payments=LocalPayments("https://bot.example.com"))


def syncs(db_url, booking_id: int) -> list[tuple]:
    with transaction(db_url) as session:
        return [(r.due_at, r.done_at is not None, r.attempts) for r in session.exec(
            select(DueWork).where(DueWork.booking_id == booking_id, DueWork.kind == CALENDAR_SYNC).order_by(DueWork.id))]


def held(db_url, booking_id: int) -> CalendarEvent:
    with transaction(db_url) as session:
        return session.exec(select(CalendarEvent).where(CalendarEvent.booking_id == booking_id)).one()


def code_of(db_url, booking_id: int) -> str:
    with transaction(db_url) as session:
        return session.get(Booking, booking_id).code


def owner_page(app) -> str:
    with TestClient(app, base_url="https://testserver") as browser:
        form = browser.get("/owner/login")
        browser.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                           "csrf_token": CSRF.search(form.text).group(1)})
        return browser.get("/owner/day").text


# Events

def test_a_confirmed_booking_becomes_one_event_on_the_business_calendar(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    assert syncs(db_url, booking_id) == [(clock(), False, 0)]
    sync_calendars(db_url, fake, clock=clock)
    code = code_of(db_url, booking_id)
    [event] = fake.live(SHOP)
    assert event == {
        "id": event_id_for(code), "summary": "Full Detail - Dana K.", "location": "1100 Congress Ave, Austin, TX",
        "description": f"Dana Kim: (555) 010-0001\nBooking code: {code}\nTechnician: Alex\n"
                       "Booked with Shine Mobile Detailing.",
        "start": {"dateTime": "2026-03-11T14:00:00-05:00", "timeZone": "America/Chicago"},
        "end": {"dateTime": "2026-03-11T17:00:00-05:00", "timeZone": "America/Chicago"},
        "status": "confirmed", "transparency": "opaque",
        "extendedProperties": {"private": {"bookingId": str(booking_id)}}}
    assert [done for _, done, _ in syncs(db_url, booking_id)] == [True]
    mirror = held(db_url, booking_id)
    assert (mirror.calendar_id, mirror.start_at, mirror.lease_token) == (SHOP, local(11, 14), None)


def test_bookings_of_a_business_without_a_calendar_queue_nothing(db_url, clock, fake):
    booking_id = book(db_url, clock, local(11, 14))
    assert syncs(db_url, booking_id) == []


def test_a_moved_booking_moves_its_event_and_a_cancelled_one_removes_it(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    sync_calendars(db_url, fake, clock=clock)
    reschedule(db_url, clock, booking_id, local(12, 9))
    sync_calendars(db_url, fake, clock=clock)
    [event] = fake.live(SHOP)
    assert event["start"]["dateTime"] == "2026-03-12T09:00:00-05:00"
    assert [m for m, _ in fake.calls] == ["upsert", "upsert"] and len(fake.created) == 1
    cancel(db_url, clock, booking_id)
    sync_calendars(db_url, fake, clock=clock)
    assert fake.live() == [] and [m for m, _ in fake.calls] == ["upsert", "upsert", "delete"]
    assert held(db_url, booking_id).link_id is None


def test_a_technicians_own_calendar_takes_their_bookings_and_a_new_technician_moves_the_event(db_url, clock, fake):
    link(db_url, clock)
    link(db_url, clock, ALEX, technician="Alex")
    booking_id = book(db_url, clock, local(11, 14), technician="Alex")
    sync_calendars(db_url, fake, clock=clock)
    assert [e["summary"] for e in fake.live(ALEX)] == ["Full Detail - Dana K."] and fake.live(SHOP) == []
    reschedule(db_url, clock, booking_id, local(11, 14), technician="Sam")
    sync_calendars(db_url, fake, clock=clock)
    assert fake.live(ALEX) == [] and [e["summary"] for e in fake.live(SHOP)] == ["Full Detail - Dana K."]
    assert fake.calls[-2:] == [("delete", ALEX), ("upsert", SHOP)]


def test_a_texted_hold_goes_on_the_calendar_when_paid_not_before(db_url, clock, fake, client, dispatcher):
    """The deposit request changes its hold without the ORM (queries.keep_unconfirmed): as through the ORM, a hold
    waiting for its deposit queues no sync and raises no revision; paying confirms it and queues the one sync."""
    link(db_url, clock)
    signed_post(client, twilio_form("tomorrow afternoon, full detail"))
    signed_post(client, twilio_form("2"))
    pay = replies(signed_post(client, twilio_form("Dana")))[0].split("/pay/")[1].split()[0]
    with transaction(db_url) as session:
        booking = session.exec(select(Booking)).one()
    assert (booking.status, booking.revision) == ("awaiting_payment", 0)
    assert syncs(db_url, booking.id) == []
    client.post(f"/pay/{pay}")
    dispatcher.tick()
    assert [done for _, done, _ in syncs(db_url, booking.id)] == [True]
    assert fake.live(SHOP)[0]["start"]["dateTime"] == "2026-03-11T14:00:00-05:00"


def test_a_change_the_event_does_not_show_sends_nothing(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    sync_calendars(db_url, fake, clock=clock)
    with transaction(db_url) as session:     # the owner's note is in the description; the deposit is not
        booking = session.get(Booking, booking_id)
        booking.deposit_cents, booking.updated_at = 5000, clock()
        session.add(DueWork(kind=CALENDAR_SYNC, booking_id=booking_id, due_at=clock()))
    sync_calendars(db_url, fake, clock=clock)
    assert len(fake.calls) == 1


def test_google_failing_is_retried_with_backoff_and_never_makes_two_events(db_url, clock, app):
    """The first insert reaches Google but its answer is a 503; the retry meets the event (409) and patches it."""
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    http = HttpMockSequence([({"status": "503"}, json.dumps(UNAVAILABLE)), ({"status": "409"}, json.dumps(DUPLICATE)),
                             ({"status": "200"}, json.dumps(event_answer({"summary": "Full Detail - Dana K."})))])
    calendar = GoogleCalendar.connect(http=http)
    sync_calendars(db_url, lambda access: calendar, clock=clock)
    assert syncs(db_url, booking_id) == [(clock() + timedelta(minutes=1), False, 1)]
    assert "503" in held(db_url, booking_id).last_error
    assert "Booking #1 (Wed Mar 11, 2:00 PM) is not as it should be on Google Calendar: 503" in owner_page(app)
    sync_calendars(db_url, lambda access: calendar, clock=clock)      # not due yet
    assert len(http.request_sequence) == 1
    clock.advance(timedelta(minutes=1))
    sync_calendars(db_url, lambda access: calendar, clock=clock)
    ids = {uri.split("/events")[1].split("?")[0] for uri, *_ in http.request_sequence}
    assert [m for _, m, *_ in http.request_sequence] == ["POST", "POST", "PATCH"]
    assert ids == {"", f"/{event_id_for(code_of(db_url, booking_id))}"}   # inserts carry the id in the body
    assert [json.loads(body).get("id") for _, m, body, _ in http.request_sequence if m == "POST"] == [
        event_id_for(code_of(db_url, booking_id))] * 2
    assert [(done, attempts) for _, done, attempts in syncs(db_url, booking_id)] == [(True, 2)]
    assert held(db_url, booking_id).last_error == "" and "Google Calendar:" not in owner_page(app)


def test_a_sync_gives_up_after_the_last_attempt(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    fake.failures.extend(CalendarUnavailable("500 Backend Error") for _ in range(10))
    for _ in range(10):
        sync_calendars(db_url, fake, clock=clock)
        clock.advance(timedelta(hours=1))
    assert [(done, attempts) for _, done, attempts in syncs(db_url, booking_id)] == [(True, 10)]
    assert held(db_url, booking_id).failures == 10 and fake.live() == []


def test_a_revoked_grant_marks_the_calendar_for_reconnecting(db_url, clock, fake, app):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    fake.failures.append(CalendarAccessLost("token refresh: invalid_grant: Token has been expired or revoked."))
    sync_calendars(db_url, fake, clock=clock)
    assert [done for _, done, _ in syncs(db_url, booking_id)] == [True]     # retrying cannot help
    with transaction(db_url) as session:
        assert session.exec(select(CalendarLink.needs_reconnect)).one() is True
    assert "Google Calendar needs connecting again (Google refused our access since 9:15 AM)" in owner_page(app)
    link(db_url, clock)                                           # connected again: upcoming bookings go on it
    sync_calendars(db_url, fake, clock=clock)
    assert [e["summary"] for e in fake.live(SHOP)] == ["Full Detail - Dana K."]


def test_a_cancellation_that_met_a_revoked_grant_is_done_after_reconnecting(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    sync_calendars(db_url, fake, clock=clock)
    cancel(db_url, clock, booking_id)
    fake.failures.append(CalendarAccessLost("token refresh: invalid_grant"))
    sync_calendars(db_url, fake, clock=clock)
    assert len(fake.live(SHOP)) == 1
    link(db_url, clock)
    sync_calendars(db_url, fake, clock=clock)
    assert fake.live() == [] and held(db_url, booking_id).last_error == ""


def test_a_change_while_google_is_being_called_is_synced_right_after(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    with transaction(db_url) as session:
        _, plan = claim_sync(session, now=clock())
    with transaction(db_url) as session:     # the lease: nobody else changes this event meanwhile
        assert claim_sync(session, now=clock()) == (False, None)
    reschedule(db_url, clock, booking_id, local(12, 9))          # the owner moves it while the insert is out
    outcome = carry_out(plan, fake)
    with transaction(db_url) as session:
        record_sync(session, plan, outcome, now=clock())
    assert [(due, done) for due, done, _ in syncs(db_url, booking_id)] == [(clock(), False)]
    sync_calendars(db_url, fake, clock=clock)
    [event] = fake.live()
    assert event["start"]["dateTime"] == "2026-03-12T09:00:00-05:00" and len(fake.created) == 1


def test_cancelling_while_a_sync_waits_to_retry_still_removes_the_event(db_url, clock, fake):
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14))
    sync_calendars(db_url, fake, clock=clock)
    reschedule(db_url, clock, booking_id, local(12, 9))
    fake.failures.append(CalendarUnavailable("503"))
    sync_calendars(db_url, fake, clock=clock)                    # waits a minute to retry
    cancel(db_url, clock, booking_id)                            # closes the booking's open due work
    sync_calendars(db_url, fake, clock=clock)
    assert fake.live() == [] and fake.calls[-1] == ("delete", SHOP)


def test_the_dispatcher_loop_syncs_and_refreshes(db_url, clock, fake, dispatcher):
    link(db_url, clock)
    fake.busy_times[SHOP] = [Span(local(13, 9), local(13, 10))]
    book(db_url, clock, local(11, 14))
    dispatcher.tick()
    assert len(fake.live(SHOP)) == 1 and ("freebusy", SHOP) in fake.calls


# Busy times

def offers(client, text: str = "tomorrow afternoon, full detail") -> str:
    return replies(signed_post(client, twilio_form(text)))[0]


def test_offers_skip_what_the_business_calendar_says_is_busy(db_url, clock, fake, client):
    assert "2) Wed Mar 11, 2:00 PM" in offers(client)       # free without the calendar
    link(db_url, clock)
    fake.busy_times[SHOP] = [Span(local(11, 14), local(11, 14, 30))]   # a dentist appointment, say
    signed_post(client, twilio_form("stop"))                  # start the conversation afresh
    signed_post(client, twilio_form("start"))
    assert refresh_busy(db_url, fake, now=clock(), ttl=TTL) == 1
    text = offers(client)
    # A 3-hour job starting at 12:00 or 2:00 would overlap 2:00-2:30: neither is offered any more.
    assert "12:00 PM" not in text and "2:00 PM" not in text and "Wed Mar 11, 2:30 PM" in text


def slots_by_technician(db_url, clock, day: int) -> dict[str, list[datetime]]:
    with transaction(db_url) as session:
        business = business_of(session)
        service = session.exec(select(Service).where(Service.name == "Full Detail")).one()
        names = {s.id: s.name for s in session.exec(select(Staff))}
        request = slot_request(session, business, service, windows=[Span(local(day, 12), local(day, 17))],
                               now=clock(), place=None)
        found: dict[str, list[datetime]] = {}
        for slot in find_slots(request):
            found.setdefault(names[slot.staff_id], []).append(slot.start.astimezone(CHICAGO))
        return found


def test_a_technicians_busy_time_blocks_only_them(db_url, clock, fake):
    link(db_url, clock, ALEX, technician="Alex")
    fake.busy_times[ALEX] = [Span(local(11, 12), local(11, 18))]
    refresh_busy(db_url, fake, now=clock(), ttl=TTL)
    found = slots_by_technician(db_url, clock, 11)
    assert "Alex" not in found and found["Sam"][0] == local(11, 12)


def test_our_own_events_do_not_count_as_busy(db_url, clock, fake):
    """Google reports the events we wrote as busy too; they must not block the other technician (events on
    the business calendar) or the booking itself."""
    link(db_url, clock)
    booking_id = book(db_url, clock, local(11, 14), technician="Alex")
    sync_calendars(db_url, fake, clock=clock)
    fake.busy_times[SHOP] = [Span(local(11, 14), local(11, 17))]      # our event, as freebusy shows it
    clock.advance(TTL)
    refresh_busy(db_url, fake, now=clock(), ttl=TTL)
    assert local(11, 14) in slots_by_technician(db_url, clock, 11)["Sam"]
    # Read before a move, Google shows our event at the old time; read after it, at the new one.
    clock.advance(timedelta(minutes=1))
    reschedule(db_url, clock, booking_id, local(11, 14, 30))
    sync_calendars(db_url, fake, clock=clock)
    assert local(11, 14) in slots_by_technician(db_url, clock, 11)["Sam"]
    fake.busy_times[SHOP] = [Span(local(11, 14, 30), local(11, 17, 30))]
    clock.advance(TTL)
    refresh_busy(db_url, fake, now=clock(), ttl=TTL)
    assert local(11, 14) in slots_by_technician(db_url, clock, 11)["Sam"]


def test_when_google_cannot_be_read_offers_use_the_last_answer_and_the_owner_is_told(db_url, clock, fake, client, app):
    link(db_url, clock)
    fake.busy_times[SHOP] = [Span(local(11, 14), local(11, 14, 30))]
    refresh_busy(db_url, fake, now=clock(), ttl=TTL)
    clock.advance(timedelta(minutes=6))
    fake.failures.append(CalendarUnavailable("503 The service is currently unavailable."))
    fake.busy_times[SHOP] = []                                   # what Google would say, if it answered
    assert refresh_busy(db_url, fake, now=clock(), ttl=TTL) == 1
    text = offers(client)
    assert "12:00 PM" not in text and "2:00 PM" not in text     # the last answer still holds
    assert ("Google Calendar could not be read since 9:21 AM; offers use what it said then." in owner_page(app))
    clock.advance(timedelta(minutes=6))
    refresh_busy(db_url, fake, now=clock(), ttl=TTL)           # Google is back
    assert "could not be read" not in owner_page(app)


def test_a_calendar_google_cannot_find_keeps_its_last_answer(db_url, clock, fake):
    class Missing(FakeCalendar):
        def busy(self, calendar_ids, span):
            from bot.adapters.google_calendar import FreeBusy
            return FreeBusy({}, {c: "notFound" for c in calendar_ids})

    link(db_url, clock)
    refresh_busy(db_url, Missing(), now=clock(), ttl=TTL)
    with transaction(db_url) as session:
        found = session.exec(select(CalendarLink)).one()
        assert (found.busy, found.error_since, "notFound" in found.last_error) == (None, clock(), True)
