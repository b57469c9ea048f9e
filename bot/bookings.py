"""The owner's changes to bookings, from the owner API, the owner page and owner texts: book a phone or
walk-in customer, move, cancel, approve, decline, mark completed or no-show.

Shell functions over the caller's open transaction. Manual bookings take the same availability check
as texted ones (bot.schedule) and walk the same lifecycle (bot.domain.booking); only the owner's `force`
books over a clash, and the booking remembers it (`Booking.forced`). What the rules turn down (an
unknown service, a taken time, a booking in the wrong state) is a `Refusal` naming the field it is about,
for the API's 422/409 and the page's form errors; a bug still raises.
"""

import dataclasses
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot import waitlist
from bot.adapters.payment import PaymentGateway, PaymentUnavailable
from bot.appointments import place_of
from bot.cancellation import cancel_booking
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, Service, Staff
from bot.domain.availability import Slot, find_slots
from bot.domain.booking import FIRM, BookingStatus, can_move, checked_move
from bot.domain.calendar_file import with_calendar_line
from bot.domain.offers import best_per_start
from bot.domain.phone import Channel, e164, pretty
from bot.domain.span import Span
from bot.domain.travel import Place, place_at
from bot.domain.wording import money_text, notice, when_text
from bot.front_desk import offers_for, where_text
from bot.no_show import mark_no_show
from bot.outbox import queue_text, steer
from bot.reminders import (APPROVAL_EXPIRY, FOLLOW_UP, HOLD_EXPIRY, HOLD_LAPSED, REMINDER, plan_rebook_nudge,
                           plan_reminders)
from bot.schedule import slot_request
from flows.phrases import choices_text, phrase
from nlu import TimeWindow

log = logging.getLogger(__name__)
# A phone customer may want 2:10: owner bookings are not held to the grid the bot offers on, only to
# this finer one (and to hours, time off, other jobs, buffers and driving, as every booking is).
OWNER_GRID = timedelta(minutes=5)
# Other times offered with a decline: from the declined day over the next few days.
DECLINE_OFFER_DAYS = 3
ORIGINS = ("phone", "walk_in")


class Refusal(Exception):
    """A request the rules turn down, with the field it is about; `conflict`: the booking's state, not the
    input, is the problem (HTTP 409 rather than 422)."""

    def __init__(self, field: str, message: str, *, conflict: bool = False):
        super().__init__(message)
        self.field, self.message, self.conflict = field, message, conflict


@dataclass(frozen=True)
class ManualBooking:
    """What the owner fills in for a phone or walk-in customer."""

    service_id: int
    start_at: datetime                  # aware
    phone: str
    name: str | None = None
    origin: str = "phone"               # "phone" or "walk_in"
    address: str | None = None          # where the job is (mobile businesses); default: the customer's last
    technician_id: int | None = None    # None: whoever is free, as for a texted booking
    force: bool = False                 # book even over a clash
    text_customer: bool = False         # text them a confirmation
    note: str = ""


def book(session: Session, business: Business, request: ManualBooking, *, now: datetime,
         public_base_url: str = "") -> Booking:
    """A confirmed booking the owner made (no deposit: the owner settles that with the customer).
    `public_base_url`: where the calendar links in the customer's text point ("": no links)."""
    service = _own_service(session, business, request.service_id)
    phone = e164(request.phone or "")
    if phone is None:
        raise Refusal("phone", "is not a phone number we can text, e.g. +1 512 555 0100")
    if request.origin not in ORIGINS:
        raise Refusal("origin", f"must be one of {', '.join(ORIGINS)}")
    staff = _own_staff(session, business, request.technician_id) if request.technician_id is not None else None
    _lock(session, business, now=now)
    customer = queries.customer_for(session, business_id=business.id, phone=phone)
    if request.name:
        customer.name = request.name.strip()[:80]
    address = (request.address or "").strip() or None
    place = Place(address, None, None) if address else place_at(customer.address, customer.lat, customer.lng)
    start, end, staff_id, forced = _placed(session, business, service, request.start_at, staff=staff, place=place,
                                           force=request.force, now=now)
    booking = Booking(code=secrets.token_urlsafe(12), business_id=business.id, customer_id=customer.id,
                      staff_id=staff_id, service_id=service.id, status=BookingStatus.HELD.value,
                      channel=Channel.SMS.value, start_at=start, end_at=end, created_at=now, updated_at=now,
                      address=place.address if place else None, lat=place.lat if place else None,
                      lng=place.lng if place else None, origin=request.origin, forced=forced, note=request.note[:500],
                      group_seat=service.seats > 1)
    booking.status = checked_move(BookingStatus.HELD, BookingStatus.CONFIRMED).value
    try:
        with session.begin_nested():
            session.add(booking)
    except IntegrityError:
        # PostgreSQL's no-double-booking constraint (migration 0007) caught what the re-check let through.
        raise Refusal("start_at", f"{when_text(start, business.time_zone)} was just taken (send force=true to "
                                  f"book it anyway)", conflict=True)
    plan_reminders(session, booking, business, now=now)
    if forced:
        log.info("booking %s made over a clash (force) by the owner of %s", booking.id, business.slug)
    if request.text_customer:
        _text(session, business, booking, customer, "owner_booked", now=now, public_base_url=public_base_url,
              fields=dict(service=service.name, business=business.name,
                          when=when_text(start, business.time_zone, customer.language),
                          where=where_text(business, booking.address, customer.language)))
    return booking


