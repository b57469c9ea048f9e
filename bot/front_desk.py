"""The `Desk` a flow talks to, implemented over one open database transaction."""

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.adapters.maps import Geocoder, Located, TravelMatrix
from bot.adapters.payment import PaymentGateway, PaymentUnavailable
from bot.checkout import stop_checkout
from bot.db import queries
from bot.db.schedule_stamp import crew_of
from bot.db.session import holds_the_write_lock
from bot.db.tables import Booking, Business, Customer, DueWork, Payment, Service
from bot.db.turn_rows import CustomerRecord
from bot.domain.availability import find_slots, nearest_slots
from bot.domain.offers import chosen_offers
from bot.domain.booking import HOLDING, BookingStatus, checked_move
from bot.domain.calendar_file import calendar_line, calendar_status, with_calendar_line
from bot.domain.deposit import DepositRule, DepositPolicy, deposit_due, rule_of
from bot.domain.phone import Channel, country_of, pretty
from bot.domain.span import Span
from bot.domain.service_area import ServiceArea, Verdict, postal_key, verdict
from bot.domain.travel import Place, TravelTimes, distance_km, place_at
from bot.domain.wording import confirmation_text, notice, owner_new_booking_text, spoken, when_text
from bot.outbox import queue_owner_text, queue_text  # noqa: F401  (queue_text: re-exported for bot.deposit)
from bot.reminders import HOLD_EXPIRY, plan_approval_expiry, plan_reminders
from bot import appointments, waitlist
from bot.cancellation import cancellation_terms
from bot.schedule import free_at, scanned, slot_request
from flows.context import Deposit, ServiceInfo
from flows.upcoming import Appointment, CancelTerms, OfferTaken
from nlu import TimeWindow

log = logging.getLogger(__name__)
OFFERS_PER_TURN = 3
NEAREST_STEP = timedelta(days=1)          # see offers_for
NEAREST_STEP_ROUTED = timedelta(days=7)
# A pin's written address counts for its postal code only if it geocodes this close to the pin itself (a
# ZIP code's centre, being approximate, a little further).
PIN_MATCH_KM = 2.0
PIN_MATCH_ZIP_KM = 10.0
# FrontDesk._menu's: (business id, has a no-show) -> (the business row, its services, the menu made of them).
_MENUS: dict[tuple[int, bool], tuple[object, tuple, tuple[ServiceInfo, ...]]] = {}
MENUS_KEPT = 512


