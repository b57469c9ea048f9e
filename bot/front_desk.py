"""The `Desk` a flow talks to, implemented over one open database transaction."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.adapters.payment import PaymentGateway
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, DueWork, Message, Payment, Service
from bot.domain.availability import find_slots, nearest_slots
from bot.domain.offers import chosen_offers
from bot.domain.booking import BookingStatus, checked_move
from bot.domain.phone import Channel, pretty
from bot.domain.span import Span
from bot.domain.travel import Place, TravelTimes
from bot.domain.wording import confirmation_text, notice, owner_new_booking_text, spoken, when_text
from bot.schedule import free_at, slot_request
from flows.context import Deposit, ServiceInfo
from flows.owner import AgendaLine
from nlu import TimeWindow

OFFERS_PER_TURN = 3
HOLD_EXPIRY = "hold_expiry"


@dataclass
class FrontDesk:
    session: Session
    business: Business
    customer: Customer
    channel: Channel
    now: datetime
    payments: PaymentGateway
    service_rows: list[Service] = field(default_factory=list)
    travel: TravelTimes | None = None          # None: estimated from straight-line distance

    def __post_init__(self) -> None:
        self.service_rows = self.service_rows or queries.active_services(self.session, business_id=self.business.id)
        self.tz = self.business.time_zone
        self.zone = ZoneInfo(self.tz)
        self.business_name = self.business.name
        self.currency = self.business.currency
        self.horizon_days = self.business.horizon_days
        self.contact = pretty(self.business.owner_phones[0]) if self.business.owner_phones else self.business.name
        self.services = tuple(ServiceInfo(s.name, s.duration_minutes, s.price_cents, s.deposit_cents,
                                          tuple(s.aliases)) for s in self.service_rows)

    @property
    def customer_name(self) -> str | None:
        return self.customer.name

    @property
    def language(self) -> str:
        """The customer's language (engine.receive keeps it up to date before the flow runs)."""
        return spoken(self.customer.language)

    @property
    def needs_address(self) -> bool:
        """A mobile business must know where the job is before it can offer times."""
        return self.business.is_mobile and not self.customer.address

    @property
    def place(self) -> Place | None:
        c = self.customer
        return Place(c.address or "", c.lat, c.lng) if c.address or c.lat is not None else None

    @property
    def where(self) -> str:
        return where_text(self.business, self.customer.address, self.language)

    def remember_address(self, address: str, lat: float | None = None, lng: float | None = None) -> None:
        self.customer.address, self.customer.lat, self.customer.lng = address, lat, lng

    def offers(self, service: str, windows: Sequence[TimeWindow], *, asap: bool) -> tuple[list[datetime], bool]:
        row = self._service(service)
        spans = [Span(w.start, w.end) for w in windows]
        request = slot_request(self.session, self.business, row, windows=spans, now=self.now, place=self.place,
                               travel=self.travel)
        picked = chosen_offers(find_slots(request), spans, limit=OFFERS_PER_TURN, tz=self.zone, asap=asap)
        if picked:
            return [s.start for s in picked], True
        wide = Span(self.now, self.now + timedelta(days=self.business.horizon_days))
        request = slot_request(self.session, self.business, row, windows=spans, now=self.now, place=self.place,
                               travel=self.travel, reach=wide)
        return [s.start for s in nearest_slots(request, limit=OFFERS_PER_TURN)], False

    def hold(self, service: str, start: datetime) -> int | None:
        """Re-check the slot inside this (write-locked) transaction, then book it as a hold."""
        row = self._service(service)
        place = self.place
        slot = free_at(self.session, self.business, row, start, now=self.now, place=place, travel=self.travel)
        if slot is None:
            return None
        expires = self.now + timedelta(minutes=self.business.hold_minutes)
        booking = Booking(code=secrets.token_urlsafe(12), business_id=self.business.id, customer_id=self.customer.id,
                          staff_id=slot.staff_id, service_id=row.id, status=BookingStatus.HELD.value,
                          channel=self.channel.value, start_at=start, end_at=slot.end, hold_expires_at=expires,
                          deposit_cents=row.deposit_cents, created_at=self.now, updated_at=self.now,
                          address=place.address if place else None, lat=place.lat if place else None,
                          lng=place.lng if place else None)
        self.session.add(booking)
        self.session.flush()
        self.session.add(DueWork(kind=HOLD_EXPIRY, booking_id=booking.id, due_at=expires))
        return booking.id

    def release(self, booking_id: int) -> None:
        booking = self._own_booking(booking_id)
        if booking is not None and booking.status in (BookingStatus.HELD, BookingStatus.AWAITING_PAYMENT):
            booking.status = checked_move(BookingStatus(booking.status), BookingStatus.CANCELLED).value
            booking.updated_at = self.now
            payment = queries.pending_payment_for(self.session, booking_id=booking_id)
            if payment is not None:
                payment.status = "expired"

    def remember_name(self, name: str) -> None:
        self.customer.name = name

    def request_deposit(self, booking_id: int) -> Deposit:
        booking = self._own_booking(booking_id)
        row = next(s for s in self.service_rows if s.id == booking.service_id)
        if booking.deposit_cents <= 0:
            status = finalise(self.session, booking, business=self.business, customer=self.customer,
                              service=row, now=self.now)
            return Deposit(link=None, amount_cents=0, status=status)
        expires = self.now + timedelta(minutes=self.business.payment_minutes)
        token = secrets.token_urlsafe(24)
        checkout = self.payments.checkout(
            token=token, amount_cents=booking.deposit_cents, currency=self.business.currency,
            description=notice(self.language, "deposit_description", service=row.name,
                               when=when_text(booking.start_at, self.tz, self.language)),
            expires_at=expires)
        self.session.add(Payment(booking_id=booking.id, token=token, provider=self.payments.provider,
                                 provider_ref=checkout.provider_ref, amount_cents=booking.deposit_cents,
                                 currency=self.business.currency, url=checkout.url, created_at=self.now))
        booking.status = checked_move(BookingStatus(booking.status), BookingStatus.AWAITING_PAYMENT).value
        booking.hold_expires_at = expires
        booking.updated_at = self.now
        due = queries.open_due_work(self.session, booking_id=booking.id, kind=HOLD_EXPIRY)
        if due is not None:
            due.due_at = expires
        return Deposit(link=checkout.url, amount_cents=booking.deposit_cents, status=booking.status)

    def tell_owner(self, text: str) -> None:
        queue_owner_text(self.session, self.business, text, now=self.now)

    def agenda(self, window: TimeWindow) -> list[AgendaLine]:
        rows = queries.bookings_between(self.session, business_id=self.business.id,
                                        around=Span(window.start, window.end),
                                        statuses=[BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL])
        names = {s.id: s.name for s in self.service_rows}
        lines = []
        for row in rows:
            customer = self.session.get(Customer, row.customer_id)
            lines.append(AgendaLine(row.start_at, customer.name or pretty(customer.phone),
                                    names.get(row.service_id, "?"), row.status))
        return lines

    def _service(self, name: str) -> Service:
        return next(s for s in self.service_rows if s.name == name)

    def _own_booking(self, booking_id: int) -> Booking | None:
        booking = self.session.get(Booking, booking_id)
        return booking if booking is not None and booking.customer_id == self.customer.id else None


