"""The owner API's request and response shapes, in the FastAPI template's families: `XBase` (shared fields),
`XCreate`, `XUpdate` (every field optional: PATCH), `XPublic` (what a response shows).

Times: `*_at` fields are ISO 8601. One without an offset ("2026-03-12T14:00") is the business's local
time; responses give UTC ("...Z") and the local time beside it (`start_local`).
"""

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, WithJsonSchema, field_validator

DepositPolicy = Literal["none", "fixed", "percent"]
DayPart = Literal["morning", "afternoon", "evening"]
Origin = Literal["phone", "walk_in"]
PostalCode = Annotated[str, Field(min_length=3, max_length=10, pattern=r"^[0-9A-Za-z][0-9A-Za-z -]*$",
                                  examples=["78701"])]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")   # a misspelt field is an error, not silently ignored


# A wall-clock time in the business's zone ("08:00" or "08:00:00"). JSON Schema's `format: time` is
# RFC 3339's full-time, which needs an offset, so documenting ours that way was a lie schemathesis caught.
CLOCK_TIME = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "examples": ["08:00"]}
ClockTime = Annotated[time, WithJsonSchema(CLOCK_TIME)]
MaybeClockTime = Annotated[time | None, WithJsonSchema({"anyOf": [CLOCK_TIME, {"type": "null"}]})]
# [from, to] of a day part; as `items` rather than `prefixItems`, which not every OpenAPI tool reads yet.
ClockRange = Annotated[tuple[time, time], WithJsonSchema({"type": "array", "items": CLOCK_TIME,
                                                          "minItems": 2, "maxItems": 2})]


# A row id. Bounded because SQLite and PostgreSQL keep 64-bit integers: a larger one in a path or body
# overflowed the driver (a 500 schemathesis found), where it should simply be a 422.
MAX_ROW = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW)]


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """Every 4xx body: `detail` for people, `errors` (when about fields) for programs."""

    detail: str
    errors: list[FieldProblem] = []


# Settings

class SettingsBase(Schema):
    name: str = Field(min_length=1, max_length=120)
    address: str = Field(default="", max_length=200)
    is_mobile: bool = True
    requires_approval: bool = False
    approval_hours: int = Field(default=24, ge=1, le=24 * 14, description="an unapproved request lapses then")
    buffer_minutes: int = Field(default=15, ge=0, le=240)
    slot_grid_minutes: int = Field(default=30, ge=5, le=240)
    min_notice_minutes: int = Field(default=60, ge=0, le=60 * 24 * 14)
    horizon_days: int = Field(default=60, ge=1, le=366)
    hold_minutes: int = Field(default=15, ge=1, le=240)
    payment_minutes: int = Field(default=30, ge=5, le=24 * 60)
    unknown_drive_minutes: int = Field(default=20, ge=0, le=240)
    cancel_refund_hours: int = Field(default=24, ge=0, le=24 * 30)
    deposit_policy: DepositPolicy = "none"
    deposit_cents: int = Field(default=0, ge=0, le=10_000_00)
    deposit_percent: int = Field(default=0, ge=0, le=100)
    no_show_deposit_cents: int = Field(default=0, ge=0, le=10_000_00)
    reminder_offsets_minutes: list[int] = Field(default_factory=lambda: [1440, 120], max_length=5)
    quiet_start: MaybeClockTime = None
    quiet_end: MaybeClockTime = None
    day_parts: dict[DayPart, ClockRange] | None = Field(
        default=None, description='e.g. {"morning": ["07:00", "12:00"]}; parts left out keep the defaults')
    service_radius_km: float | None = Field(default=None, gt=0, le=1000,
                                            description="a mobile business goes this far from a technician's base; "
                                                        "null: no radius rule")
    service_zips: list[PostalCode] = Field(default_factory=list, max_length=500,
                                           description="postal codes it goes to; empty: no ZIP rule. Either rule "
                                                       "lets an address in")


class SettingsUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    address: str | None = Field(default=None, max_length=200)
    is_mobile: bool | None = None
    requires_approval: bool | None = None
    approval_hours: int | None = Field(default=None, ge=1, le=24 * 14)
    buffer_minutes: int | None = Field(default=None, ge=0, le=240)
    slot_grid_minutes: int | None = Field(default=None, ge=5, le=240)
    min_notice_minutes: int | None = Field(default=None, ge=0, le=60 * 24 * 14)
    horizon_days: int | None = Field(default=None, ge=1, le=366)
    hold_minutes: int | None = Field(default=None, ge=1, le=240)
    payment_minutes: int | None = Field(default=None, ge=5, le=24 * 60)
    unknown_drive_minutes: int | None = Field(default=None, ge=0, le=240)
    cancel_refund_hours: int | None = Field(default=None, ge=0, le=24 * 30)
    deposit_policy: DepositPolicy | None = None
    deposit_cents: int | None = Field(default=None, ge=0, le=10_000_00)
    deposit_percent: int | None = Field(default=None, ge=0, le=100)
    no_show_deposit_cents: int | None = Field(default=None, ge=0, le=10_000_00)
    reminder_offsets_minutes: list[int] | None = Field(default=None, max_length=5)
    quiet_start: MaybeClockTime = None
    quiet_end: MaybeClockTime = None
    day_parts: dict[DayPart, ClockRange] | None = None
    service_radius_km: float | None = Field(default=None, gt=0, le=1000)
    service_zips: list[PostalCode] | None = Field(default=None, max_length=500)

    @field_validator("reminder_offsets_minutes")
    @classmethod
    def _offsets(cls, offsets: list[int] | None) -> list[int] | None:
        if any(not 10 <= minutes <= 60 * 24 * 14 for minutes in offsets or []):
            raise ValueError("each must be 10 minutes to 14 days")
        return offsets


class SettingsPublic(SettingsBase):
    id: int
    slug: str
    time_zone: str
    currency: str
    sms_phone: str | None
    whatsapp_phone: str | None
    owner_phones: list[str]
    booking_links: dict[str, str] = Field(description="links that open a text to the business, for a website")


# Services

class ServiceBase(Schema):
    name: str = Field(min_length=1, max_length=80)
    aliases: list[str] = Field(default_factory=list, max_length=30)
    duration_minutes: int = Field(ge=5, le=24 * 60)
    price_cents: int = Field(ge=0, le=100_000_00)
    deposit_policy: DepositPolicy | None = Field(default=None, description="null: the business's policy")
    deposit_cents: int = Field(default=0, ge=0, le=10_000_00)
    deposit_percent: int | None = Field(default=None, ge=0, le=100)
    buffer_before_minutes: int = Field(default=0, ge=0, le=240)
    buffer_after_minutes: int | None = Field(default=None, ge=0, le=240)
    seats: int = Field(default=1, ge=1, le=100)
    rebook_weeks: int | None = Field(default=None, ge=1, le=104)


class ServiceCreate(ServiceBase):
    pass


class ServiceUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    aliases: list[str] | None = Field(default=None, max_length=30)
    duration_minutes: int | None = Field(default=None, ge=5, le=24 * 60)
    price_cents: int | None = Field(default=None, ge=0, le=100_000_00)
    deposit_policy: DepositPolicy | None = None
    deposit_cents: int | None = Field(default=None, ge=0, le=10_000_00)
    deposit_percent: int | None = Field(default=None, ge=0, le=100)
    buffer_before_minutes: int | None = Field(default=None, ge=0, le=240)
    buffer_after_minutes: int | None = Field(default=None, ge=0, le=240)
    seats: int | None = Field(default=None, ge=1, le=100)
    rebook_weeks: int | None = Field(default=None, ge=1, le=104)
    active: bool | None = None


class ServicePublic(ServiceBase):
    id: int
    active: bool


# Technicians, their weekly hours and time off

class HoursInterval(Schema):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    opens: ClockTime
    closes: ClockTime

    @field_validator("closes")
    @classmethod
    def _after_opens(cls, closes: time, info: ValidationInfo) -> time:
        if "opens" in info.data and closes <= info.data["opens"]:
            raise ValueError("must be after opens")
        return closes


