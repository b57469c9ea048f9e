"""A deposit after its link went out: paid (confirm, or refund when the slot has gone), expired, refunded.

The local /pay/{token} page and Stripe's webhook (api/stripe_webhook.py -> `receive_event`) both end
here, so the embedded default exercises the same path as production. Each provider event is applied
once (stored in `provider_event`), and every step checks the state it finds, so events that arrive
twice or out of order change nothing twice: a duplicate "completed" never confirms again, an "expired"
after the hold already lapsed sends no second text, a "completed" after a refund does not re-book.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.adapters.payment import EventKind, GatewayEvent, PaymentGateway
from bot.checkout import refund_deposit
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, Payment, ProviderEvent, Service
from bot.domain.booking import FIRM, HOLDING, BookingStatus, checked_move
from bot.domain.phone import Channel
from bot.domain.travel import place_at
from bot.domain.wording import hold_lapsed_text, late_payment_text, notice, pending_approval_text, when_text
from bot.front_desk import confirmation_for, finalise
from bot.outbox import queue_text, steer
from bot.schedule import free_at

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentOutcome:
    status: str          # "confirmed", "pending_approval", "refunded", "already_paid"
    booking: Booking


def record_payment(session: Session, payment: Payment, *, now: datetime, payments: PaymentGateway,
                   public_base_url: str = "") -> PaymentOutcome:
    """Apply a completed deposit payment exactly once (a replay changes nothing). `public_base_url`: where the
    calendar links in the confirmation point ("": no links)."""
    booking = session.get(Booking, payment.booking_id)
    if payment.status in ("paid", "refunded"):
        return PaymentOutcome("already_paid", booking)
    business = session.get(Business, booking.business_id)
    customer = session.get(Customer, booking.customer_id)
    service = session.get(Service, booking.service_id)
    payment.status, payment.paid_at = "paid", now
    channel = Channel(booking.channel)
    if BookingStatus(booking.status) in FIRM:
        return PaymentOutcome("already_paid", booking)
    # A booking the customer let go (cancelled, or asked for another time) is not revived by paying for it.
    if booking.status != BookingStatus.CANCELLED and _slot_still_ours(session, booking, business, service, now):
        if booking.status == BookingStatus.EXPIRED:
            # The hold lapsed but nobody took the time: take it back rather than refund.
            booking.status = BookingStatus.AWAITING_PAYMENT.value
        status = finalise(session, booking, business=business, customer=customer, service=service, now=now)
        if status == BookingStatus.CONFIRMED:
            text = confirmation_for(booking, business, service, customer.language, public_base_url=public_base_url)
            kind = "confirmation"
        else:
            text, kind = pending_approval_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                               language=customer.language), "pending_approval"
        queue_text(session, business, phone=customer.phone, channel=channel, body=text, now=now, kind=kind)
        _reset_conversation(session, booking, customer, now)
        return PaymentOutcome(status, booking)
    # Never a double booking: the money goes back (the key makes a retried refund the same refund).
    refund_deposit(payment, payments=payments, idempotency_key=f"late-{payment.id}", now=now)
    log.info("late deposit for booking %s refunded (%s)", booking.id, payment.refund_ref)
    if BookingStatus(booking.status) in HOLDING:
        booking.status = checked_move(BookingStatus(booking.status), BookingStatus.EXPIRED).value
    booking.updated_at = now
    if booking.status == BookingStatus.CANCELLED:
        when = when_text(booking.start_at, business.time_zone, customer.language)
        text = notice(customer.language, "paid_after_cancel", service=service.name, when=when)
        kind = "paid_after_cancel"
    else:
        text, kind = late_payment_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                       language=customer.language), "late_payment"
    queue_text(session, business, phone=customer.phone, channel=channel, now=now, kind=kind, body=text)
    _reset_conversation(session, booking, customer, now)
    return PaymentOutcome("refunded", booking)


def receive_event(session: Session, event: GatewayEvent, *, provider: str, now: datetime,
                  payments: PaymentGateway, public_base_url: str = "") -> str:
    """Apply one verified provider event exactly once; returns what it did (also stored with the event)."""
    if queries.provider_event(session, provider=provider, event_id=event.id) is not None:
        return "duplicate"
    record = ProviderEvent(provider=provider, event_id=event.id, type=event.type[:100], received_at=now)
    session.add(record)
    session.flush()  # a concurrent delivery of the same event stops here (unique), and the caller re-reads it
    record.outcome = _apply(session, event, provider=provider, now=now, payments=payments,
                            public_base_url=public_base_url)
    return record.outcome


def _apply(session: Session, event: GatewayEvent, *, provider: str, now: datetime, payments: PaymentGateway,
           public_base_url: str) -> str:
    if event.kind is EventKind.IGNORED:
        return "ignored"
    payment = _payment_of(session, event, provider)
    if payment is None:
        # Not one of ours (another app on the same Stripe account), or a checkout whose turn rolled back
        # and whose link nobody ever got. Nothing to do, and retrying would not change that.
        log.warning("stripe event %s (%s) matches no payment; ignored", event.id, event.type)
        return "unknown_payment"
    if event.payment_intent and not payment.payment_intent:
        payment.payment_intent = event.payment_intent
    if event.kind is EventKind.PAID:
        if event.amount_cents is not None and event.amount_cents != payment.amount_cents:
            log.error("payment %s: asked for %s cents, checkout says %s", payment.id, payment.amount_cents,
                      event.amount_cents)
        return record_payment(session, payment, now=now, payments=payments, public_base_url=public_base_url).status
    if event.kind is EventKind.EXPIRED:
        return release_unpaid(session, payment, now=now)
    return record_refund(payment, refunded_cents=event.amount_cents or 0, now=now)


def _payment_of(session: Session, event: GatewayEvent, provider: str) -> Payment | None:
    """The payment an event is about: by checkout, else by payment, else (a refund that overtook the
    payment's own event) by the booking in its metadata."""
    if event.provider_ref:
        found = [p for p in queries.payments_by_ref(session, provider=provider, provider_ref=event.provider_ref)
                 # the checkout must be for the booking its metadata names, when it names one
                 if event.booking_id is None or p.booking_id == event.booking_id]
        return found[-1] if found else None
    if event.payment_intent:
        found = queries.payment_by_intent(session, provider=provider, payment_intent=event.payment_intent)
        if found is not None:
            return found
    if event.booking_id is not None and event.kind is EventKind.REFUNDED:
        attempts = [p for p in queries.payments_for(session, booking_id=event.booking_id)
                    if p.provider == provider and p.status != "failed" and not p.payment_intent]
        return attempts[-1] if attempts else None
    return None


def release_unpaid(session: Session, payment: Payment, *, now: datetime) -> str:
    """The checkout can no longer be paid: release the hold, tell the customer, let them start again."""
    if payment.status != "pending":
        return f"already_{payment.status}"  # paid, refunded, or expired here first (the hold lapsed)
    payment.status = "expired"
    booking = session.get(Booking, payment.booking_id)
    if BookingStatus(booking.status) not in HOLDING:
        return "expired"
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.EXPIRED).value
    booking.updated_at = now
    business = session.get(Business, booking.business_id)
    customer = session.get(Customer, booking.customer_id)
    service = session.get(Service, booking.service_id)
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=now, kind="hold_lapsed",
               body=hold_lapsed_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                     language=customer.language))
    _reset_conversation(session, booking, customer, now)
    return "released"


