"""The waitlist: "text me if anything earlier opens".

When a firm booking is cancelled (or moved away, or lapses unapproved), its start is offered to the
waiting customers in the order they joined: the first one it suits gets a short hold on it and a
text; a "no" or silence passes it to the next. A customer with a booking is offered a move; one
without goes on to the name and deposit like any booking.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.db import queries
from bot.db.tables import Booking, Business, Customer, DueWork, Service, WaitlistEntry
from bot.domain.booking import FIRM, BookingStatus, checked_move
from bot.domain.phone import Channel
from bot.domain.travel import Place, place_at
from bot.domain.wording import notice, when_text
from bot.outbox import queue_text, steer
from bot.reminders import HOLD_EXPIRY, WAITLIST_EXPIRY
from bot.schedule import free_at

log = logging.getLogger(__name__)
WAITING, OFFERED, BOOKED, CLOSED = "waiting", "offered", "booked", "closed"


def join(session: Session, *, customer: Customer, service: Service, channel: Channel, before_at: datetime,
         booking_id: int | None, now: datetime) -> WaitlistEntry:
    """Put the customer on the waitlist (once: asking again updates their entry, keeping their place)."""
    for entry in queries.waitlist_of(session, customer_id=customer.id, statuses=(WAITING, OFFERED)):
        if entry.service_id == service.id and entry.booking_id == booking_id:
            entry.before_at, entry.channel = before_at, channel.value
            return entry
    entry = WaitlistEntry(business_id=customer.business_id, customer_id=customer.id, service_id=service.id,
                          channel=channel.value, booking_id=booking_id, before_at=before_at, created_at=now)
    session.add(entry)
    return entry


def close_for_booking(session: Session, booking: Booking) -> None:
    """The customer's booking is gone: they no longer wait for an earlier time for it."""
    for entry in queries.waitlist_of(session, customer_id=booking.customer_id, statuses=(WAITING, OFFERED)):
        if entry.booking_id == booking.id:
            entry.status = CLOSED


def offer_freed_slot(session: Session, business: Business, freed: Booking, *, now: datetime) -> WaitlistEntry | None:
    """A firm booking let go of its start: offer it to the waitlist."""
    return offer_slot(session, business, freed.start_at, now=now, skip_customer_id=freed.customer_id)


def offer_slot(session: Session, business: Business, start: datetime, *, now: datetime, after_id: int = 0,
               skip_customer_id: int | None = None) -> WaitlistEntry | None:
    """Hold `start` for the first waiting customer (after entry `after_id`) it suits, and text them."""
    if start <= now:
        return None
    for entry in queries.open_waitlist(session, business_id=business.id, after_id=after_id):
        if entry.before_at <= now or _booking_gone(session, entry):
            entry.status = CLOSED
            continue
        if start >= entry.before_at or entry.customer_id == skip_customer_id:
            continue
        customer = session.get(Customer, entry.customer_id)
        if customer.opted_out:
            continue
        service = session.get(Service, entry.service_id)
        current = session.get(Booking, entry.booking_id) if entry.booking_id else None
        place = _place_of(current) if current is not None else _place_of(customer)
        slot = free_at(session, business, service, start, now=now, place=place,
                       exclude_booking_id=entry.booking_id)
        if slot is None:
            continue
        _hold_for(session, business, entry, customer, service, current, slot.staff_id, start, slot.end, place,
                  now=now)
        return entry
    return None


def _hold_for(session: Session, business: Business, entry: WaitlistEntry, customer: Customer, service: Service,
              current: Booking | None, staff_id: int, start: datetime, end: datetime, place: Place | None, *,
              now: datetime) -> None:
    expires = now + timedelta(minutes=business.waitlist_hold_minutes)
    hold = Booking(code=secrets.token_urlsafe(12), business_id=business.id, customer_id=customer.id,
                   staff_id=staff_id, service_id=service.id, status=BookingStatus.HELD.value, channel=entry.channel,
                   start_at=start, end_at=end, hold_expires_at=expires, deposit_cents=service.deposit_cents,
                   address=place.address if place else None, lat=place.lat if place else None,
                   lng=place.lng if place else None, created_at=now, updated_at=now,
                   group_seat=service.seats > 1)
    session.add(hold)
    session.flush()
    session.add(DueWork(kind=WAITLIST_EXPIRY, booking_id=hold.id, due_at=expires))
    entry.status, entry.offered_booking_id = OFFERED, hold.id
    lang, tz = customer.language, business.time_zone
    fields = {"when": when_text(start, tz, lang), "service": service.name, "minutes": business.waitlist_hold_minutes}
    body = (notice(lang, "waitlist_offer_move", current=when_text(current.start_at, tz, lang), **fields)
            if current is not None else notice(lang, "waitlist_offer", **fields))
    channel = Channel(entry.channel)
    queue_text(session, business, phone=customer.phone, channel=channel, now=now, kind="waitlist_offer", body=body,
               template_variables={"1": fields["when"], "2": service.name})
    conversation = queries.conversation_for(session, business_id=business.id, phone=customer.phone,
                                            channel=channel, now=now)
    steer(conversation, flow="waitlist", state="offered", data={"entry_id": entry.id, "hold_id": hold.id}, now=now)