def reschedule(session: Session, business: Business, booking: Booking, start_at: datetime, *, now: datetime,
               technician_id: int | None = None, force: bool = False, text_customer: bool = True,
               public_base_url: str = "") -> Booking:
    """Move a firm booking (same row: deposit, code and history stay); reminders follow it, and the time
    it leaves goes to the waitlist. The customer's text carries the calendar links (the file's new version)."""
    if booking.status not in FIRM:
        raise Refusal("status", f"a {_said(booking.status)} booking cannot be moved", conflict=True)
    service = session.get(Service, booking.service_id)
    staff = _own_staff(session, business, technician_id) if technician_id is not None else None
    _lock(session, business, now=now)
    old_start = booking.start_at
    start, end, staff_id, forced = _placed(session, business, service, start_at, staff=staff,
                                           place=place_of(booking), force=force, now=now, exclude=booking.id)
    booking.start_at, booking.end_at, booking.staff_id = start, end, staff_id
    booking.forced = booking.forced or forced
    booking.attendance_confirmed_at, booking.updated_at = None, now
    if booking.status == BookingStatus.CONFIRMED:
        plan_reminders(session, booking, business, now=now)
    else:
        for due in queries.open_due_work_of(session, booking_id=booking.id, kinds=(APPROVAL_EXPIRY,)):
            due.due_at = min(due.due_at, start)
    if text_customer:
        customer = session.get(Customer, booking.customer_id)
        _text(session, business, booking, customer, "owner_moved", now=now, public_base_url=public_base_url,
              fields=dict(service=service.name, business=business.name,
                          when=when_text(start, business.time_zone, customer.language),
                          where=where_text(business, booking.address, customer.language)))
    session.flush()
    if old_start != start:
        waitlist.offer_slot(session, business, old_start, now=now, skip_customer_id=booking.customer_id)
    return booking


def cancel(session: Session, business: Business, booking: Booking, *, now: datetime,
           payments: PaymentGateway) -> int:
    """Cancel as the business (the deposit always goes back, the customer is told); the refunded cents.
    The time goes to the waitlist."""
    from bot.back_office import BackOffice  # here: the back office's own texts come back to this module

    was_firm = booking.status in FIRM
    action = BackOffice(session, business, now, payments).cancel(booking.id)
    if not action.done:
        if action.reason == "refund_failed":
            raise Refusal("booking", "the deposit could not be refunded just now, so it is not cancelled; "
                                     "try again in a minute", conflict=True)
        raise Refusal("status", f"a {_said(booking.status)} booking cannot be cancelled", conflict=True)
    waitlist.close_for_booking(session, booking)
    if was_firm:
        session.flush()
        waitlist.offer_freed_slot(session, business, booking, now=now)
    return action.refunded_cents


def approve(session: Session, business: Business, booking: Booking, *, now: datetime,
            public_base_url: str = "") -> bool:
    """Confirm a request waiting for the owner and text the customer (with the calendar links when
    `public_base_url` is given); False when it was approved already."""
    if booking.status == BookingStatus.CONFIRMED:
        return False
    if booking.status != BookingStatus.PENDING_APPROVAL:
        raise Refusal("status", f"a {_said(booking.status)} booking cannot be approved", conflict=True)
    if booking.start_at <= now:
        raise Refusal("status", "its time has passed", conflict=True)
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.CONFIRMED).value
    booking.updated_at = now
    plan_reminders(session, booking, business, now=now)   # also closes the approval's expiry
    customer, service = session.get(Customer, booking.customer_id), session.get(Service, booking.service_id)
    lang = customer.language
    contact = pretty(business.owner_phones[0]) if business.owner_phones else business.name
    _text(session, business, booking, customer, "confirmation", now=now, public_base_url=public_base_url,
          fields=dict(service=service.name, when=when_text(booking.start_at, business.time_zone, lang),
                      business=business.name, where=where_text(business, booking.address, lang), contact=contact))
    return True


