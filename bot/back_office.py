"""The `OwnerDesk` the owner's texts talk to (flows/owner.py): the whole business, over one open transaction."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from bot import bookings, roster
from bot.adapters.payment import PaymentGateway, PaymentUnavailable
from bot.cancellation import cancel_booking
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, Payment, Service, Staff
from bot.domain.booking import BookingStatus, can_move
from bot.domain.phone import Channel, pretty
from bot.domain.span import Span
from bot.domain.wording import money_text, notice, when_text
from bot.no_show import mark_no_show
from bot.outbox import queue_text
from flows.owner import AgendaLine, Blocked, BookingCard, Job, OwnerAction, PaymentLine
from nlu import TimeWindow

log = logging.getLogger(__name__)
RECENT_PAYMENTS = 8  # what fits in one text


@dataclass
class BackOffice:
    session: Session
    business: Business
    now: datetime
    payments: PaymentGateway
    public_base_url: str = ""          # where the calendar links in the customer's confirmation point

    def __post_init__(self) -> None:
        self.tz = self.business.time_zone

    def agenda(self, window: TimeWindow) -> list[AgendaLine]:
        rows = queries.bookings_between(self.session, business_id=self.business.id,
                                        around=Span(window.start, window.end),
                                        statuses=[BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL])
        lines = []
        for row in rows:
            customer, service = self.session.get(Customer, row.customer_id), self.session.get(Service, row.service_id)
            lines.append(AgendaLine(row.start_at, _who(customer), service.name, row.status, row.id, row.address))
        return lines

    def booking(self, booking_id: int) -> BookingCard | None:
        row = self._booking(booking_id)
        return self._card(row) if row is not None else None

    def recent_payments(self) -> list[PaymentLine]:
        return [self._line(p, self.session.get(Booking, p.booking_id))
                for p in queries.recent_payments(self.session, business_id=self.business.id, limit=RECENT_PAYMENTS)]

    def mark_no_show(self, booking_id: int) -> OwnerAction:
        row = self._booking(booking_id)
        if row is None:
            return OwnerAction(False, "not_found")
        result = mark_no_show(self.session, row, now=self.now)
        if result not in ("marked", "already"):
            return OwnerAction(False, result, self._card(row))
        kept = sum(p.amount_cents - p.refunded_cents for p in queries.payments_for(self.session, booking_id=row.id)
                   if p.status == "paid")
        return OwnerAction(True, result, self._card(row), kept_cents=kept)

    def cancel(self, booking_id: int) -> OwnerAction:
        """As the business: always refunds (bot/cancellation.py), then tells the customer in their thread."""
        row = self._booking(booking_id)
        if row is None:
            return OwnerAction(False, "not_found")
        if not can_move(BookingStatus(row.status), BookingStatus.CANCELLED):
            return OwnerAction(False, "wrong_status", self._card(row))
        try:
            # A savepoint: when the refund fails, the booking is left exactly as it was (not cancelled).
            with self.session.begin_nested():
                outcome = cancel_booking(self.session, row, self.business, now=self.now, by_owner=True,
                                         payments=self.payments)
        except PaymentUnavailable as error:
            log.warning("owner cancellation of booking %s not done, the refund failed: %s", row.id, error)
            self.session.refresh(row)
            return OwnerAction(False, "refund_failed", self._card(row))
        customer, service = self.session.get(Customer, row.customer_id), self.session.get(Service, row.service_id)
        lang = customer.language
        when = when_text(row.start_at, self.tz, lang)
        refund = (notice(lang, "deposit_refunded", amount=money_text(outcome.refunded_cents, self.business.currency))
                  if outcome.refunded_cents else "")
        queue_text(self.session, self.business, phone=customer.phone, channel=Channel(row.channel), now=self.now,
                   kind="owner_cancelled", template_variables={"1": service.name, "2": when},
                   body=notice(lang, "owner_cancelled", business=self.business.name, service=service.name,
                               when=when, refund=refund))
        return OwnerAction(True, "", self._card(row), refunded_cents=outcome.refunded_cents)

    # Requests, the next job and time off (flows/owner.py's `step`); the work is in bot/bookings.py, bot/roster.py.

    @property
    def technician_names(self) -> list[str]:
        return [s.name for s in queries.staff_of(self.session, business_id=self.business.id)]

    def pending(self) -> list[AgendaLine]:
        rows, _ = queries.bookings_page(self.session, business_id=self.business.id, around=None,
                                        statuses=[BookingStatus.PENDING_APPROVAL.value], limit=20, offset=0)
        return [self._agenda_line(row) for row in rows]

    def approve(self, booking_id: int) -> OwnerAction:
        return self._decide(booking_id, lambda row: bookings.approve(self.session, self.business, row, now=self.now,
                                                                     public_base_url=self.public_base_url))

    def decline(self, booking_id: int, reason: str) -> OwnerAction:
        return self._decide(booking_id, lambda row: bookings.decline(self.session, self.business, row, reason=reason,
                                                                     now=self.now, payments=self.payments))

    def _decide(self, booking_id: int, act) -> OwnerAction:
        row = self._booking(booking_id)
        if row is None:
            return OwnerAction(False, "not_found")
        if row.status != BookingStatus.PENDING_APPROVAL:
            return OwnerAction(False, "wrong_status", self._card(row))
        try:
            outcome = act(row)
        except bookings.Refusal as refusal:
            return OwnerAction(False, "refund_failed" if "refund" in refusal.message else "wrong_status",
                               self._card(row))
        refunded = outcome.refunded_cents if isinstance(outcome, bookings.Declined) else 0
        return OwnerAction(True, "", self._card(row), refunded_cents=refunded)

    def next_job(self) -> Job | None:
        rows, _ = queries.bookings_page(self.session, business_id=self.business.id,
                                        around=Span(self.now, self.now + timedelta(days=366)),
                                        statuses=[BookingStatus.CONFIRMED.value], limit=1, offset=0)
        if not rows:
            return None
        row = rows[0]
        customer, service = self.session.get(Customer, row.customer_id), self.session.get(Service, row.service_id)
        return Job(row.id, row.start_at, _who(customer), pretty(customer.phone), service.name, row.address,
                   self.session.get(Staff, row.staff_id).name)

    def block(self, windows: Sequence[TimeWindow], technician: str | None, *, force: bool) -> Blocked:
        staff = [s for s in queries.staff_of(self.session, business_id=self.business.id)
                 if technician is None or s.name == technician]
        spans = [Span(max(w.start, self.now).astimezone(UTC), w.end.astimezone(UTC)) for w in windows]
        who = technician or "everyone"
        shown = tuple((w.start, w.end) for w in windows)
        clashes = [b for span in spans for b in roster.clashes(self.session, self.business, staff, span, now=self.now)]
        if clashes and not force:
            unique = {b.id: b for b in clashes}
            return Blocked(False, who, shown, tuple(self._agenda_line(b) for b in unique.values()))
        for span in spans:
            roster.add_time_off(self.session, self.business, staff, span, reason="blocked by text", force=True,
                                now=self.now)
        return Blocked(True, who, shown)

    def _agenda_line(self, row: Booking) -> AgendaLine:
        customer, service = self.session.get(Customer, row.customer_id), self.session.get(Service, row.service_id)
        return AgendaLine(row.start_at, _who(customer), service.name, row.status, row.id)

    def _booking(self, booking_id: int) -> Booking | None:
        row = self.session.get(Booking, booking_id)
        return row if row is not None and row.business_id == self.business.id else None

    def _card(self, row: Booking) -> BookingCard:
        customer, service = self.session.get(Customer, row.customer_id), self.session.get(Service, row.service_id)
        payments = tuple(self._line(p, row) for p in queries.payments_for(self.session, booking_id=row.id))
        return BookingCard(row.id, row.start_at, _who(customer), pretty(customer.phone), service.name, row.status,
                           row.address, row.deposit_cents, self.business.currency, customer.no_show_count or 0,
                           payments)

    def _line(self, payment: Payment, row: Booking) -> PaymentLine:
        customer, service = self.session.get(Customer, row.customer_id), self.session.get(Service, row.service_id)
        return PaymentLine(row.id, payment.amount_cents, payment.currency, payment.status, payment.provider,
                           payment.provider_ref, payment.payment_intent, payment.refunded_cents, payment.refund_ref,
                           _who(customer), service.name, row.start_at)


def _who(customer: Customer) -> str:
    return customer.name or pretty(customer.phone)
