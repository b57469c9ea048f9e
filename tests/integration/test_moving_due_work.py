"""queries.move_open_due_work: one UPDATE that the session's own objects agree with."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect
from sqlmodel import select

from bot.db import queries
from bot.db.session import transaction
from bot.db.tables import Booking, Customer, DueWork

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