@dataclass(frozen=True)
class Declined:
    refunded_cents: int
    offered: list[datetime]


def decline(session: Session, business: Business, booking: Booking, *, reason: str, now: datetime,
            payments: PaymentGateway) -> Declined:
    """Turn a request down: the slot is released, any deposit refunded, and the customer gets the reason and
    other times (their reply "2" books one, as in any offer)."""
    if booking.status != BookingStatus.PENDING_APPROVAL:
        raise Refusal("status", f"a {_said(booking.status)} booking cannot be declined", conflict=True)
    try:
        with session.begin_nested():  # a failed refund leaves the request as it was
            outcome = cancel_booking(session, booking, business, now=now, by_owner=True, payments=payments,
                                     status=BookingStatus.REJECTED)
    except PaymentUnavailable as error:
        log.warning("decline of booking %s not done, the refund failed: %s", booking.id, error)
        session.refresh(booking)
        raise Refusal("booking", "the deposit could not be refunded just now, so it is not declined; "
                                 "try again in a minute", conflict=True)
    customer, service = session.get(Customer, booking.customer_id), session.get(Service, booking.service_id)
    lang, tz = customer.language, business.time_zone
    local = booking.start_at.astimezone(ZoneInfo(tz))
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    windows = [TimeWindow(max(day, now.astimezone(ZoneInfo(tz))), day + timedelta(days=DECLINE_OFFER_DAYS))]
    offered = []
    if service.active and windows[0].start < windows[0].end:
        offered, _ = offers_for(session, business, service, windows, now=now, place=place_of(booking), travel=None,
                                asap=False)
    refund = (notice(lang, "deposit_refunded", amount=money_text(outcome.refunded_cents, business.currency))
              if outcome.refunded_cents else "")
    body = notice(lang, "declined", business=business.name, service=service.name,
                  when=when_text(booking.start_at, tz, lang), reason=f": {reason.strip()}" if reason.strip() else "",
                  refund=refund)
    if offered:
        listing = "\n".join(f"{i}) {when_text(s, tz, lang)}" for i, s in enumerate(offered, 1))
        body += notice(lang, "declined_offers", service=service.name, listing=listing,
                       reply=phrase(lang, "offers_reply", choices=choices_text(len(offered), lang)))
    else:
        body += notice(lang, "declined_no_offers")
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=now, kind="declined",
               body=body)
    conversation = queries.conversation_for(session, business_id=business.id, phone=customer.phone,
                                            channel=Channel(booking.channel), now=now)
    if offered:
        # Their reply is read as a pick among these times, exactly as after offers the bot made itself.
        steer(conversation, flow="booking", state="pick",
              data={"service": service.name, "offered": [s.isoformat() for s in offered],
                    "windows": [[w.start.isoformat(), w.end.isoformat()] for w in windows], "asap": False}, now=now)
    elif conversation.data.get("booking_id") == booking.id:
        steer(conversation, flow="", state="", data={}, now=now)
    return Declined(outcome.refunded_cents, list(offered))


def complete(session: Session, business: Business, booking: Booking, *, now: datetime) -> bool:
    """The job is done; False when it was marked so already."""
    if booking.status == BookingStatus.COMPLETED:
        return False
    if booking.status != BookingStatus.CONFIRMED:
        raise Refusal("status", f"a {_said(booking.status)} booking cannot be completed", conflict=True)
    if booking.start_at > now:
        raise Refusal("status", "it has not started yet", conflict=True)
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.COMPLETED).value
    booking.updated_at = now
    for due in queries.open_due_work_of(session, booking_id=booking.id, kinds=(REMINDER, FOLLOW_UP)):
        due.done_at = now
    service = session.get(Service, booking.service_id)
    if service.rebook_weeks:
        plan_rebook_nudge(session, booking, weeks=service.rebook_weeks)
    return True