def finalise(session: Session, booking: Booking, *, business: Business, customer: Customer, service: Service,
             now: datetime) -> str:
    """Confirm a booking (or send it for approval), and tell the owner. Returns the new status."""
    target = BookingStatus.PENDING_APPROVAL if business.requires_approval else BookingStatus.CONFIRMED
    booking.status = checked_move(BookingStatus(booking.status), target).value
    booking.hold_expires_at = None
    booking.updated_at = now
    due = queries.open_due_work(session, booking_id=booking.id, kind=HOLD_EXPIRY)
    if due is not None:
        due.done_at = now
    queue_owner_text(session, business, owner_new_booking_text(
        customer=customer.name or "A customer", phone=pretty(customer.phone), service=service.name,
        start=booking.start_at, tz=business.time_zone, status=booking.status, address=booking.address), now=now)
    return booking.status


def confirmation_for(booking: Booking, business: Business, service: Service, language: str) -> str:
    contact = pretty(business.owner_phones[0]) if business.owner_phones else business.name
    return confirmation_text(business=business.name, service=service.name, start=booking.start_at,
                             tz=business.time_zone, where=where_text(business, booking.address, language),
                             contact=contact, language=language)


def where_text(business: Business, address: str | None, language: str) -> str:
    """Where the job happens, as the confirmation says it."""
    if not business.is_mobile:
        return notice(language, "where_shop", address=business.address) if business.address else business.name
    return notice(language, "where_mobile_at", address=address) if address else notice(language, "where_mobile")


def queue_text(session: Session, business: Business, *, phone: str, channel: Channel, body: str,
               now: datetime) -> Message:
    """An outbox row: a message the bot starts, sent after commit by the dispatcher."""
    message = Message(business_id=business.id, direction="out", channel=channel.value, phone=phone, body=body,
                      status="queued", created_at=now)
    session.add(message)
    return message


def queue_owner_text(session: Session, business: Business, text: str, *, now: datetime) -> None:
    for phone in business.owner_phones:
        queue_text(session, business, phone=phone, channel=Channel.SMS, body=text, now=now)
