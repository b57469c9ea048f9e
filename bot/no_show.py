"""The customer did not turn up: the booking becomes a no-show, the deposit is kept (that is what it is
for), and the customer's count rises, so the business can ask them for a deposit next time
(Business.no_show_deposit_cents, applied in bot/domain/deposit.py)."""

from datetime import datetime

from sqlmodel import Session, select

from bot.db.tables import Booking, Customer, DueWork
from bot.domain.booking import BookingStatus, checked_move


def mark_no_show(session: Session, booking: Booking, *, now: datetime) -> str:
    """'marked', or why not: 'already' (marked before: nothing changes twice), 'too_early' (it has not
    started yet), 'wrong_status' (cancelled, expired and the like: it was never on)."""
    if booking.status == BookingStatus.NO_SHOW:
        return "already"
    if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        return "wrong_status"   # only a booking that was on can be missed
    if booking.start_at > now:
        return "too_early"
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.NO_SHOW).value
    booking.updated_at = now
    customer = session.get(Customer, booking.customer_id)
    customer.no_show_count = (customer.no_show_count or 0) + 1
    # No thank-you follow-up or rebooking nudge for a job that did not happen.
    for due in session.exec(select(DueWork).where(DueWork.booking_id == booking.id, DueWork.done_at == None)):  # noqa: E711
        due.done_at = now
    return "marked"