def no_show(session: Session, booking: Booking, *, now: datetime) -> bool:
    """The customer did not turn up (bot.no_show); False when it was marked so already."""
    result = mark_no_show(session, booking, now=now)
    if result == "too_early":
        raise Refusal("status", "it has not started yet", conflict=True)
    if result == "wrong_status":
        raise Refusal("status", f"a {_said(booking.status)} booking cannot be a no-show", conflict=True)
    return result == "marked"


def can_do(booking: Booking, action: str) -> bool:
    """Whether the owner page should offer `action` ("approve", "decline", "cancel", ...) for the booking."""
    status = BookingStatus(booking.status)
    return {"approve": status == BookingStatus.PENDING_APPROVAL,
            "decline": status == BookingStatus.PENDING_APPROVAL,
            "cancel": can_move(status, BookingStatus.CANCELLED),
            "complete": status == BookingStatus.CONFIRMED,
            "no_show": status == BookingStatus.CONFIRMED,
            "reschedule": status in FIRM}[action]


def _lock(session: Session, business: Business, *, now: datetime) -> None:
    """Serialise the owner's booking writes with the bot's on PostgreSQL (SQLite's BEGIN IMMEDIATE already does),
    and expire lapsed holds there, which the no-double-booking constraint would still count (bot.schedule)."""
    queries.lock_business(session, business_id=business.id)
    if session.get_bind().dialect.name == "postgresql":
        queries.lapse_holds(session, business_id=business.id, now=now, expiry_kind=HOLD_EXPIRY,
                            lapsed_kind=HOLD_LAPSED)


def _placed(session: Session, business: Business, service: Service, start: datetime, *, staff: Staff | None,
            place: Place | None, force: bool, now: datetime,
            exclude: int | None = None) -> tuple[datetime, datetime, int, bool]:
    """Where a booking at `start` goes: (start, end, technician, forced). Refusal when nobody can take it
    and the owner did not force it."""
    if start.tzinfo is None:
        raise Refusal("start_at", "needs a time zone")
    if start <= now and not force:
        raise Refusal("start_at", "is in the past (send force=true to record it anyway)")
    slot = _free_slot(session, business, service, start, staff=staff, place=place, now=now, exclude=exclude)
    if slot is not None:
        return start, slot.end, slot.staff_id, False
    if not force:
        who = f"{staff.name} is" if staff else "no technician is"
        raise Refusal("start_at", f"{when_text(start, business.time_zone)} is not free: {who} available for "
                                  f"{service.name} then (send force=true to book it anyway)")
    if staff is None:
        doers = [s for s in queries.staff_of(session, business_id=business.id)
                 if s.service_ids is None or service.id in s.service_ids]
        if not doers:
            raise Refusal("technician_id", f"no technician does {service.name}")
        staff = doers[0]
    return start, start + timedelta(minutes=service.duration_minutes), staff.id, True


def _free_slot(session: Session, business: Business, service: Service, start: datetime, *, staff: Staff | None,
               place: Place | None, now: datetime, exclude: int | None) -> Slot | None:
    # No minimum notice: the owner decides how soon they can go.
    request = slot_request(session, business, service, windows=[Span(start, start)], now=now, place=place,
                           exclude_booking_id=exclude, notice=timedelta(0))
    request = dataclasses.replace(request, grid=OWNER_GRID)
    slots = [s for s in find_slots(request) if s.start == start and (staff is None or s.staff_id == staff.id)]
    best = best_per_start(slots)
    return best[0] if best else None


def _own_service(session: Session, business: Business, service_id: int) -> Service:
    service = session.get(Service, service_id)
    if service is None or service.business_id != business.id or not service.active:
        raise Refusal("service_id", "no such service")
    return service


def _own_staff(session: Session, business: Business, staff_id: int) -> Staff:
    staff = session.get(Staff, staff_id)
    if staff is None or staff.business_id != business.id or not staff.active:
        raise Refusal("technician_id", "no such technician")
    return staff


def _text(session: Session, business: Business, booking: Booking, customer: Customer, key: str, *,
          now: datetime, fields: dict[str, str], public_base_url: str = "") -> None:
    """Text the customer about their booking; with `public_base_url`, the calendar links go under it."""
    body = with_calendar_line(notice(customer.language, key, **fields), public_base_url=public_base_url,
                              code=booking.code, language=customer.language)
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=now, kind=key,
               body=body)


def _said(status: str) -> str:
    return status.replace("_", " ")
