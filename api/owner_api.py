"""The owner API, /api/v1: settings, services, technicians (hours, time off), bookings, customers.

Every route speaks for the one business its bearer token belongs to (`BusinessDep`); an id of anything
else is 404, exactly as an id that does not exist, so ids reveal nothing about other businesses. The
work is in bot/ (bookings, roster, policy); routes translate between HTTP and those functions.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.deps import AdaptersDep, ClockDep, SessionDep, SettingsDep
from api.schemas import (MAX_ROW, BookingCreate, BookingDecline, BookingPublic, BookingReschedule, BookingsPage,
                         CustomerDetail, CustomerPublic, CustomerRef, CustomersPage, CustomerUpdate, HoursInterval,
                         Outcome, Problem, RowId, ServiceCreate, ServicePublic, ServiceUpdate, SettingsPublic,
                         SettingsUpdate, TechnicianCreate, TechnicianPublic, TechnicianUpdate, TimeOffCreate,
                         TimeOffPublic, WeeklyHoursPublic, WeeklyHoursUpdate)
from bot import bookings, roster
from bot.access import business_for_token
from bot.bookings import ManualBooking, Refusal
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, Service, Staff, TimeOff
from bot.domain.booking import BookingStatus
from bot.domain.span import Span
from bot.policy import EDITABLE, booking_links, change_settings

# Documented for every operation so clients (and schemathesis) know each 4xx body's shape.
PROBLEMS: dict[int | str, dict] = {
    401: {"model": Problem, "description": "No valid bearer token"},
    404: {"model": Problem, "description": "Not found, or another business's"},
    409: {"model": Problem, "description": "The booking's state does not allow it"},
    422: {"model": Problem, "description": "Invalid input, with the fields it is about"},
}
router = APIRouter(prefix="/api/v1", tags=["owner"], responses=PROBLEMS)
bearer = HTTPBearer(auto_error=False, description="A token from `bot token create --business SLUG`.")
HISTORY = 50


def current_business(session: SessionDep, clock: ClockDep,
                     credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Business:
    """The business the bearer token speaks for; 401 without a valid one."""
    business = business_for_token(session, credentials.credentials, now=clock()) if credentials else None
    if business is None:
        raise HTTPException(401, "A valid bearer token is required (Authorization: Bearer bk_...).",
                            headers={"WWW-Authenticate": "Bearer"})
    return business


BusinessDep = Annotated[Business, Depends(current_business)]


def refused(request: Request, exc: Refusal) -> JSONResponse:
    """A Refusal from bot/: 422 for the input, 409 for the booking's state; with the field it is about."""
    return JSONResponse({"detail": f"{exc.field}: {exc.message}",
                         "errors": [{"field": exc.field, "message": exc.message}]},
                        status_code=409 if exc.conflict else 422)


# Settings

@router.get("/settings", response_model=SettingsPublic)
def read_settings(business: BusinessDep) -> SettingsPublic:
    return _settings(business)


@router.patch("/settings", response_model=SettingsPublic)
def update_settings(changes: SettingsUpdate, business: BusinessDep) -> SettingsPublic:
    """Change some settings; they apply from the next customer message."""
    data = changes.model_dump(exclude_unset=True)
    nullable = {"quiet_start", "quiet_end", "day_parts", "service_radius_km"}
    change_settings(business, {k: v for k, v in data.items() if v is not None or k in nullable})
    return _settings(business)


def _settings(business: Business) -> SettingsPublic:
    fields = {name: getattr(business, name) for name in EDITABLE}
    return SettingsPublic(**fields, id=business.id, slug=business.slug, time_zone=business.time_zone,
                          currency=business.currency, sms_phone=business.sms_phone,
                          whatsapp_phone=business.whatsapp_phone, owner_phones=list(business.owner_phones),
                          booking_links=booking_links(business))


# Services

@router.get("/services", response_model=list[ServicePublic])
def list_services(session: SessionDep, business: BusinessDep, include_inactive: bool = False) -> list[Service]:
    return queries.services_of(session, business_id=business.id, include_inactive=include_inactive)


