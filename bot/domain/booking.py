"""The booking lifecycle: statuses, which of them keep a slot busy, and the allowed moves."""

from datetime import datetime, timedelta
from enum import StrEnum


class BookingStatus(StrEnum):
    HELD = "held"                          # a slot picked in the thread, waiting for the name
    AWAITING_PAYMENT = "awaiting_payment"  # deposit link sent
    PENDING_APPROVAL = "pending_approval"  # paid (or no deposit), the owner must approve
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REJECTED = "rejected"
    NO_SHOW = "no_show"


# Holds block a slot only until they lapse, even when the dispatcher that expires them runs late:
# otherwise a stalled background loop would make the business look fully booked.
HOLDING = frozenset({BookingStatus.HELD, BookingStatus.AWAITING_PAYMENT})
FIRM = frozenset({BookingStatus.PENDING_APPROVAL, BookingStatus.CONFIRMED})

ALLOWED_MOVES: dict[BookingStatus, frozenset[BookingStatus]] = {
    BookingStatus.HELD: frozenset(
        {BookingStatus.AWAITING_PAYMENT, BookingStatus.PENDING_APPROVAL, BookingStatus.CONFIRMED,
         BookingStatus.EXPIRED, BookingStatus.CANCELLED}),
    BookingStatus.AWAITING_PAYMENT: frozenset(
        {BookingStatus.PENDING_APPROVAL, BookingStatus.CONFIRMED, BookingStatus.EXPIRED,
         BookingStatus.CANCELLED}),
    BookingStatus.PENDING_APPROVAL: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.REJECTED, BookingStatus.EXPIRED, BookingStatus.CANCELLED}),
    BookingStatus.CONFIRMED: frozenset(
        {BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}),
    # Done is set automatically after the job; the owner may still say the customer never came.
    BookingStatus.COMPLETED: frozenset({BookingStatus.NO_SHOW}),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
    BookingStatus.REJECTED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
}


class InvalidMove(Exception):
    """A status change the lifecycle does not allow (a bug in the caller, not a customer mistake)."""


def can_move(current: BookingStatus, target: BookingStatus) -> bool:
    return target in ALLOWED_MOVES[current]


def checked_move(current: BookingStatus, target: BookingStatus) -> BookingStatus:
    """`target`, if the lifecycle allows moving there from `current`."""
    if not can_move(current, target):
        raise InvalidMove(f"booking cannot go from {current} to {target}")
    return target


def is_blocking(status: BookingStatus, hold_expires_at: datetime | None, now: datetime) -> bool:
    """Whether a booking in this status keeps its slot busy at `now`."""
    if status in FIRM:
        return True
    if status in HOLDING:
        return hold_expires_at is not None and hold_expires_at > now
    return False


def is_refundable_cancellation(start_at: datetime, now: datetime, refund_notice: timedelta, *, by_owner: bool) -> bool:
    """Whether cancelling now gives the deposit back: always when the owner cancels; for the customer,
    only with at least `refund_notice` to spare (a late cancellation costs the business the slot)."""
    return by_owner or start_at - now >= refund_notice
