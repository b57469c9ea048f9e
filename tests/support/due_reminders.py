"""Many confirmed bookings with a reminder due now, inserted in bulk (for the worker tests and the bench)."""

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlmodel import select

from bot.db.seed import DEMO_SLUG
from bot.db.session import engine_for, transaction
from bot.db.tables import Booking, Business, Conversation, Customer, DueWork, Service, Staff
from bot.reminders import REMINDER

CHUNK = 5000


def seed_due_reminders(database_url: str, count: int, *, now: datetime | None = None) -> None:
    """`count` customers, each with a Full Detail tomorrow and its reminder due a minute ago."""
    now = now or datetime.now(UTC)
    with transaction(database_url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        service = session.exec(select(Service).where(Service.business_id == business.id,
                                                     Service.name == "Full Detail")).one()
        staff = session.exec(select(Staff).where(Staff.business_id == business.id)).first()
        ids = (business.id, service.id, staff.id)
    first = int(now.timestamp()) % 1000 * 10_000  # distinct phones across runs on one database
    for offset in range(0, count, CHUNK):
        size = min(CHUNK, count - offset)
        with transaction(database_url) as session:
            connection = session.connection()
            business_id, service_id, staff_id = ids
            phones = [f"+1555{(first + offset + i) % 10_000_000:07d}" for i in range(size)]
            customer_ids = connection.execute(insert(Customer).returning(Customer.id), [
                {"business_id": business_id, "phone": phone, "name": f"Customer {offset + i}", "opted_out": False,
                 "language": "en", "address": "1100 Congress Ave, Austin, TX"}
                for i, phone in enumerate(phones)]).scalars().all()
            connection.execute(insert(Conversation), [  # they booked by text: each has a thread
                {"business_id": business_id, "phone": phone, "channel": "sms", "flow": "", "state": "", "data": {},
                 "version": 0, "updated_at": now} for phone in phones])
            start = now + timedelta(days=1)
            # All at one time with one technician, which only the owner's force allows (PostgreSQL's
            # no-double-booking constraint, migration 0007): what is measured here is sending, not booking.
            booking_ids = connection.execute(insert(Booking).returning(Booking.id), [
                {"code": secrets.token_urlsafe(12), "business_id": business_id, "customer_id": customer_id,
                 "staff_id": staff_id, "service_id": service_id, "status": "confirmed", "channel": "sms",
                 "start_at": start, "end_at": start + timedelta(hours=3), "deposit_cents": 5000, "seats": 1,
                 "address": "1100 Congress Ave, Austin, TX", "created_at": now, "updated_at": now, "forced": True}
                for customer_id in customer_ids]).scalars().all()
            connection.execute(insert(DueWork), [
                {"kind": REMINDER, "booking_id": booking_id, "due_at": now - timedelta(minutes=1), "attempts": 0}
                for booking_id in booking_ids])
    engine = engine_for(database_url)
    if engine.dialect.name == "postgresql":
        # As after any bulk load: fresh statistics, or the planner takes these tables for empty ones
        # (sequential scans that slow down as the run adds row versions).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