@router.post("/services", response_model=ServicePublic, status_code=201)
def create_service(new: ServiceCreate, session: SessionDep, business: BusinessDep) -> Service:
    service = Service(business_id=business.id, **new.model_dump())
    session.add(service)
    session.flush()
    return service


@router.get("/services/{service_id}", response_model=ServicePublic)
def read_service(service_id: RowId, session: SessionDep, business: BusinessDep) -> Service:
    return _own(session, Service, service_id, business)


@router.patch("/services/{service_id}", response_model=ServicePublic)
def update_service(service_id: RowId, changes: ServiceUpdate, session: SessionDep, business: BusinessDep) -> Service:
    service = _own(session, Service, service_id, business)
    data = changes.model_dump(exclude_unset=True)
    nullable = {"deposit_policy", "deposit_percent", "buffer_after_minutes", "rebook_weeks"}
    service.sqlmodel_update({k: v for k, v in data.items() if v is not None or k in nullable})
    return service


@router.delete("/services/{service_id}", status_code=204)
def delete_service(service_id: RowId, session: SessionDep, business: BusinessDep) -> Response:
    """Retire a service: customers can no longer book it; existing bookings keep it."""
    _own(session, Service, service_id, business).active = False
    return Response(status_code=204)


# Technicians

@router.get("/technicians", response_model=list[TechnicianPublic])
def list_technicians(session: SessionDep, business: BusinessDep,
                     include_inactive: bool = False) -> list[TechnicianPublic]:
    return [_technician(session, s) for s in queries.staff_of(session, business_id=business.id,
                                                              include_inactive=include_inactive)]


@router.post("/technicians", response_model=TechnicianPublic, status_code=201)
def create_technician(new: TechnicianCreate, session: SessionDep, business: BusinessDep) -> TechnicianPublic:
    _check_services(session, business, new.service_ids)
    staff = Staff(business_id=business.id, **new.model_dump())
    session.add(staff)
    session.flush()
    return _technician(session, staff)


@router.get("/technicians/{technician_id}", response_model=TechnicianPublic)
def read_technician(technician_id: RowId, session: SessionDep, business: BusinessDep) -> TechnicianPublic:
    return _technician(session, _own(session, Staff, technician_id, business))


@router.patch("/technicians/{technician_id}", response_model=TechnicianPublic)
def update_technician(technician_id: RowId, changes: TechnicianUpdate, session: SessionDep,
                      business: BusinessDep) -> TechnicianPublic:
    staff = _own(session, Staff, technician_id, business)
    data = changes.model_dump(exclude_unset=True)
    if "service_ids" in data:
        _check_services(session, business, data["service_ids"])
    staff.sqlmodel_update({k: v for k, v in data.items() if v is not None or k in {"service_ids", "max_jobs_per_day"}})
    return _technician(session, staff)


@router.get("/technicians/{technician_id}/hours", response_model=WeeklyHoursPublic)
def read_hours(technician_id: RowId, session: SessionDep, business: BusinessDep) -> WeeklyHoursPublic:
    staff = _own(session, Staff, technician_id, business)
    return WeeklyHoursPublic(technician_id=staff.id, intervals=_intervals(session, staff))


@router.put("/technicians/{technician_id}/hours", response_model=WeeklyHoursPublic)
def replace_hours(technician_id: RowId, week: WeeklyHoursUpdate, session: SessionDep,
                  business: BusinessDep) -> WeeklyHoursPublic:
    """Replace the technician's whole week (several intervals a day are a split shift)."""
    staff = _own(session, Staff, technician_id, business)
    roster.set_weekly_hours(session, staff, [roster.Interval(i.weekday, i.opens, i.closes) for i in week.intervals])
    return WeeklyHoursPublic(technician_id=staff.id, intervals=_intervals(session, staff))


# Time off and holidays

