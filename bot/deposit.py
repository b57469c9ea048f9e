"""A deposit was paid: confirm the booking, or refund it when the slot has gone meanwhile.

The local /pay/{token} page and (later) Stripe's webhook both end here, so the embedded default
exercises the same path as production.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.adapters.payment import PaymentGateway
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, Payment, Service
from bot.domain.booking import FIRM, BookingStatus
from bot.domain.phone import Channel
from bot.domain.travel import Place
from bot.domain.wording import late_payment_text, pending_approval_text
from bot.front_desk import confirmation_for, finalise, queue_text
from bot.schedule import free_at

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PaymentOutcome:
    status: str          # "confirmed", "pending_approval", "refunded", "already_paid"
    booking: Booking


def record_payment(session: Session, payment: Payment, *, now: datetime, payments: PaymentGateway) -> PaymentOutcome:
    """Apply a completed deposit payment exactly once (a replay changes nothing)."""
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
    if _slot_still_ours(session, booking, business, service, now):
        if booking.status in (BookingStatus.EXPIRED, BookingStatus.CANCELLED):
            # The hold lapsed but nobody took the time: take it back rather than refund.
            booking.status = BookingStatus.AWAITING_PAYMENT.value
        status = finalise(session, booking, business=business, customer=customer, service=service, now=now)
        text = (confirmation_for(booking, business, service, customer.language) if status == BookingStatus.CONFIRMED
                else pending_approval_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                           language=customer.language))
        queue_text(session, business, phone=customer.phone, channel=channel, body=text, now=now)
        _reset_conversation(session, business, customer, channel, now)
        return PaymentOutcome(status, booking)
    refund_id = payments.refund(provider_ref=payment.provider_ref or payment.token, amount_cents=payment.amount_cents,
                                idempotency_key=f"late-{payment.id}")
    log.info("late deposit for booking %s refunded (%s)", booking.id, refund_id)
    payment.status = "refunded"
    if booking.status not in (BookingStatus.EXPIRED, BookingStatus.CANCELLED):
        booking.status = BookingStatus.EXPIRED.value
    booking.updated_at = now
    queue_text(session, business, phone=customer.phone, channel=channel,
               body=late_payment_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                      language=customer.language), now=now)
    _reset_conversation(session, business, customer, channel, now)
    return PaymentOutcome("refunded", booking)


def _slot_still_ours(session: Session, booking: Booking, business: Business, service: Service, now: datetime) -> bool:
    """Whether a technician is still free for the booking (ignoring the booking itself); if its own
    technician was taken in the meantime but another is free, the booking moves to them.

    Minimum notice does not apply: the customer picked this time while it was far enough ahead.
    """
    if booking.start_at <= now:
        return False
    place = Place(booking.address or "", booking.lat, booking.lng) if booking.address or booking.lat else None
    slot = free_at(session, business, service, booking.start_at, now=now, place=place,
                   exclude_booking_id=booking.id, notice=timedelta(0))
    if slot is None:
        return False
    booking.staff_id = slot.staff_id
    return True


def _reset_conversation(session: Session, business: Business, customer: Customer, channel: Channel,
                        now: datetime) -> None:
    conversation = queries.conversation_for(session, business_id=business.id, phone=customer.phone,
                                            channel=channel, now=now)
    if conversation.state == "pay":
        conversation.flow, conversation.state, conversation.data = "", "", {}
        conversation.version += 1
        conversation.updated_at = now