@dataclass
class FrontDesk:
    session: Session
    business: Business          # on a customer's turn, the business's read-only row (bot/db/turn_rows.py)
    customer: CustomerRecord    # written back at the end of the turn (engine.receive)
    channel: Channel
    now: datetime
    payments: PaymentGateway
    service_rows: list[Service] = field(default_factory=list)
    travel: TravelTimes | TravelMatrix | None = None   # None: estimated from straight-line distance
    geocoder: Geocoder | None = None           # None: typed addresses get no coordinates
    public_base_url: str = ""                  # where the customer's calendar links point; "": no links

    def __post_init__(self) -> None:
        # Shared read-only rows from the schedule cache (bot/db/schedule_stamp.py): never change them here.
        shared = crew_of(self.session, self.business, since=self.now).active_services if not self.service_rows else None
        self.service_rows = self.service_rows or list(shared)
        self.tz = self.business.time_zone
        self.zone = ZoneInfo(self.tz)
        self.business_name = self.business.name
        self.currency = self.business.currency
        self.horizon_days = self.business.horizon_days
        self.contact = pretty(self.business.owner_phones[0]) if self.business.owner_phones else self.business.name
        self.services = self._menu(shared) if shared is not None else self._menu_of(self.service_rows)

    def _menu(self, shared: tuple[Service, ...]) -> tuple[ServiceInfo, ...]:
        """The services as the flows see them, with this customer's deposits: the same for every customer with
        (or every one without) a no-show, while the business row and its services are the same shared objects
        (kept under the schedule stamp: bot/db/turn_rows.py, bot/db/schedule_stamp.py). Built anew, it was
        about a twentieth of a simple turn."""
        key = (self.business.id, (self.customer.no_show_count or 0) > 0)
        kept = _MENUS.get(key)
        if kept is not None and kept[0] is self.business and kept[1] is shared:
            return kept[2]
        menu = self._menu_of(shared)
        if len(_MENUS) >= MENUS_KEPT:
            _MENUS.clear()
        _MENUS[key] = (self.business, shared, menu)
        return menu

    def _menu_of(self, rows: Sequence[Service]) -> tuple[ServiceInfo, ...]:
        return tuple(ServiceInfo(s.name, s.duration_minutes, s.price_cents, self.deposit_for(s), tuple(s.aliases))
                     for s in rows)

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
        return place_at(c.address, c.lat, c.lng)

    @property
    def where(self) -> str:
        return where_text(self.business, self.customer.address, self.language)

    def remember_address(self, address: str, lat: float | None = None, lng: float | None = None) -> None:
        self.customer.address, self.customer.lat, self.customer.lng = address, lat, lng

    def take_address(self, address: str, lat: float | None = None, lng: float | None = None) -> ServiceArea | None:
        """Locate the job's address (a pin brings its coordinates) and keep it when the business goes there;
        otherwise keep nothing and return the service area it lies outside of."""
        area = self._service_area()
        if lat is not None and lng is not None:
            place, postal = Place(address, lat, lng), None
            if area is not None and area.zips and not area.is_near(place):
                postal = self._pin_postal_code(place)
        else:
            found = self._locate(address)
            place = found.place(address) if found is not None else Place(address)
            postal = found.postal_code if found is not None else None
        if area is not None and verdict(area, place, postal) is Verdict.OUTSIDE:
            log.info("address outside the service area of %s (postal code %s)", self.business.slug, postal)
            return area
        self.remember_address(place.address, place.lat, place.lng)
        return None

    def _service_area(self) -> ServiceArea | None:
        """Where the business goes, measured from its technicians' bases (else its own address); None: anywhere."""
        business = self.business
        area = ServiceArea(business.service_radius_km, frozenset(postal_key(z) for z in business.service_zips or ()))
        if not (business.is_mobile and area.is_limited):
            return None
        if area.radius_km is None:
            return area
        centers = tuple(m.base for m in crew_of(self.session, business, since=self.now).members
                        if m.base is not None and m.base.is_located)
        if not centers and business.address:
            found = self._locate(business.address)
            centers = (found.place(business.address),) if found is not None else ()
        return ServiceArea(area.radius_km, area.zips, centers)

    def _pin_postal_code(self, pin: Place) -> str | None:
        """A location pin's postal code, for a ZIP-code rule: its address's, when that geocodes to the pin."""
        found = self._locate(pin.address) if pin.address else None
        if found is None or distance_km(found.place(pin.address), pin) > (PIN_MATCH_ZIP_KM if found.approximate
                                                                             else PIN_MATCH_KM):
            return None
        return found.postal_code

    def _locate(self, address: str) -> Located | None:
        if self.geocoder is None:
            return None
        business = self.business
        phone = business.sms_phone or business.whatsapp_phone or next(iter(business.owner_phones), None)
        return self.geocoder.locate(address, country=country_of(phone))

    def offers(self, service: str, windows: Sequence[TimeWindow], *, asap: bool) -> tuple[list[datetime], bool]:
        return offers_for(self.session, self.business, self._service(service), windows, now=self.now,
                          place=self.place, travel=self.travel, asap=asap)

    def hold(self, service: str, start: datetime) -> int | None:
        """Re-check the slot inside this (write-locked) transaction, then book it as a hold."""
        row = self._service(service)
        place = self.place
        slot = free_at(self.session, self.business, row, start, now=self.now, place=place, travel=self.travel)
        if slot is None:
            return None
        expires = self.now + timedelta(minutes=self.business.hold_minutes)
        booking = dict(code=secrets.token_urlsafe(12), business_id=self.business.id, customer_id=self.customer.id,
                       staff_id=slot.staff_id, service_id=row.id, status=BookingStatus.HELD.value,
                       channel=self.channel.value, start_at=start, end_at=slot.end, hold_expires_at=expires,
                       deposit_cents=self.deposit_for(row), created_at=self.now, updated_at=self.now,
                       address=place.address if place else None, lat=place.lat if place else None,
                       lng=place.lng if place else None, group_seat=row.seats > 1)
        # Core INSERTs (queries.insert_row): nothing else in this turn changes the hold or its expiry row.
        if holds_the_write_lock(self.session):
            # No constraint to refuse it there (migration 0007): BEGIN IMMEDIATE made free_at's answer final, so
            # the savepoint below would be two statements for nothing.
            booking_id = queries.insert_row(self.session, Booking, **booking)
        else:
            try:
                with self.session.begin_nested():
                    booking_id = queries.insert_row(self.session, Booking, **booking)
            except IntegrityError:
                # PostgreSQL's no-double-booking constraint (migration 0007): someone else got there first.
                log.info("hold at %s for %s refused by the database: just taken", start.isoformat(), row.name)
                return None
        queries.insert_row(self.session, DueWork, kind=HOLD_EXPIRY, booking_id=booking_id, due_at=expires)
        return booking_id

    def release(self, booking_id: int) -> None:
        booking = self._own_booking(booking_id)
        if booking is not None and booking.status in (BookingStatus.HELD, BookingStatus.AWAITING_PAYMENT):
            booking.status = checked_move(BookingStatus(booking.status), BookingStatus.CANCELLED).value
            booking.updated_at = self.now
            payment = queries.pending_payment_for(self.session, booking_id=booking_id)
            if payment is not None:
                payment.status = "expired"
                stop_checkout(payment, self.payments, now=self.now)

    def remember_name(self, name: str) -> None:
        self.customer.name = name

    def request_deposit(self, booking_id: int) -> Deposit:
        """The deposit link for the customer's hold: the one already sent, or a new checkout, after which the hold
        waits for the payment until the checkout expires. The booking is read and changed as a plain row
        (queries.keep_unconfirmed: a hold stays unconfirmed here); confirming one with no deposit goes through
        the ORM."""
        booking = queries.held_booking(self.session, booking_id=booking_id)
        if booking is None or booking.customer_id != self.customer.id:
            return Deposit(link=None, amount_cents=0, status=BookingStatus.EXPIRED.value)
        row = next(s for s in self.service_rows if s.id == booking.service_id)
        status = BookingStatus(booking.status)
        if status not in HOLDING or not booking.hold_expires_at or booking.hold_expires_at <= self.now:
            # Lapsed (the dispatcher may not have said so yet): the time is no longer kept for them.
            return Deposit(link=None, amount_cents=booking.deposit_cents, status=BookingStatus.EXPIRED.value)
        if booking.deposit_cents <= 0:
            status = finalise(self.session, self._own_booking(booking_id), business=self.business,
                              customer=self.customer, service=row, now=self.now)
            return Deposit(link=None, amount_cents=0, status=status)
        earlier = queries.payment_attempts(self.session, booking_id=booking.id)
        sent = next((p for p in earlier if p.status == "pending" and p.url), None)
        if sent is not None:  # one checkout per booking: asking again gets the link already sent
            return Deposit(link=sent.url, amount_cents=sent.amount_cents, status=booking.status)
        expires = self.now + timedelta(minutes=self.business.payment_minutes)
        token = secrets.token_urlsafe(24)
        attempt = dict(booking_id=booking.id, token=token, provider=self.payments.provider,
                       amount_cents=booking.deposit_cents, currency=self.business.currency, created_at=self.now)
        try:
            checkout = self.payments.checkout(
                token=token, reference=f"booking-{booking.id}", amount_cents=booking.deposit_cents,
                currency=self.business.currency,
                description=notice(self.language, "deposit_description", service=row.name,
                                   when=when_text(booking.start_at, self.tz, self.language)),
                expires_at=expires, metadata={"booking_id": str(booking.id), "business": self.business.slug},
                # Per booking and attempt: the SDK's retries of this request (and a turn re-run after a
                # lost race) get the same session back instead of a second one.
                idempotency_key=f"checkout-booking-{booking.id}-{len(earlier) + 1}",
                phone=self.customer.phone, name=self.customer.name, payer_ref=self.customer.payer_ref)
        except PaymentUnavailable as error:
            log.warning("no deposit link for booking %s: %s", booking.id, error)
            # The failure is kept (the owner sees it); the next try is a new attempt with its own key.
            queries.insert_row(self.session, Payment, **attempt, status="failed", url="", expires_at=expires)
            # Keep the time held a little longer, so trying again in a minute still finds it.
            self._hold_until(booking, status, max(booking.hold_expires_at,
                                                  self.now + timedelta(minutes=self.business.hold_minutes)))
            return Deposit(link=None, amount_cents=booking.deposit_cents, status=booking.status, failed=True)
        queries.insert_row(self.session, Payment, **attempt, status="pending", url=checkout.url,
                           provider_ref=checkout.provider_ref, expires_at=checkout.expires_at or expires)
        if checkout.payer_ref:
            self.customer.payer_ref = checkout.payer_ref
        waiting = checked_move(status, BookingStatus.AWAITING_PAYMENT)
        self._hold_until(booking, waiting, expires)
        return Deposit(link=checkout.url, amount_cents=booking.deposit_cents, status=waiting.value)

    def deposit_for(self, service: Service) -> int:
        """The deposit this customer pays for the service (bot/domain/deposit.py has the rule)."""
        business = self.business
        return deposit_due(service.price_cents,
                           service_rule=rule_of(service.deposit_policy, service.deposit_cents, service.deposit_percent),
                           business_rule=rule_of(business.deposit_policy, business.deposit_cents,
                                                 business.deposit_percent) or DepositRule(DepositPolicy.NONE),
                           past_no_shows=self.customer.no_show_count or 0,
                           no_show_deposit_cents=business.no_show_deposit_cents)

    def _hold_until(self, booking: queries.HeldBooking, status: BookingStatus, until: datetime) -> None:
        """The hold, now `status`, is kept until `until`, and so is its expiry."""
        queries.keep_unconfirmed(self.session, booking_id=booking.id, before=BookingStatus(booking.status),
                                 status=status, hold_expires_at=until, now=self.now)
        queries.move_open_due_work(self.session, booking_id=booking.id, kind=HOLD_EXPIRY, due_at=until)

    def calendar_line(self, booking_id: int) -> str:
        booking = self._own_booking(booking_id)
        if booking is None or calendar_status(BookingStatus(booking.status), booking.revision) is None \
                or not self.public_base_url:
            return ""
        return calendar_line(self.public_base_url, booking.code, self.language)

    def tell_owner(self, text: str) -> None:
        queue_owner_text(self.session, self.business, text, now=self.now)

    # The customer's own appointments (flows/upcoming.py's AppointmentDesk; the work is in bot/appointments.py).

    def upcoming(self) -> list[Appointment]:
        return [self._appointment(b) for b in appointments.upcoming(self.session, self.customer, now=self.now)]

    def appointment(self, appointment_id: int) -> Appointment | None:
        booking = self._own_booking(appointment_id)
        return self._appointment(booking) if booking is not None and booking.start_at > self.now else None

    def confirm_attendance(self, appointment_id: int) -> Appointment | None:
        booking = self._own_booking(appointment_id)
        if booking is None or not appointments.confirm_attendance(booking, now=self.now):
            return None
        return self._appointment(booking)

    def cancel_terms(self, appointment_id: int) -> CancelTerms:
        terms = cancellation_terms(self._own_booking(appointment_id), self.business, now=self.now, by_owner=False)
        return CancelTerms(terms.refunded_cents, terms.kept_cents, self.business.cancel_refund_hours)

    def cancel(self, appointment_id: int) -> int:
        booking = self._own_booking(appointment_id)
        return appointments.cancel(self.session, self.business, booking, now=self.now,
                                   payments=self.payments).refunded_cents

    def move_offers(self, appointment_id: int, windows: Sequence[TimeWindow], *,
                    asap: bool) -> tuple[list[datetime], bool]:
        booking = self._own_booking(appointment_id)
        service = next(s for s in self.service_rows if s.id == booking.service_id)
        return offers_for(self.session, self.business, service, windows, now=self.now,
                          place=appointments.place_of(booking), travel=self.travel, asap=asap,
                          exclude_booking_id=booking.id)

    def move(self, appointment_id: int, start: datetime) -> bool:
        booking = self._own_booking(appointment_id)
        return booking is not None and appointments.move(self.session, self.business, booking, start, now=self.now,
                                                         travel=self.travel)

    def join_waitlist(self, service: str, before: datetime, appointment_id: int | None) -> None:
        waitlist.join(self.session, customer=self.customer, service=self._service(service), channel=self.channel,
                      before_at=before, booking_id=appointment_id, now=self.now)

    def take_offer(self, entry_id: int) -> OfferTaken:
        taken = waitlist.take_offer(self.session, self.business, self.customer, entry_id, now=self.now,
                                    move=lambda booking, start: appointments.move(self.session, self.business,
                                                                                  booking, start, now=self.now,
                                                                                  travel=self.travel))
        return OfferTaken(taken.outcome, self._appointment(taken.booking) if taken.booking is not None else None)

    def decline_offer(self, entry_id: int) -> None:
        waitlist.decline_offer(self.session, self.business, self.customer, entry_id, now=self.now)

    def _appointment(self, booking: Booking) -> Appointment:
        service = self.session.get(Service, booking.service_id)
        return Appointment(booking.id, service.name, booking.start_at, booking.status, booking.deposit_cents)

    def _service(self, name: str) -> Service:
        return next(s for s in self.service_rows if s.name == name)

    def _own_booking(self, booking_id: int) -> Booking | None:
        booking = self.session.get(Booking, booking_id)
        return booking if booking is not None and booking.customer_id == self.customer.id else None


