"""A customer's own bookings, changed by text: confirm attendance, move, cancel, wait for earlier.

Shell functions over the turn's open transaction (FrontDesk delegates here). Moving keeps the booking
row, so its deposit, code and history stay; its reminders are planned again for the new time, and
the time it leaves is offered to the waitlist, as is the time of a cancelled booking.
"""

from datetime import datetime

from sqlmodel import Session

from bot import waitlist
from bot.adapters.maps import TravelMatrix
from bot.adapters.payment import PaymentGateway
from bot.cancellation import Cancellation, cancel_booking
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, Service
from bot.domain.booking import FIRM, HOLDING, BookingStatus
from bot.domain.phone import pretty
from bot.domain.travel import Place, TravelTimes, place_at
from bot.domain.wording import money_text, when_text
from bot.outbox import queue_owner_text
from bot.reminders import APPROVAL_EXPIRY, plan_reminders
from bot.schedule import free_at


def upcoming(session: Session, customer: Customer, *, now: datetime) -> list[Booking]:
    """Firm bookings still ahead, and holds still in force, soonest first."""
    rows = queries.upcoming_bookings(session, customer_id=customer.id, now=now, statuses=[*FIRM, *HOLDING])
    return [b for b in rows if b.status in FIRM or (b.hold_expires_at and b.hold_expires_at > now)]


def place_of(booking: Booking) -> Place | None:
    return place_at(booking.address, booking.lat, booking.lng)


def confirm_attendance(booking: Booking, *, now: datetime) -> bool:
    if booking.status != BookingStatus.CONFIRMED:
        return False
    booking.attendance_confirmed_at = booking.attendance_confirmed_at or now
    return True


def move(session: Session, business: Business, booking: Booking, start: datetime, *, now: datetime,
         travel: TravelTimes | TravelMatrix | None = None) -> bool:
    """Move a firm booking to `start` if a technician can take it there (re-checked under the write lock)."""
    if booking.status not in FIRM:
        return False
    service = session.get(Service, booking.service_id)
    slot = free_at(session, business, service, start, now=now, place=place_of(booking),
                   exclude_booking_id=booking.id, travel=travel)
    if slot is None:
        return False
    old_start = booking.start_at
    booking.start_at, booking.end_at, booking.staff_id = start, slot.end, slot.staff_id
    booking.attendance_confirmed_at, booking.updated_at = None, now
    if booking.status == BookingStatus.CONFIRMED:
        plan_reminders(session, booking, business, now=now)
    else:
        for due in queries.open_due_work_of(session, booking_id=booking.id, kinds=(APPROVAL_EXPIRY,)):
            due.due_at = min(due.due_at, start)
    customer = session.get(Customer, booking.customer_id)
    queue_owner_text(session, business, f"Moved by the customer: {customer.name or 'a customer'} "
                                        f"({pretty(customer.phone)}), {service.name}, from "
                                        f"{when_text(old_start, business.time_zone)} to "
                                        f"{when_text(start, business.time_zone)}.", now=now)
    session.flush()
    waitlist.offer_slot(session, business, old_start, now=now, skip_customer_id=booking.customer_id)
    return True


def cancel(session: Session, business: Business, booking: Booking, *, now: datetime,
           payments: PaymentGateway) -> Cancellation:
    """The customer cancels: the policy applies, the owner hears of it, a firm slot goes to the waitlist."""
    was_firm = booking.status in FIRM
    outcome = cancel_booking(session, booking, business, now=now, by_owner=False, payments=payments)
    waitlist.close_for_booking(session, booking)
    if was_firm:
        customer = session.get(Customer, booking.customer_id)
        service = session.get(Service, booking.service_id)
        kept = (f" Deposit kept under your policy: {money_text(outcome.kept_cents, business.currency)}."
                if outcome.kept_cents else "")
        queue_owner_text(session, business, f"Cancelled by the customer: {customer.name or 'a customer'} "
                                            f"({pretty(customer.phone)}), {service.name}, "
                                            f"{when_text(booking.start_at, business.time_zone)}.{kept}", now=now)
        session.flush()
        waitlist.offer_freed_slot(session, business, booking, now=now)
    return outcome
