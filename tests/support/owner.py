"""Fixtures and helpers for the owner's side: API tokens, a second business, a texted request waiting for
approval. Test modules import the fixtures they use by name."""

from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest
from sqlmodel import select

from bot.access import create_api_token
from bot.db.seed import DEMO_SLUG
from bot.db.session import transaction
from bot.db.tables import Booking, Business, Customer, Service, Staff, WeeklyHours
from tests.conftest import execute, replies, signed_post, twilio_form

CREATED = datetime(2026, 3, 1, tzinfo=UTC)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token(db_url) -> str:
    """An API token of the demo business (Shine Mobile Detailing)."""
    with transaction(db_url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        return create_api_token(session, business, label="tests", now=CREATED)


@pytest.fixture
def auth(token) -> dict[str, str]:
    return bearer(token)


@dataclass(frozen=True)
class Other:
    """A second business with one of everything, and its own token."""

    token: str
    service_id: int
    staff_id: int
    customer_id: int
    booking_id: int


@pytest.fixture
def other(db_url) -> Other:
    with transaction(db_url) as session:
        business = Business(slug="sparkle", name="Sparkle Cleaning", time_zone="America/New_York",
                            sms_phone="+15550009999", owner_phones=["+15550008888"], is_mobile=False)
        session.add(business)
        session.flush()
        service = Service(business_id=business.id, name="Deep Clean", duration_minutes=120, price_cents=15000)
        staff = Staff(business_id=business.id, name="Jo")
        customer = Customer(business_id=business.id, phone="+15550107777", name="Kim")
        session.add_all([service, staff, customer])
        session.flush()
        session.add(WeeklyHours(staff_id=staff.id, weekday=2, opens=time(9), closes=time(17)))
        booking = Booking(code="other-booking", business_id=business.id, customer_id=customer.id, staff_id=staff.id,
                          service_id=service.id, status="confirmed", start_at=datetime(2026, 3, 11, 15, tzinfo=UTC),
                          end_at=datetime(2026, 3, 11, 17, tzinfo=UTC), created_at=CREATED, updated_at=CREATED)
        session.add(booking)
        session.flush()
        token = create_api_token(session, business, now=CREATED)
        return Other(token, service.id, staff.id, customer.id, booking.id)


def requires_approval(db_url: str) -> None:
    execute(db_url, "update business set requires_approval = 1 where slug = 'shine'")


def texted_request(client, phone: str, *, text: str = "tomorrow afternoon, full detail", pick: str = "2",
                   name: str = "Dana") -> None:
    """A customer books by text and pays the deposit; with approval required it waits for the owner."""
    signed_post(client, twilio_form(text, from_=phone))
    signed_post(client, twilio_form(pick, from_=phone))
    link = replies(signed_post(client, twilio_form(name, from_=phone)))[0]
    assert "/pay/" in link, link
    client.post(f"/pay/{link.split('/pay/')[1].split()[0]}")