@router.get("/time-off", response_model=list[TimeOffPublic])
def list_time_off(session: SessionDep, business: BusinessDep, technician_id: RowId | None = None,
                  from_: Annotated[date | None, Query(alias="from")] = None,
                  to: date | None = None) -> list[TimeOffPublic]:
    staff = ([_own(session, Staff, technician_id, business)] if technician_id is not None
             else queries.staff_of(session, business_id=business.id, include_inactive=True))
    around = _days(business, from_, to) if from_ or to else None
    return [_time_off(r) for r in queries.time_off_of(session, staff_ids=[s.id for s in staff], around=around)]


@router.post("/time-off", response_model=list[TimeOffPublic], status_code=201)
def create_time_off(new: TimeOffCreate, session: SessionDep, business: BusinessDep,
                    clock: ClockDep) -> list[TimeOffPublic]:
    """Time off for some technicians, or a holiday for all. 422 when it clashes with bookings, unless `force`."""
    staff = ([_own(session, Staff, i, business) for i in new.technician_ids] if new.technician_ids
             else queries.staff_of(session, business_id=business.id))
    span = Span(_aware(new.start_at, business), _aware(new.end_at, business))
    rows = roster.add_time_off(session, business, staff, span, reason=new.reason, force=new.force, now=clock())
    return [_time_off(r) for r in rows]


@router.delete("/time-off/{time_off_id}", status_code=204)
def delete_time_off(time_off_id: RowId, session: SessionDep, business: BusinessDep) -> Response:
    row = roster.own_time_off(session, business, time_off_id)
    if row is None:
        raise HTTPException(404, "No such time off.")
    session.delete(row)
    return Response(status_code=204)


# Bookings

@router.get("/bookings", response_model=BookingsPage)
def list_bookings(session: SessionDep, business: BusinessDep, day: date | None = None,
                  from_: Annotated[date | None, Query(alias="from", description="first local day")] = None,
                  to: Annotated[date | None, Query(description="last local day (inclusive)")] = None,
                  status: Annotated[list[BookingStatus] | None, Query()] = None,
                  technician_id: RowId | None = None, customer_id: RowId | None = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0) -> BookingsPage:
    """Bookings by local day (`day`) or range of days (`from`, `to`), status, technician, customer; soonest first."""
    if day is not None and (from_ or to):
        raise Refusal("day", "give either day or from/to, not both")
    around = _days(business, day, day) if day else (_days(business, from_, to) if from_ or to else None)
    rows, total = queries.bookings_page(session, business_id=business.id, around=around,
                                        statuses=[s.value for s in status or []], staff_id=technician_id,
                                        customer_id=customer_id, limit=limit, offset=offset)
    return BookingsPage(items=[_booking(session, business, b) for b in rows], total=total, limit=limit, offset=offset)


@router.post("/bookings", response_model=BookingPublic, status_code=201)
def create_booking(new: BookingCreate, session: SessionDep, business: BusinessDep, clock: ClockDep,
                   settings: SettingsDep) -> BookingPublic:
    """Book a phone or walk-in customer: the same availability check as a texted booking; `force` books over a
    clash (recorded on the booking); `text_customer` texts them a confirmation."""
    booking = bookings.book(session, business, ManualBooking(
        service_id=new.service_id, start_at=_aware(new.start_at, business), phone=new.phone, name=new.name,
        origin=new.origin, address=new.address, technician_id=new.technician_id, force=new.force,
        text_customer=new.text_customer, note=new.note), now=clock(), public_base_url=settings.public_base_url)
    return _booking(session, business, booking)


@router.get("/bookings/{booking_id}", response_model=BookingPublic)
def read_booking(booking_id: RowId, session: SessionDep, business: BusinessDep) -> BookingPublic:
    return _booking(session, business, _own(session, Booking, booking_id, business))


@router.post("/bookings/{booking_id}/reschedule", response_model=Outcome)
def reschedule_booking(booking_id: RowId, move: BookingReschedule, session: SessionDep, business: BusinessDep,
                       clock: ClockDep, settings: SettingsDep) -> Outcome:
    booking = _own(session, Booking, booking_id, business)
    bookings.reschedule(session, business, booking, _aware(move.start_at, business), now=clock(),
                        technician_id=move.technician_id, force=move.force, text_customer=move.text_customer,
                        public_base_url=settings.public_base_url)
    return Outcome(booking=_booking(session, business, booking), changed=True)