def offers_for(session: Session, business: Business, service: Service, windows: Sequence[TimeWindow], *,
               now: datetime, place: Place | None, travel: TravelTimes | TravelMatrix | None, asap: bool,
               exclude_booking_id: int | None = None) -> tuple[list[datetime], bool]:
    """Up to three starts to offer in the windows, and whether they are inside them (False: the nearest
    ones instead). `exclude_booking_id`: a booking being moved does not block its own new time."""
    spans = [Span(w.start, w.end) for w in windows]
    zone = ZoneInfo(business.time_zone)
    request = slot_request(session, business, service, windows=spans, now=now, place=place, travel=travel,
                           exclude_booking_id=exclude_booking_id)
    picked = chosen_offers(scanned(request, find_slots, travel), spans, limit=OFFERS_PER_TURN, tz=zone, asap=asap)
    if picked:
        return [s.start for s in picked], True
    wide = Span(now, now + timedelta(days=business.horizon_days))
    request = slot_request(session, business, service, windows=spans, now=now, place=place, travel=travel,
                           reach=wide, exclude_booking_id=exclude_booking_id)
    # A day at a time: the search stops on the first free day after the booked ones, where a week's step went
    # on through the rest of that week. Not with a route matrix, which fetches every drive the estimate pass
    # looked at: the week's steps keep that set, and so the drive times the offers are made from, as they were.
    step = NEAREST_STEP_ROUTED if isinstance(travel, TravelMatrix) else NEAREST_STEP
    return [s.start for s in scanned(request, lambda r: nearest_slots(r, limit=OFFERS_PER_TURN, step=step),
                                     travel)], False


