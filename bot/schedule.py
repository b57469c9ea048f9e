"""A business's schedule, loaded from the database, as the availability engine's request.

The shell around `bot.domain.availability`: the flow's desk, the late-payment re-check and owner
tools all ask for slots through here, so they see the same rules.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.adapters.maps import TravelMatrix
from bot.db import queries
from bot.db.tables import Business, Service
from bot.reminders import HOLD_EXPIRY, HOLD_LAPSED
from bot.domain.availability import ServiceSpec, Slot, SlotRequest, find_slots
from bot.domain.offers import best_per_start
from bot.domain.span import Span
from bot.domain.travel import Place, RecordedTravel, StraightLineTravel, TravelTimes

# Jobs this far either side of a window can still push into it (buffers and driving).
MARGIN = timedelta(days=1)
# A route matrix answers a whole scan in one go, so the scan's drives share one departure time: 10:00 on the
# first day asked about, between the rush hours. Being the same for every scan of that day, it lets the
# offer and the hold's re-check (and other customers asking about that day) agree and share the cache.
DEPARTURE_LOCAL = time(10)
# Google wants a departure in the future.
DEPARTURE_LEAD = timedelta(minutes=1)
T = TypeVar("T")


def service_spec(business: Business, service: Service) -> ServiceSpec:
    after = business.buffer_minutes if service.buffer_after_minutes is None else service.buffer_after_minutes
    return ServiceSpec(service.name, timedelta(minutes=service.duration_minutes),
                       buffer_before=timedelta(minutes=service.buffer_before_minutes),
                       buffer_after=timedelta(minutes=after), seats=service.seats)


def travel_for(business: Business, travel: TravelTimes | TravelMatrix | None = None) -> TravelTimes | None:
    """The drive times a scan starts from: none when customers come to the business; else the given ones, or
    a route matrix's own estimate (`scanned` then asks the matrix), with the business's guess for an address
    without coordinates when they are a straight-line estimate."""
    if not business.is_mobile:
        return None
    estimate = travel.estimate if isinstance(travel, TravelMatrix) else travel
    if estimate is None:
        return StraightLineTravel(unknown_minutes=business.unknown_drive_minutes)
    if isinstance(estimate, StraightLineTravel):
        return replace(estimate, unknown_minutes=business.unknown_drive_minutes)
    return estimate


def scanned(request: SlotRequest, scan: Callable[[SlotRequest], T],
            travel: TravelTimes | TravelMatrix | None = None) -> T:
    """`scan(request)` (find_slots, nearest_slots), with drive times from a route matrix when `travel` is one.

    The engine asks for drives pair by pair, and a matrix answers best all at once. So the scan runs first
    on the straight-line estimate, noting every pair it asks about; the matrix fetches those in one batch
    (mostly from its cache); the scan runs again on the answers. The engine never knows which it got.
    """
    if not isinstance(travel, TravelMatrix) or request.travel is None:
        return scan(request)
    asked = RecordedTravel(request.travel)
    first = scan(replace(request, travel=asked))
    if not asked.asked:
        return first
    answers = travel.times(asked.asked, departure_at=departure_for(request), fallback=request.travel)
    return scan(replace(request, travel=answers))


def departure_for(request: SlotRequest) -> datetime:
    """When a scan's drives leave: DEPARTURE_LOCAL on the first day asked about, and never before now."""
    zone = ZoneInfo(request.tz) if isinstance(request.tz, str) else request.tz
    day = min(w.start for w in request.windows).astimezone(zone).date()
    at = datetime.combine(day, DEPARTURE_LOCAL, tzinfo=zone).astimezone(UTC)
    return max(at, request.now.astimezone(UTC) + DEPARTURE_LEAD)


def slot_request(session: Session, business: Business, service: Service, *, windows: Sequence[Span],
                 now: datetime, place: Place | None, travel: TravelTimes | TravelMatrix | None = None,
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
            travel: TravelTimes | TravelMatrix | None = None) -> Slot | None:
    """The best technician's slot at exactly `start`, or None when nobody can take it any more. Callers
    write the booking in the same transaction: on PostgreSQL this first locks the business row (so slot
    takers queue, as SQLite's BEGIN IMMEDIATE makes them) and expires lapsed holds, which the database's
    no-double-booking constraint would otherwise still count (migration 0007)."""
    if session.get_bind().dialect.name == "postgresql":
        queries.lock_business(session, business_id=business.id)
        queries.lapse_holds(session, business_id=business.id, now=now, expiry_kind=HOLD_EXPIRY, lapsed_kind=HOLD_LAPSED)
    request = slot_request(session, business, service, windows=[Span(start, start)], now=now, place=place,
                           exclude_booking_id=exclude_booking_id, notice=notice, travel=travel)
    best = best_per_start(scanned(request, find_slots, travel))
    return best[0] if best else None
