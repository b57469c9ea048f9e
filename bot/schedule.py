"""A business's schedule, loaded from the database, as the availability engine's request.

The shell around `bot.domain.availability`: the flow's desk, the late-payment re-check and owner
tools all ask for slots through here, so they see the same rules.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.db import queries
from bot.db.tables import Business, Service
from bot.reminders import HOLD_EXPIRY, HOLD_LAPSED
from bot.domain.availability import ServiceSpec, Slot, SlotRequest, find_slots
from bot.domain.offers import best_per_start
from bot.domain.span import Span
from bot.domain.travel import Place, StraightLineTravel, TravelTimes

# Jobs this far either side of a window can still push into it (buffers and driving).
MARGIN = timedelta(days=1)


def service_spec(business: Business, service: Service) -> ServiceSpec:
    after = business.buffer_minutes if service.buffer_after_minutes is None else service.buffer_after_minutes
    return ServiceSpec(service.name, timedelta(minutes=service.duration_minutes),
                       buffer_before=timedelta(minutes=service.buffer_before_minutes),
                       buffer_after=timedelta(minutes=after), seats=service.seats)


def travel_for(business: Business, travel: TravelTimes | None = None) -> TravelTimes | None:
    """The drive-time provider for the business: none when customers come to it."""
    if not business.is_mobile:
        return None
    return travel or StraightLineTravel(unknown_minutes=business.unknown_drive_minutes)


def slot_request(session: Session, business: Business, service: Service, *, windows: Sequence[Span],
                 now: datetime, place: Place | None, travel: TravelTimes | None = None,
                 exclude_booking_id: int | None = None, notice: timedelta | None = None,
                 reach: Span | None = None) -> SlotRequest:
    """The engine's request for `windows`, with every technician's jobs that can affect them."""
    if reach is None:
        reach = Span(min(w.start for w in windows) - MARGIN, max(w.end for w in windows) + MARGIN)
    technicians = queries.technicians(session, business=business, around=reach, now=now,
                                      exclude_booking_id=exclude_booking_id)
    return SlotRequest(
        service=service_spec(business, service), technicians=technicians, windows=list(windows), now=now,
        tz=business.time_zone, grid=timedelta(minutes=business.slot_grid_minutes),
        notice=timedelta(minutes=business.min_notice_minutes) if notice is None else notice,
        horizon=timedelta(days=business.horizon_days), place=place if business.is_mobile else None,
        travel=travel_for(business, travel))


def free_at(session: Session, business: Business, service: Service, start: datetime, *, now: datetime,
            place: Place | None, exclude_booking_id: int | None = None, notice: timedelta | None = None,
            travel: TravelTimes | None = None) -> Slot | None:
    """The best technician's slot at exactly `start`, or None when nobody can take it any more. Callers
    write the booking in the same transaction: on PostgreSQL this first locks the business row (so slot
    takers queue, as SQLite's BEGIN IMMEDIATE makes them) and expires lapsed holds, which the database's
    no-double-booking constraint would otherwise still count (migration 0007)."""
    if session.get_bind().dialect.name == "postgresql":
        queries.lock_business(session, business_id=business.id)
        queries.lapse_holds(session, business_id=business.id, now=now, expiry_kind=HOLD_EXPIRY, lapsed_kind=HOLD_LAPSED)
    request = slot_request(session, business, service, windows=[Span(start, start)], now=now, place=place,
                           exclude_booking_id=exclude_booking_id, notice=notice, travel=travel)
    best = best_per_start(find_slots(request))
    return best[0] if best else None
