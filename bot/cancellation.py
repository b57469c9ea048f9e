"""Cancelling a booking: the one place that applies the cancellation policy and refunds the deposit.

Customer cancellations by text, owner cancellations (SMS, API, page) and declines all end here, so
the policy is applied the same way whoever cancels.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.adapters.payment import PaymentGateway
from bot.checkout import refund_deposit, stop_checkout
from bot.db.tables import Booking, Business, DueWork, Payment
from bot.domain.booking import BookingStatus, checked_move, is_refundable_cancellation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cancellation:
    refunded_cents: int     # given back to the customer
    kept_cents: int         # kept under the policy (a late cancellation)


def cancellation_terms(booking: Booking, business: Business, *, now: datetime, by_owner: bool) -> Cancellation:
    """What cancelling now would mean for the deposit, without changing anything (to tell the customer first)."""
    paid = booking.deposit_cents if booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL) else 0
    if is_refundable_cancellation(booking.start_at, now, timedelta(hours=business.cancel_refund_hours),
                                  by_owner=by_owner):
        return Cancellation(refunded_cents=paid, kept_cents=0)
    return Cancellation(refunded_cents=0, kept_cents=paid)


def cancel_booking(session: Session, booking: Booking, business: Business, *, now: datetime, by_owner: bool,
                   payments: PaymentGateway, status: BookingStatus = BookingStatus.CANCELLED) -> Cancellation:
    """Cancel (or decline/expire, via `status`), refund the deposit when the policy says so, and drop the
    booking's pending due work (reminders, expiries). Safe to call twice: the second call changes nothing."""
    if booking.status == status:
        return Cancellation(0, 0)
    terms = cancellation_terms(booking, business, now=now, by_owner=by_owner)
    booking.status = checked_move(BookingStatus(booking.status), status).value
    booking.hold_expires_at = None
    booking.updated_at = now
    for due in session.exec(select(DueWork).where(DueWork.booking_id == booking.id, DueWork.done_at == None)):  # noqa: E711
        due.done_at = now
    refunded = 0
    for payment in session.exec(select(Payment).where(Payment.booking_id == booking.id)):
        if payment.status == "pending":
            payment.status = "expired"
            stop_checkout(payment, payments, now=now)  # so the link cannot take money for a cancelled booking
        elif payment.status == "paid" and terms.refunded_cents:
            # The key makes a retried cancellation ask the provider for the same refund, never a second one.
            ref = refund_deposit(payment, payments=payments, idempotency_key=f"cancel-{payment.id}", now=now)
            log.info("refunded deposit of booking %s (%s)", booking.id, ref)
            refunded += payment.amount_cents
    return Cancellation(refunded_cents=refunded, kept_cents=terms.kept_cents)