class WeeklyHoursUpdate(Schema):
    intervals: list[HoursInterval] = Field(max_length=7 * 6, description="the whole week; a missing day is off")


class WeeklyHoursPublic(Schema):
    technician_id: RowId
    intervals: list[HoursInterval]


class TechnicianBase(Schema):
    name: str = Field(min_length=1, max_length=80)
    service_ids: list[RowId] | None = Field(default=None, description="the services they do; null: all")
    base_address: str = Field(default="", max_length=200)
    max_jobs_per_day: int | None = Field(default=None, ge=1, le=50)


class TechnicianCreate(TechnicianBase):
    pass


class TechnicianUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    service_ids: list[RowId] | None = None
    base_address: str | None = Field(default=None, max_length=200)
    max_jobs_per_day: int | None = Field(default=None, ge=1, le=50)
    active: bool | None = None


class TechnicianPublic(TechnicianBase):
    id: int
    active: bool
    hours: list[HoursInterval]


class TimeOffBase(Schema):
    start_at: datetime
    end_at: datetime
    reason: str = Field(default="", max_length=200)

    @field_validator("end_at")
    @classmethod
    def _after_start(cls, end_at: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start_at")
        if start is not None and (start.tzinfo is None) == (end_at.tzinfo is None) and end_at <= start:
            raise ValueError("must be after start_at")
        return end_at


class TimeOffCreate(TimeOffBase):
    technician_ids: list[RowId] | None = Field(default=None, description="null: every technician (a holiday)")
    force: bool = Field(default=False, description="create it even over bookings (they stay)")


class TimeOffPublic(TimeOffBase):
    id: int
    technician_id: RowId


# Customers and bookings

class CustomerRef(Schema):
    id: int
    name: str | None
    phone: str


class BookingCreate(Schema):
    service_id: RowId
    start_at: datetime
    phone: str = Field(min_length=3, max_length=40)
    name: str | None = Field(default=None, max_length=80)
    origin: Origin = "phone"
    address: str | None = Field(default=None, max_length=200)
    technician_id: RowId | None = None
    force: bool = Field(default=False, description="book even over a clash; recorded on the booking")
    text_customer: bool = Field(default=False, description="text the customer a confirmation")
    note: str = Field(default="", max_length=500)


class BookingReschedule(Schema):
    start_at: datetime
    technician_id: RowId | None = None
    force: bool = False
    text_customer: bool = True


class BookingDecline(Schema):
    reason: str = Field(default="", max_length=300, description="texted to the customer")


class BookingPublic(Schema):
    id: int
    status: str
    service_id: RowId
    service: str
    technician_id: RowId
    technician: str
    customer: CustomerRef
    start_at: datetime
    end_at: datetime
    start_local: str = Field(description="the start in the business's zone, ISO 8601 with offset")
    address: str | None
    deposit_cents: int
    origin: str
    forced: bool
    note: str
    channel: str
    created_at: datetime


class CustomerUpdate(Schema):
    name: str | None = Field(default=None, max_length=80)
    address: str | None = Field(default=None, max_length=200)


class CustomerPublic(Schema):
    id: int
    phone: str
    name: str | None
    address: str | None
    language: str
    no_show_count: int
    opted_out: bool
    opted_out_at: datetime | None


class CustomerDetail(CustomerPublic):
    bookings: list[BookingPublic] = Field(description="their history, newest first (at most 50)")


class Page(Schema):
    total: int
    limit: int
    offset: int


class BookingsPage(Page):
    items: list[BookingPublic]


class CustomersPage(Page):
    items: list[CustomerPublic]


class Outcome(Schema):
    """What an action did, with the booking as it is now."""

    booking: BookingPublic
    changed: bool = Field(description="false: it was in that state already (repeating an action is harmless)")
    refunded_cents: int = 0
    offered: list[datetime] = Field(default_factory=list, description="times offered to a declined customer")