@dataclass(frozen=True)
class Taken:
    """What answering YES to an offer led to."""

    outcome: str                 # "moved", "held" (go on to the deposit) or "gone" (too late)
    booking: Booking | None = None


def take_offer(session: Session, business: Business, customer: Customer, entry_id: int, *, now: datetime,
               move: Callable[[Booking, datetime], bool]) -> Taken:
    """YES to an offered slot: move the customer's booking there (via `move`), or keep the hold for the booking."""
    entry = session.get(WaitlistEntry, entry_id)
    hold = session.get(Booking, entry.offered_booking_id) if entry and entry.offered_booking_id else None
    if (entry is None or entry.customer_id != customer.id or entry.status != OFFERED or hold is None
            or hold.status != BookingStatus.HELD or not hold.hold_expires_at or hold.hold_expires_at <= now):
        return Taken("gone")
    for due in queries.open_due_work_of(session, booking_id=hold.id, kinds=(WAITLIST_EXPIRY,)):
        due.done_at = now
    entry.status = BOOKED
    if entry.booking_id is None:
        # From here it is an ordinary hold waiting for a name and the deposit.
        hold.hold_expires_at = now + timedelta(minutes=business.hold_minutes)
        session.add(DueWork(kind=HOLD_EXPIRY, booking_id=hold.id, due_at=hold.hold_expires_at))
        return Taken("held", hold)
    current = session.get(Booking, entry.booking_id)
    start = hold.start_at
    hold.status = checked_move(BookingStatus.HELD, BookingStatus.CANCELLED).value
    hold.hold_expires_at, hold.updated_at = None, now
    session.flush()
    if current is None or current.status not in FIRM or not move(current, start):
        return Taken("gone")
    return Taken("moved", current)


def decline_offer(session: Session, business: Business, customer: Customer, entry_id: int, *, now: datetime) -> None:
    """NO to an offered slot: the customer keeps waiting, the slot goes to the next in line."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.customer_id != customer.id or entry.status != OFFERED:
        return
    _pass_on(session, entry, now=now, lapsed_status=BookingStatus.CANCELLED)


def lapse_offer(session: Session, hold_id: int, *, now: datetime) -> bool:
    """An offer nobody answered in time: release the hold and offer the slot to the next in line."""
    entry = queries.waitlist_offer_of(session, hold_booking_id=hold_id)
    hold = session.get(Booking, hold_id)
    if entry is None or hold is None or entry.status != OFFERED or hold.status != BookingStatus.HELD:
        return True
    _pass_on(session, entry, now=now, lapsed_status=BookingStatus.EXPIRED)
    return True


def _pass_on(session: Session, entry: WaitlistEntry, *, now: datetime, lapsed_status: BookingStatus) -> None:
    hold = session.get(Booking, entry.offered_booking_id)
    start = hold.start_at
    if hold.status == BookingStatus.HELD:
        hold.status = checked_move(BookingStatus.HELD, lapsed_status).value
        hold.hold_expires_at, hold.updated_at = None, now
    for due in queries.open_due_work_of(session, booking_id=hold.id, kinds=(WAITLIST_EXPIRY,)):
        due.done_at = now
    entry.status, entry.offered_booking_id = WAITING, None
    session.flush()
    business = session.get(Business, entry.business_id)
    offer_slot(session, business, start, now=now, after_id=entry.id)


def _booking_gone(session: Session, entry: WaitlistEntry) -> bool:
    if entry.booking_id is None:
        return False
    booking = session.get(Booking, entry.booking_id)
    return booking is None or booking.status not in FIRM


def _place_of(row: Booking | Customer) -> Place | None:
    return place_at(row.address, row.lat, row.lng)