def record_refund(payment: Payment, *, refunded_cents: int, now: datetime) -> str:
    """A refund the provider reports (ours, or one made from its dashboard). Stripe's amount_refunded is the
    running total, so the largest one seen is right whatever order the events came in."""
    payment.refunded_cents = max(payment.refunded_cents, min(refunded_cents, payment.amount_cents))
    payment.refunded_at = payment.refunded_at or now
    if payment.refunded_cents >= payment.amount_cents:
        payment.status = "refunded"
    return "refund_recorded"


def _slot_still_ours(session: Session, booking: Booking, business: Business, service: Service, now: datetime) -> bool:
    """Whether a technician is still free for the booking (ignoring the booking itself); if its own
    technician was taken in the meantime but another is free, the booking moves to them.

    Minimum notice does not apply: the customer picked this time while it was far enough ahead.
    """
    if booking.start_at <= now:
        return False
    place = place_at(booking.address, booking.lat, booking.lng)
    slot = free_at(session, business, service, booking.start_at, now=now, place=place,
                   exclude_booking_id=booking.id, notice=timedelta(0))
    if slot is None:
        return False
    booking.staff_id = slot.staff_id
    return True


def _reset_conversation(session: Session, booking: Booking, customer: Customer, now: datetime) -> None:
    """A thread still waiting on this booking's payment starts over (its next text is a new request)."""
    conversation = queries.conversation_for(session, business_id=booking.business_id, phone=customer.phone,
                                            channel=Channel(booking.channel), now=now)
    if conversation.state in ("pay", "pay_retry") and conversation.data.get("booking_id") == booking.id:
        steer(conversation, flow="", state="", data={}, now=now)

