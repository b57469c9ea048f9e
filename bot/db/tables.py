"""The tables. Instants are aware UTC (`*_at`), money is integer cents, phones are E.164."""

from datetime import date, datetime, time
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
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
    # Cancelling at least this many hours ahead refunds the deposit; later, the business keeps it.
    cancel_refund_hours: int = 24
    # The deposit of services without their own policy: "none", "fixed" (deposit_cents) or "percent" of the
    # price (deposit_percent). bot/domain/deposit.py applies it.
    deposit_policy: str = Field(default="none", max_length=10)
    deposit_cents: int = 0
    deposit_percent: int = 0
    # Customers with a past no-show pay at least this deposit, even for services that take none (0: off).
    no_show_deposit_cents: int = 0
    # Reminders go this many minutes before a job; whole days count in local calendar days (DST-proof).
    reminder_offsets_minutes: list[int] = Field(default_factory=lambda: [1440, 120],
                                                sa_column=Column(JSON, nullable=False))
    # Quiet hours, local: follow-ups and nudges wait until they end, reminders go out before they begin.
    # Null: none. (US rules forbid marketing texts from 9 PM to 8 AM in the recipient's zone.)
    quiet_start: time | None = time(21)
    quiet_end: time | None = time(8)
    approval_hours: int = 24                          # an unapproved request expires (and is refunded) then
    waitlist_hold_minutes: int = 15                   # a freed slot waits this long for the waitlisted customer
    # WhatsApp only allows approved templates outside the 24 h after the customer's last message:
    # message kind ("reminder", "rebook_nudge", ...) -> the template's content SID (HX...).
    whatsapp_templates: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The business's own day parts, e.g. {"morning": ["07:00", "12:00"]}: what "tomorrow morning" means to
    # its customers. Missing parts (or null) keep nlu's defaults (morning 8-12, afternoon 12-5, evening 5-9).
    day_parts: dict[str, list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Where a mobile business goes (bot/domain/service_area.py): within this many km of a technician's base
    # (null: no radius rule), or to these postal codes (empty: no ZIP rule). Either rule lets a job in.
    service_radius_km: float | None = None
    service_zips: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Changes whenever its technicians, services, hours, time off, calendar links or the business row itself
    # change (bot/db/schedule_stamp.py), so processes can cache those under it (bot/db/schedule_stamp.py,
    # bot/db/turn_rows.py). Random, not a counter: a fresh database at a reused URL must not match an old
    # cache entry.
    schedule_stamp: str = Field(default_factory=lambda: uuid4().hex, max_length=32)


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
    # "none", "fixed" (deposit_cents) or "percent" (deposit_percent of the price); null: the business's default.
    deposit_policy: str | None = Field(default=None, max_length=10)
    deposit_cents: int = 0
    deposit_percent: int | None = None
    active: bool = True
    buffer_before_minutes: int = 0                    # set-up kept free before the job
    buffer_after_minutes: int | None = None           # turnaround after it; null: the business's buffer
    seats: int = 1                                    # customers one start takes (a group class: more)
    rebook_weeks: int | None = None                   # nudge the customer to book again this long after a job


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
    no_show_count: int = 0                                       # bookings the owner marked as no-shows
    # The payment provider's customer (Stripe cus_...), so its checkout page comes with the phone filled in.
    payer_ref: str | None = Field(default=None, max_length=255)
    lat: float | None = None
    lng: float | None = None


class Booking(SQLModel, table=True):
    # (business_id, end_at): the bookings that touch a window are found without reading the business's whole
    # history (migration 0013).
    __table_args__ = (Index("ix_booking_staff_start", "staff_id", "start_at"),
                      Index("ix_booking_business_end", "business_id", "end_at"))
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
    attendance_confirmed_at: datetime | None = _utc(default=None)   # the customer replied C to a reminder
    origin: str = Field(default="text", max_length=10)    # "text" (the bot), or the owner's "phone" / "walk_in"
    forced: bool = False                              # the owner booked it over a clash (the `force` flag)
    # A seat in a group class (its service has seats > 1): shares its exact span with the class's other seats,
    # which PostgreSQL's no-double-booking constraint allows (migration 0007).
    group_seat: bool = False
    note: str = Field(default="", max_length=500)     # the owner's note on a booking they made
    # Times it moved (time or technician) or ended since it went on the customer's calendar: the SEQUENCE of
    # its calendar file, so an imported copy gets replaced. Raised by a flush listener (bot/db/booking_revision.py).
    revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class Payment(SQLModel, table=True):
    """A deposit request for a booking and what became of it."""

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    token: str = Field(unique=True, max_length=64)    # in the link; unguessable
    provider: str = Field(max_length=20)              # "local" or "stripe"
    provider_ref: str | None = Field(default=None, max_length=255, index=True)   # Stripe: the Checkout Session
    amount_cents: int
    currency: str = Field(max_length=3)
    # pending (link sent), paid, refunded, expired, failed (the provider would not make a link)
    status: str = Field(default="pending", max_length=20)
    url: str = Field(max_length=500)
    created_at: datetime = _utc()
    paid_at: datetime | None = _utc(default=None)
    expires_at: datetime | None = _utc(default=None)       # when the link stops taking payments
    payment_intent: str | None = Field(default=None, max_length=255, index=True)   # Stripe pi_..., once paid
    refunded_cents: int = 0
    refund_ref: str | None = Field(default=None, max_length=255)   # the provider's refund id (re_...)
    refunded_at: datetime | None = _utc(default=None)


class ProviderEvent(SQLModel, table=True):
    """A webhook event a payment provider sent us, kept so each is applied once however often it arrives."""

    __tablename__ = "provider_event"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)
    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)              # "stripe"
    event_id: str = Field(max_length=255)             # evt_...
    type: str = Field(max_length=100)                 # checkout.session.completed, ...
    outcome: str = Field(default="", max_length=40)   # what it did: confirmed, refunded, ignored, ...
    received_at: datetime = _utc()


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
    # The outbox (bot/outbox.py): what the text is (picks a WhatsApp template and quiet-hour rules),
    # the template's variables, and the retry state of a send that failed.
    kind: str | None = Field(default=None, max_length=30)
    template_variables: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    attempts: int = 0
    next_attempt_at: datetime | None = _utc(default=None)
    claimed_at: datetime | None = _utc(default=None)        # set while a sender has it (status "sending")
    error_code: str | None = Field(default=None, max_length=12)


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


