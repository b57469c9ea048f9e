"""A stored booking as the customer's calendar entry (bot/domain/calendar_file.py builds the file and link)."""

from sqlmodel import Session

from bot.db.tables import Booking, Business, Customer, Service
from bot.domain.booking import BookingStatus
from bot.domain.calendar_file import CalendarEntry, calendar_status
from bot.domain.phone import pretty


def entry_of(session: Session, booking: Booking) -> CalendarEntry | None:
    """The booking's calendar entry, or None when it has none (a hold, or a request that never got firm)."""
    status = calendar_status(BookingStatus(booking.status), booking.revision)
    if status is None:
        return None
    business = session.get(Business, booking.business_id)
    service = session.get(Service, booking.service_id)
    customer = session.get(Customer, booking.customer_id)
    # The confirmation's own contact, so the calendar and the text say the same.
    contact = pretty(business.owner_phones[0]) if business.owner_phones else business.name
    location = booking.address if business.is_mobile else (business.address or None)
    return CalendarEntry(code=booking.code, service=service.name, business=business.name, contact=contact,
                         start=booking.start_at, end=booking.end_at, tz=business.time_zone, location=location,
                         sequence=booking.revision, status=status, language=customer.language)
