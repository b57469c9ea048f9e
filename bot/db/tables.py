"""The tables. Instants are aware UTC (`*_at`), money is integer cents, phones are E.164."""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class Business(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, max_length=60)
    name: str = Field(max_length=120)
    time_zone: str = Field(max_length=60)             # IANA, e.g. America/Chicago
    sms_phone: str | None = Field(default=None, unique=True, max_length=20)
    whatsapp_phone: str | None = Field(default=None, unique=True, max_length=20)
    owner_phones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    address: str = Field(default="", max_length=200)
    is_mobile: bool = True                            # the technician drives to the customer
    currency: str = Field(default="usd", max_length=3)
    requires_approval: bool = False
    buffer_minutes: int = 15
    slot_grid_minutes: int = 30
    min_notice_minutes: int = 60
    horizon_days: int = 60
    hold_minutes: int = 15                            # a picked slot waits this long for a name
    payment_minutes: int = 30                         # and this long for the deposit once the link is sent
    # Drive assumed to or from an address we have no coordinates for (no maps key, or it did not geocode).
    unknown_drive_minutes: int = 20


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    name: str = Field(max_length=80)
    active: bool = True
    # Service ids this technician does; null: every service.
    service_ids: list[int] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    base_address: str = Field(default="", max_length=200)     # where the working day starts
    base_lat: float | None = None
    base_lng: float | None = None
    max_jobs_per_day: int | None = None


class Service(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    name: str = Field(max_length=80)
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    duration_minutes: int
    price_cents: int
    deposit_cents: int = 0
    active: bool = True
    buffer_before_minutes: int = 0                    # set-up kept free before the job
    buffer_after_minutes: int | None = None           # turnaround after it; null: the business's buffer
    seats: int = 1                                    # customers one start takes (a group class: more)


class WeeklyHours(SQLModel, table=True):
    """One open interval of a technician's week, in the business's local wall-clock time."""

    __tablename__ = "weekly_hours"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    weekday: int                                      # 0 = Monday
    opens: time
    closes: time


class DayHours(SQLModel, table=True):
    """A date's own hours for a technician, instead of the weekly ones: extra hours, a short day, a
    holiday. Several rows make a split day; one row without times is a day off."""

    __tablename__ = "day_hours"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    on: date
    opens: time | None = None
    closes: time | None = None


class TimeOff(SQLModel, table=True):
    __tablename__ = "time_off"
    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    start_at: datetime = _utc()
    end_at: datetime = _utc()
    reason: str = Field(default="", max_length=200)


class Customer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("business_id", "phone"),)
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    phone: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=80)
    opted_out: bool = False
    opted_out_at: datetime | None = _utc(default=None)
    address: str | None = Field(default=None, max_length=200)   # where we last went to them
    language: str = Field(default="en", max_length=5)            # the language they write in; replies follow
    lat: float | None = None
    lng: float | None = None


class Booking(SQLModel, table=True):
    __table_args__ = (Index("ix_booking_staff_start", "staff_id", "start_at"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)     # unguessable, for links sent to the customer
    business_id: int = Field(foreign_key="business.id", index=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    service_id: int = Field(foreign_key="service.id")
    status: str = Field(max_length=20, index=True)     # a BookingStatus value
    channel: str = Field(default="sms", max_length=10)  # the thread it was booked in; notices go there
    start_at: datetime = _utc()
    end_at: datetime = _utc()
    hold_expires_at: datetime | None = _utc(default=None)
    deposit_cents: int = 0
    seats: int = 1
    address: str | None = Field(default=None, max_length=200)   # where the job is (mobile businesses)
    lat: float | None = None
    lng: float | None = None
    created_at: datetime = _utc()
    updated_at: datetime = _utc()


class Payment(SQLModel, table=True):
    """A deposit request for a booking and what became of it."""

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    token: str = Field(unique=True, max_length=64)    # in the link; unguessable
    provider: str = Field(max_length=20)              # "local" or "stripe"
    provider_ref: str | None = Field(default=None, max_length=255)
    amount_cents: int
    currency: str = Field(max_length=3)
    status: str = Field(default="pending", max_length=20)  # pending, paid, refunded, expired
    url: str = Field(max_length=500)
    created_at: datetime = _utc()
    paid_at: datetime | None = _utc(default=None)


class Conversation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("business_id", "phone", "channel"),)
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    phone: str = Field(max_length=20)
    channel: str = Field(max_length=10)
    flow: str = Field(default="", max_length=40)
    state: str = Field(default="", max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 0                                  # bumped on every save
    last_inbound_at: datetime | None = _utc(default=None)
    updated_at: datetime = _utc()


class Message(SQLModel, table=True):
    """Every text in or out. Outbound rows the bot starts itself are the outbox (status queued)."""

    __table_args__ = (Index("ix_message_thread", "business_id", "channel", "phone", "id"),
                      Index("ix_message_outbox", "status", "id"))
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    direction: str = Field(max_length=3)              # "in" or "out"
    channel: str = Field(max_length=10)
    phone: str = Field(max_length=20)                 # the other party: customer or owner
    body: str
    provider_id: str | None = Field(default=None, unique=True, max_length=64)
    reply_to_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    status: str = Field(max_length=12)                # received, replied, queued, sent, failed, suppressed
    offers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _utc()
    sent_at: datetime | None = _utc(default=None)


class DueWork(SQLModel, table=True):
    """Something that must happen at `due_at` (a hold lapsing, a reminder); run once by the dispatcher."""

    __tablename__ = "due_work"
    __table_args__ = (Index("ix_due_work_pending", "done_at", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    due_at: datetime = _utc()
    done_at: datetime | None = _utc(default=None)
    attempts: int = 0