def finalise(session: Session, booking: Booking, *, business: Business, customer: Customer | CustomerRecord,
             service: Service, now: datetime) -> str:
    """Confirm a booking (or send it for approval), and tell the owner. Returns the new status."""
    target = BookingStatus.PENDING_APPROVAL if business.requires_approval else BookingStatus.CONFIRMED
    booking.status = checked_move(BookingStatus(booking.status), target).value
    booking.hold_expires_at = None
    booking.updated_at = now
    due = queries.open_due_work(session, booking_id=booking.id, kind=HOLD_EXPIRY)
    if due is not None:
        due.done_at = now
    if booking.status == BookingStatus.CONFIRMED:
        plan_reminders(session, booking, business, now=now)
    else:
        plan_approval_expiry(session, booking, business, now=now)
    queue_owner_text(session, business, owner_new_booking_text(
        customer=customer.name or "A customer", phone=pretty(customer.phone), service=service.name,
        start=booking.start_at, tz=business.time_zone, status=booking.status, address=booking.address,
        booking_id=booking.id), now=now)
    return booking.status


def confirmation_for(booking: Booking, business: Business, service: Service, language: str, *,
                     public_base_url: str = "") -> str:
    """The customer's confirmation, with the calendar links under it when there is a public address for them."""
    contact = pretty(business.owner_phones[0]) if business.owner_phones else business.name
    text = confirmation_text(business=business.name, service=service.name, start=booking.start_at,
                             tz=business.time_zone, where=where_text(business, booking.address, language),
                             contact=contact, language=language)
    return with_calendar_line(text, public_base_url=public_base_url, code=booking.code, language=language)


def where_text(business: Business, address: str | None, language: str) -> str:
    """Where the job happens, as the confirmation says it."""
    if not business.is_mobile:
        return notice(language, "where_shop", address=business.address) if business.address else business.name
    return notice(language, "where_mobile_at", address=address) if address else notice(language, "where_mobile")
