"""Seeded businesses: "demo" is Shine Mobile Detailing, used by `bot demo`, the simulator and tests."""

from collections.abc import Callable
from datetime import time

from sqlmodel import Session, select

from bot.db.tables import Business, Service, Staff, WeeklyHours

DEMO_SLUG = "shine"
DEMO_CUSTOMER_PHONES = ("+15550100001", "+15550100002", "+15550100003")
# The demo business's owner-page sign-in, documented in the README: a demo database only, never a real one.
DEMO_OWNER_EMAIL = "owner@shine.example"
DEMO_OWNER_PASSWORD = "shine-demo-owner"


def seed_demo(session: Session) -> Business:
    """Shine Mobile Detailing, created once; a second run finds it and changes nothing."""
    existing = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).first()
    if existing is not None:
        _seed_demo_owner(session, existing)  # a demo database made before owner accounts existed gets one too
        return existing
    business = Business(
        slug=DEMO_SLUG, name="Shine Mobile Detailing", time_zone="America/Chicago",
        sms_phone="+15550001111", whatsapp_phone="+15550001111", owner_phones=["+15550002222"],
        address="we come to you", is_mobile=True, currency="usd", buffer_minutes=15,
    )
    session.add(business)
    session.flush()
    # Aliases include Spanish names: customers write in both languages.
    services = [
        Service(business_id=business.id, name="Express Wash",
                aliases=["express", "wash", "quick wash", "lavado", "lavado express", "lavado rápido"],
                duration_minutes=45, price_cents=4000, deposit_policy="fixed", deposit_cents=1000,
                rebook_weeks=4),
        Service(business_id=business.id, name="Full Detail",
                aliases=["full detail", "full", "detail", "detallado completo", "detallado"],
                duration_minutes=180, price_cents=18000, deposit_policy="fixed", deposit_cents=5000,
                rebook_weeks=12),
        Service(business_id=business.id, name="Interior Detail",
                aliases=["interior", "inside", "inside only", "solo interior", "detallado interior"],
                duration_minutes=90, price_cents=9000, deposit_policy="fixed", deposit_cents=2500,
                rebook_weeks=8),
    ]
    session.add_all(services)  # rebook_weeks: when to suggest the next one ("Time for another Full Detail?")
    # Both vans start the day from home, in different parts of town: route-aware offers prefer the
    # technician already nearby.
    bases = {"Alex": ("1400 E 6th St, Austin, TX", 30.2640, -97.7263),
             "Sam": ("2100 S Lamar Blvd, Austin, TX", 30.2477, -97.7686)}
    for name, (address, lat, lng) in bases.items():
        staff = Staff(business_id=business.id, name=name, base_address=address, base_lat=lat, base_lng=lng)
        session.add(staff)
        session.flush()
        session.add_all(WeeklyHours(staff_id=staff.id, weekday=day, opens=time(8), closes=time(18))
                        for day in range(6))  # Monday to Saturday
    session.flush()
    _seed_demo_owner(session, business)
    return business


def _seed_demo_owner(session: Session, business: Business) -> None:
    from datetime import UTC, datetime

    from bot.access import create_owner_account
    from bot.db.queries import owner_account_by_email

    if owner_account_by_email(session, email=DEMO_OWNER_EMAIL) is None:
        create_owner_account(session, business, email=DEMO_OWNER_EMAIL, password=DEMO_OWNER_PASSWORD,
                             now=datetime.now(UTC))


SEEDS: dict[str, Callable[[Session], Business]] = {"demo": seed_demo}


def prepare(url: str, seed: str = "demo") -> None:
    """Migrate the database at `url` to the newest schema and seed it; safe to run again."""
    from bot.db.schema import upgrade
    from bot.db.session import transaction

    upgrade(url)
    with transaction(url) as session:
        SEEDS[seed](session)