class WaitlistEntry(SQLModel, table=True):
    """A customer who asked to hear of an earlier time ("text me if anything earlier opens")."""

    __tablename__ = "waitlist"
    __table_args__ = (Index("ix_waitlist_open", "business_id", "status", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    customer_id: int = Field(foreign_key="customer.id", index=True)
    service_id: int = Field(foreign_key="service.id")
    channel: str = Field(default="sms", max_length=10)
    booking_id: int | None = Field(default=None, foreign_key="booking.id")   # the booking to move earlier, if any
    before_at: datetime = _utc()                      # only times before this are offered
    status: str = Field(default="waiting", max_length=12)   # waiting, offered, booked, closed
    offered_booking_id: int | None = Field(default=None, foreign_key="booking.id")   # the hold on an offered slot
    created_at: datetime = _utc()


class ApiToken(SQLModel, table=True):
    """A bearer token of the owner API. Only its SHA-256 is stored: the token is 256 random bits, so a fast
    hash is enough, and a copy of this table lets nobody in."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    label: str = Field(default="", max_length=80)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _utc()
    last_used_at: datetime | None = _utc(default=None)
    revoked_at: datetime | None = _utc(default=None)


class OwnerAccount(SQLModel, table=True):
    """Someone who signs in to the owner page of a business (email + password, hashed with argon2id)."""

    __tablename__ = "owner_account"
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    email: str = Field(unique=True, max_length=254)   # stored lower-case
    password_hash: str = Field(max_length=255)
    created_at: datetime = _utc()
    last_login_at: datetime | None = _utc(default=None)


class OwnerSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random token, this row its SHA-256 and the CSRF token."""

    __tablename__ = "owner_session"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="owner_account.id", index=True)
    token_hash: str = Field(unique=True, max_length=64)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _utc()
    expires_at: datetime = _utc()


class LoginAttempt(SQLModel, table=True):
    """A failed sign-in, by email and by client address: the page's rate limit counts these."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key", "key", "attempted_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)                  # "email:..." or "ip:..."
    attempted_at: datetime = _utc()


class CalendarLink(SQLModel, table=True):
    """A connected Google calendar: the whole business's (staff_id null) or one technician's. Its busy times
    block offers; confirmed bookings are written onto it (bot/calendar_sync.py). Google is read by a periodic
    task, never in a customer's turn: `busy` is what it last said, kept when it cannot be read."""

    __tablename__ = "calendar_link"
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")   # null: the whole business
    calendar_id: str = Field(max_length=255)          # "primary" (an owner's OAuth grant) or a shared calendar's id
    auth_kind: str = Field(max_length=20)             # "oauth" or "service_account"
    # The OAuth refresh token, Fernet-encrypted with GOOGLE_TOKEN_KEY (never stored in the clear).
    refresh_token_sealed: str | None = Field(default=None, sa_type=Text)
    busy: list[list[str]] | None = Field(default=None, sa_column=Column(JSON, nullable=True))   # [[start, end]] UTC ISO
    busy_until: datetime | None = _utc(default=None)   # how far ahead `busy` was asked for
    fetched_at: datetime | None = _utc(default=None)   # when Google last answered (busy is as of then)
    checked_at: datetime | None = _utc(default=None)   # when we last asked, answered or not
    error_since: datetime | None = _utc(default=None)  # Google unreadable since (null: the last read worked)
    last_error: str = Field(default="", max_length=300)
    needs_reconnect: bool = False                     # the grant was revoked or expired: the owner must connect again
    created_at: datetime = _utc()


class CalendarEvent(SQLModel, table=True):
    """What Google holds of one booking: the event we wrote (deterministic id), where and when it is, and the
    lease of the worker changing it (one at a time per booking)."""

    __tablename__ = "calendar_event"
    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    event_id: str = Field(max_length=64)
    link_id: int | None = Field(default=None, index=True)   # the calendar it is on now; null: none
    calendar_id: str | None = Field(default=None, max_length=255)
    start_at: datetime | None = _utc(default=None)
    end_at: datetime | None = _utc(default=None)
    digest: str | None = Field(default=None, max_length=64)   # of what we last wrote: an unchanged event is not sent again
    # Where and when it was before the last change: a busy read taken before `synced_at` still shows it there.
    previous_link_id: int | None = None
    previous_start_at: datetime | None = _utc(default=None)
    previous_end_at: datetime | None = _utc(default=None)
    synced_at: datetime | None = _utc(default=None)
    lease_until: datetime | None = _utc(default=None)  # a worker is changing it until then
    lease_token: str | None = Field(default=None, max_length=32)
    failures: int = 0                                 # failed attempts since the last success
    last_error: str = Field(default="", max_length=300)
