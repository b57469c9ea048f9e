"""Google Calendar's storage on a real PostgreSQL server: the listener's locked look-up of an open sync, the
sync claim (SKIP LOCKED) and its lease, busy times read from the cache."""

from datetime import datetime, timedelta

from sqlmodel import select

from bot import bookings
from bot.adapters.google_calendar import SERVICE_ACCOUNT, FakeCalendar
from bot.adapters.payment import LocalPayments
from bot.calendar_sync import carry_out, claim_sync, connect, record_sync, refresh_busy, sync_calendars
from bot.db.seed import DEMO_SLUG, prepare
from bot.db.session import transaction
from bot.db.tables import Booking, Business, Service, Staff
from bot.domain.span import Span
from bot.schedule import slot_request
from bot.domain.availability import find_slots
from tests.conftest import CHICAGO, DANA, TUESDAY_MORNING, Clock, rows

SHOP = "shop@group.calendar.google.com"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=CHICAGO)


def test_events_follow_bookings_and_busy_times_block_offers_on_postgres(postgres_url):
    prepare(postgres_url)
    clock, fake = Clock(TUESDAY_MORNING), FakeCalendar()
    with transaction(postgres_url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        connect(session, business, staff_id=None, calendar_id=SHOP, auth_kind=SERVICE_ACCOUNT, now=clock())
        service = session.exec(select(Service).where(Service.name == "Full Detail")).one()
        alex = session.exec(select(Staff).where(Staff.name == "Alex")).one()
        booking = bookings.book(session, business, bookings.ManualBooking(
            service_id=service.id, start_at=at(11, 14), phone=DANA, name="Dana Kim", technician_id=alex.id),
            now=clock())
    with transaction(postgres_url) as session:
        _, plan = claim_sync(session, now=clock())
    with transaction(postgres_url) as session:
        assert claim_sync(session, now=clock()) == (False, None)       # leased
    with transaction(postgres_url) as session:                        # the owner moves it meanwhile
        bookings.reschedule(session, session.get(Business, business.id), session.get(Booking, booking.id), at(12, 9),
                            now=clock(), text_customer=False)
    with transaction(postgres_url) as session:
        record_sync(session, plan, carry_out(plan, fake), now=clock())
    sync_calendars(postgres_url, fake, clock=clock)
    [event] = fake.live(SHOP)
    assert event["start"]["dateTime"] == "2026-03-12T09:00:00-05:00" and len(fake.created) == 1

    fake.busy_times[SHOP] = [Span(at(11, 12), at(11, 18))]
    clock.advance(timedelta(minutes=1))
    assert refresh_busy(postgres_url, fake, now=clock(), ttl=timedelta(minutes=5)) == 1
    with transaction(postgres_url) as session:
        request = slot_request(session, session.get(Business, business.id), session.get(Service, service.id),
                               windows=[Span(at(11, 12), at(11, 17))], now=clock(), place=None)
        assert find_slots(request) == []

    with transaction(postgres_url) as session:
        bookings.cancel(session, session.get(Business, business.id), session.get(Booking, booking.id), now=clock(),
                        payments=LocalPayments("https://bot.example.com"))
    sync_calendars(postgres_url, fake, clock=clock)
    assert fake.live() == []
    assert rows(postgres_url, "select count(*) from due_work where kind = 'calendar.sync' and done_at is null") == [(0,)]
