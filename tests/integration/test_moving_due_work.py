"""queries.move_open_due_work and queries.keep_unconfirmed: one UPDATE that the session's own objects agree with."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from bot.db import queries
from bot.db.session import transaction
from bot.db.tables import Booking, Customer, DueWork
from bot.domain.booking import BookingStatus

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=30)


def _booking(url: str) -> int:
    with transaction(url) as session:
        customer_id = queries.insert_row(session, Customer, business_id=1, phone="+15550109999")
        return queries.insert_row(session, Booking, code="moving-due-work", business_id=1, customer_id=customer_id,
                                  staff_id=1, service_id=1, status="held", start_at=NOW + timedelta(days=1),
                                  end_at=NOW + timedelta(days=1, hours=1), created_at=NOW, updated_at=NOW)


def test_open_rows_of_the_kind_move_and_the_sessions_objects_see_it(db_url):
    booking_id = _booking(db_url)
    with transaction(db_url) as session:
        session.add_all([DueWork(kind="hold.expiry", booking_id=booking_id, due_at=NOW, done_at=NOW),   # done
                         DueWork(kind="reminder", booking_id=booking_id, due_at=NOW)])                  # other kind
        loaded = DueWork(kind="hold.expiry", booking_id=booking_id, due_at=NOW)
        session.add(loaded)
        session.flush()
        pending = DueWork(kind="hold.expiry", booking_id=booking_id, due_at=NOW)   # added, not yet flushed
        session.add(pending)
        queries.move_open_due_work(session, booking_id=booking_id, kind="hold.expiry", due_at=LATER)
        assert loaded.due_at == LATER and pending.due_at == LATER
        assert not inspect(loaded).modified   # told the stored value, not changed by hand
    with transaction(db_url) as session:
        rows = sorted((d.kind, d.done_at is None, d.due_at) for d in session.exec(select(DueWork)))
    assert rows == [("hold.expiry", False, NOW), ("hold.expiry", True, LATER), ("hold.expiry", True, LATER),
                    ("reminder", True, NOW)]


def test_an_unconfirmed_booking_changes_with_one_update_the_sessions_row_agrees_with(db_url):
    """queries.keep_unconfirmed (the deposit request's change of its hold) leaves the booking as the ORM would:
    same columns, no calendar revision, and a loaded row told the new values."""
    booking_id = _booking(db_url)
    with transaction(db_url) as session:
        loaded = session.get(Booking, booking_id)
        queries.keep_unconfirmed(session, booking_id=booking_id, before=BookingStatus.HELD,
                                 status=BookingStatus.AWAITING_PAYMENT, hold_expires_at=LATER, now=LATER)
        assert (loaded.status, loaded.hold_expires_at, loaded.updated_at) == ("awaiting_payment", LATER, LATER)
        assert not inspect(loaded).modified
    with transaction(db_url) as session:
        stored = session.get(Booking, booking_id)
        assert (stored.status, stored.hold_expires_at, stored.updated_at, stored.revision) == \
            ("awaiting_payment", LATER, LATER, 0)
        held = queries.held_booking(session, booking_id=booking_id)
        assert (held.status, held.hold_expires_at, held.customer_id) == ("awaiting_payment", LATER, stored.customer_id)
        assert queries.held_booking(session, booking_id=booking_id + 1000) is None


@pytest.mark.parametrize("before, after", [(BookingStatus.HELD, BookingStatus.CONFIRMED),
                                           (BookingStatus.AWAITING_PAYMENT, BookingStatus.CANCELLED),
                                           (BookingStatus.CONFIRMED, BookingStatus.AWAITING_PAYMENT)])
def test_a_change_the_calendar_shows_is_refused_without_the_orm(db_url, before, after):
    booking_id = _booking(db_url)
    with transaction(db_url) as session:
        with pytest.raises(ValueError, match="through the ORM"):
            queries.keep_unconfirmed(session, booking_id=booking_id, before=before, status=after,
                                     hold_expires_at=LATER, now=LATER)
        assert session.get(Booking, booking_id).status == "held"