@router.post("/bookings/{booking_id}/cancel", response_model=Outcome)
def cancel_booking(booking_id: RowId, session: SessionDep, business: BusinessDep, clock: ClockDep,
                   adapters: AdaptersDep) -> Outcome:
    """Cancel as the business: any deposit is refunded and the customer is told."""
    booking = _own(session, Booking, booking_id, business)
    if booking.status == BookingStatus.CANCELLED:
        return Outcome(booking=_booking(session, business, booking), changed=False)
    refunded = bookings.cancel(session, business, booking, now=clock(), payments=adapters.payments)
    return Outcome(booking=_booking(session, business, booking), changed=True, refunded_cents=refunded)


@router.post("/bookings/{booking_id}/approve", response_model=Outcome)
def approve_booking(booking_id: RowId, session: SessionDep, business: BusinessDep, clock: ClockDep,
                    settings: SettingsDep) -> Outcome:
    booking = _own(session, Booking, booking_id, business)
    changed = bookings.approve(session, business, booking, now=clock(), public_base_url=settings.public_base_url)
    return Outcome(booking=_booking(session, business, booking), changed=changed)


@router.post("/bookings/{booking_id}/decline", response_model=Outcome)
def decline_booking(booking_id: RowId, session: SessionDep, business: BusinessDep, clock: ClockDep,
                    adapters: AdaptersDep, body: BookingDecline | None = None) -> Outcome:
    """Decline a request: the slot is released, any deposit refunded, and the customer gets the reason and
    other times."""
    booking = _own(session, Booking, booking_id, business)
    if booking.status == BookingStatus.REJECTED:
        return Outcome(booking=_booking(session, business, booking), changed=False)
    declined = bookings.decline(session, business, booking, reason=body.reason if body else "", now=clock(),
                                payments=adapters.payments)
    return Outcome(booking=_booking(session, business, booking), changed=True,
                   refunded_cents=declined.refunded_cents, offered=declined.offered)


@router.post("/bookings/{booking_id}/complete", response_model=Outcome)
def complete_booking(booking_id: RowId, session: SessionDep, business: BusinessDep, clock: ClockDep) -> Outcome:
    booking = _own(session, Booking, booking_id, business)
    changed = bookings.complete(session, business, booking, now=clock())
    return Outcome(booking=_booking(session, business, booking), changed=changed)


@router.post("/bookings/{booking_id}/no-show", response_model=Outcome)
def no_show_booking(booking_id: RowId, session: SessionDep, business: BusinessDep, clock: ClockDep) -> Outcome:
    """The customer did not turn up: the deposit is kept and their no-show count rises."""
    booking = _own(session, Booking, booking_id, business)
    changed = bookings.no_show(session, booking, now=clock())
    return Outcome(booking=_booking(session, business, booking), changed=changed)


# Customers

@router.get("/customers", response_model=CustomersPage)
def list_customers(session: SessionDep, business: BusinessDep,
                   q: Annotated[str, Query(max_length=80, description="part of a name or phone number")] = "",
                   limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Annotated[int, Query(ge=0, le=MAX_ROW)] = 0) -> CustomersPage:
    rows, total = queries.customers_page(session, business_id=business.id, text=q.strip(), limit=limit,
                                         offset=offset)
    return CustomersPage(items=[_customer(c) for c in rows], total=total, limit=limit, offset=offset)


@router.get("/customers/{customer_id}", response_model=CustomerDetail)
def read_customer(customer_id: RowId, session: SessionDep, business: BusinessDep) -> CustomerDetail:
    """A customer with their no-show count, opt-out state and booking history."""
    customer = _own(session, Customer, customer_id, business)
    rows, _ = queries.bookings_page(session, business_id=business.id, around=None, statuses=[],
                                    customer_id=customer.id, limit=HISTORY, offset=0, newest_first=True)
    history = [_booking(session, business, b) for b in rows]
    return CustomerDetail(**_customer(customer).model_dump(), bookings=history)


@router.patch("/customers/{customer_id}", response_model=CustomerPublic)
def update_customer(customer_id: RowId, changes: CustomerUpdate, session: SessionDep,
                    business: BusinessDep) -> CustomerPublic:
    """Name and address. Opting out or back in is the customer's own word (STOP / START), never the owner's."""
    customer = _own(session, Customer, customer_id, business)
    data = changes.model_dump(exclude_unset=True)
    if "address" in data and data["address"] != customer.address:
        customer.lat = customer.lng = None  # the old coordinates were for the old address
    customer.sqlmodel_update(data)
    return _customer(customer)


# Helpers

def _own(session: Session, table: type, row_id: int, business: Business) -> Any:
    """The business's row with this id; 404 for another business's, exactly as for one that does not exist."""
    row = session.get(table, row_id)
    if row is None or row.business_id != business.id:
        raise HTTPException(404, f"No such {table.__name__.lower().replace('staff', 'technician')}.")
    return row


def _aware(value: datetime, business: Business) -> datetime:
    """A time from a request in UTC; one without an offset is the business's local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(business.time_zone))
    return value.astimezone(UTC)


def _days(business: Business, first: date | None, last: date | None) -> Span:
    """Local days first..last (inclusive) as a UTC span; an open end is far away."""
    zone = ZoneInfo(business.time_zone)
    start = datetime.combine(first or date(1970, 1, 1), datetime.min.time(), zone)
    end = datetime.combine((last or date(9998, 12, 31)) + timedelta(days=1), datetime.min.time(), zone)
    if end <= start:
        raise Refusal("to", "must not be before from")
    return Span(start.astimezone(UTC), end.astimezone(UTC))


def _check_services(session: Session, business: Business, service_ids: list[int] | None) -> None:
    for service_id in service_ids or []:
        service = session.get(Service, service_id)
        if service is None or service.business_id != business.id:
            raise Refusal("service_ids", f"no such service: {service_id}")


def _intervals(session: Session, staff: Staff) -> list[HoursInterval]:
    return [HoursInterval(weekday=i.weekday, opens=i.opens, closes=i.closes) for i in roster.weekly_hours(session, staff)]


def _technician(session: Session, staff: Staff) -> TechnicianPublic:
    return TechnicianPublic(id=staff.id, active=staff.active, name=staff.name, service_ids=staff.service_ids,
                            base_address=staff.base_address, max_jobs_per_day=staff.max_jobs_per_day,
                            hours=_intervals(session, staff))


def _time_off(row: TimeOff) -> TimeOffPublic:
    return TimeOffPublic(id=row.id, technician_id=row.staff_id, start_at=row.start_at, end_at=row.end_at,
                         reason=row.reason)


def _customer(customer: Customer) -> CustomerPublic:
    return CustomerPublic(id=customer.id, phone=customer.phone, name=customer.name, address=customer.address,
                          language=customer.language, no_show_count=customer.no_show_count or 0,
                          opted_out=customer.opted_out, opted_out_at=customer.opted_out_at)


def _booking(session: Session, business: Business, booking: Booking) -> BookingPublic:
    customer = session.get(Customer, booking.customer_id)
    service, staff = session.get(Service, booking.service_id), session.get(Staff, booking.staff_id)
    return BookingPublic(
        id=booking.id, status=booking.status, service_id=service.id, service=service.name, technician_id=staff.id,
        technician=staff.name, customer=CustomerRef(id=customer.id, name=customer.name, phone=customer.phone),
        start_at=booking.start_at.astimezone(UTC), end_at=booking.end_at.astimezone(UTC),
        start_local=booking.start_at.astimezone(ZoneInfo(business.time_zone)).isoformat(), address=booking.address,
        deposit_cents=booking.deposit_cents, origin=booking.origin, forced=booking.forced, note=booking.note,
        channel=booking.channel, created_at=booking.created_at.astimezone(UTC))
