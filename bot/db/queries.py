"""Small keyword-only query functions: the only place that builds SQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import import_module

from sqlalchemy import Integer, String, bindparam, column, func, insert, or_, update, values
from sqlalchemy.orm.util import identity_key
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.db.tables import (ApiToken, Booking, Business, Conversation, Customer, DueWork, LoginAttempt,
                           Message, OwnerAccount, OwnerSession, Payment, ProviderEvent, Service, Staff, TimeOff,
                           WaitlistEntry, WeeklyHours)
from bot.domain.availability import Job, Technician
from bot.domain.booking import FIRM, HOLDING, BookingStatus
from bot.domain.phone import Channel
from bot.domain.span import Span
from bot.domain.travel import Place, place_at
from bot.db.prepared import Prepared, insert_of, update_by_id
from bot.db.schedule_stamp import crew_of
from bot.db.calendar_mirror import NOT_YET_CONFIRMED, busy_by_staff


# Statements every turn runs are built once, with bound parameters: building a select() anew took about as
# long as running it (bench/turn_bench.py).
_CUSTOMER = select(Customer).where(Customer.business_id == bindparam("business_id"),
                                   Customer.phone == bindparam("phone"))
_CONVERSATION = select(Conversation).where(Conversation.business_id == bindparam("business_id"),
                                           Conversation.phone == bindparam("phone"),
                                           Conversation.channel == bindparam("channel"))
_INBOUND = select(Message).where(Message.provider_id == bindparam("provider_id"))
# A booking keeps its slot busy at `now` and touches [start, end) (see booking.is_blocking).
_BLOCKING = (Booking.business_id == bindparam("business_id"), Booking.end_at > bindparam("start"),
             Booking.start_at < bindparam("end"),
             or_(col(Booking.status).in_([s.value for s in FIRM]),
                 (col(Booking.status).in_([s.value for s in HOLDING])) & (Booking.hold_expires_at > bindparam("now"))))
_BLOCKING_BOOKINGS = select(Booking).where(*_BLOCKING)
_BLOCKING_SPANS = Prepared(select(Booking.id, Booking.staff_id, Booking.service_id, Booking.start_at, Booking.end_at,
                                  Booking.address, Booking.lat, Booking.lng, Booking.seats).where(*_BLOCKING))
_OPEN_DUE_WORK = select(DueWork).where(DueWork.booking_id == bindparam("booking_id"), DueWork.kind == bindparam("kind"),
                                       DueWork.done_at == None)  # noqa: E711
_PAYMENTS_FOR = select(Payment).where(Payment.booking_id == bindparam("booking_id")).order_by(Payment.id)


def customer_for(session: Session, *, business_id: int, phone: str) -> Customer:
    """The business's customer with this phone, created on first contact."""
    customer = session.exec(_CUSTOMER, params={"business_id": business_id, "phone": phone}).first()
    if customer is None:
        customer = Customer(business_id=business_id, phone=phone)
        session.add(customer)
        session.flush()
    return customer


def find_customer(session: Session, *, business_id: int, phone: str) -> Customer | None:
    return session.exec(_CUSTOMER, params={"business_id": business_id, "phone": phone}).first()


def conversation_for(session: Session, *, business_id: int, phone: str, channel: Channel, now: datetime) -> Conversation:
    """The conversation with this phone on this channel, created on first contact (a turn's own conversation is
    bot/db/turn_rows.py's)."""
    conversation = session.exec(_CONVERSATION, params={"business_id": business_id, "phone": phone,
                                                       "channel": channel.value}).first()
    if conversation is None:
        conversation = Conversation(business_id=business_id, phone=phone, channel=channel.value, updated_at=now)
        session.add(conversation)
        session.flush()
    return conversation


def technicians(session: Session, *, business: Business, around: Span, now: datetime,
                exclude_booking_id: int | None = None) -> list[Technician]:
    """Each active technician as the availability engine sees them, with what touches `around`:
    weekly hours, dated hours, time off and the bookings that keep their slot busy at `now`. All but the
    bookings come from the crew cached under the business's schedule stamp (bot/db/schedule_stamp.py);
    external busy time from the connected Google calendars' cache (bot/db/calendar_mirror.py)."""
    crew = crew_of(session, business, since=min(around.start, now))
    external = busy_by_staff(session, business_id=business.id, around=around) if crew.has_calendar_links else {}
    first, last = (around.start - timedelta(days=1)).date(), (around.end + timedelta(days=1)).date()
    # The loop below runs once per booking in reach: when nothing is free in the asked window, that is every
    # booking up to the horizon (hundreds on a full calendar, on each such offer). So what depends only on
    # the service is worked out per service, and each distinct address becomes one Place (regulars book
    # at the same address again and again; a Place is immutable, so jobs can share it).
    terms_of = {service_id: (terms.name, timedelta(minutes=terms.buffer_before_minutes),
                             timedelta(minutes=business.buffer_minutes if terms.buffer_after_minutes is None
                                       else terms.buffer_after_minutes))
                for service_id, terms in crew.services.items()}
    places: dict[tuple, Place | None] = {}
    jobs: dict[int, list[Job]] = {m.id: [] for m in crew.members}
    for booking_id, staff_id, service_id, start_at, end_at, address, lat, lng, seats in blocking_spans(
            session, business_id=business.id, around=around, now=now):
        staff_jobs = jobs.get(staff_id)
        if staff_jobs is None or booking_id == exclude_booking_id:
            continue
        name, before, after = terms_of[service_id]
        where = (address, lat, lng)
        try:
            place = places[where]
        except KeyError:
            place = places[where] = place_at(address, lat, lng)
        staff_jobs.append(Job(Span(start_at, end_at), place, name, seats, before, after))
    return [Technician(
        m.id, crew.weekly[m.id], {on: hours for on, hours in crew.dated[m.id].items() if first <= on <= last},
        [span for span in crew.off[m.id] if span.end > around.start and span.start < around.end], jobs=jobs[m.id],
        busy=[*external.get(m.id, ()), *external.get(None, ())],
        services=None if m.service_ids is None else frozenset(
            crew.services[i].name for i in m.service_ids if i in crew.services),
        base=m.base, max_jobs_per_day=m.max_jobs_per_day) for m in crew.members]


def blocking_bookings(session: Session, *, business_id: int, around: Span, now: datetime) -> Sequence[Booking]:
    """Bookings that keep their slot busy at `now` and touch `around` (see booking.is_blocking)."""
    return session.exec(_BLOCKING_BOOKINGS, params={"business_id": business_id, "start": around.start,
                                                    "end": around.end, "now": now}).all()


def blocking_spans(session: Session, *, business_id: int, around: Span, now: datetime) -> Sequence:
    """As blocking_bookings, but only the columns the availability engine reads, as plain rows: on a busy
    day this is a hundred bookings per offer, and building ORM objects for them was a third of a turn.
    Run on the driver's connection (bot/db/prepared.py), past SQLAlchemy's result handling (an eighth of the time
    on 800 rows); the flush first is what the ORM's autoflush did, so bookings this transaction changed (a hold
    let go) are seen as they are."""
    session.flush()
    return _BLOCKING_SPANS.rows(session, {"business_id": business_id, "start": around.start, "end": around.end,
                                          "now": now})


def bookings_between(session: Session, *, business_id: int, around: Span,
                     statuses: Sequence[BookingStatus]) -> list[Booking]:
    return list(session.exec(select(Booking).where(
        Booking.business_id == business_id, Booking.start_at >= around.start, Booking.start_at < around.end,
        col(Booking.status).in_([s.value for s in statuses])).order_by(Booking.start_at)))


def inbound_by_provider_id(session: Session, *, provider_id: str) -> Message | None:
    return session.exec(_INBOUND, params={"provider_id": provider_id}).first()


# Core statements, not the ORM's: no autoflush, no bulk-insert bookkeeping; the session flushes its own
# objects at commit. Values go in as parameters: `.values(...)` would build (and compile) a new statement
# on every turn. Those every turn runs go straight to the driver (bot/db/prepared.py).
_REPLY_COLUMNS = ("business_id", "direction", "channel", "phone", "body", "reply_to_id", "status", "offers",
                  "created_at", "attempts")
_INSERT_REPLY = Prepared(insert_of(Message.__table__, _REPLY_COLUMNS))
_MARK_UNANSWERED = Prepared(update(Message.__table__).where(Message.__table__.c.id == bindparam("message_id"))
                            .values(status="received"))
_CLAIM_VERSION = Prepared(update(Conversation.__table__)
                          .where(Conversation.__table__.c.id == bindparam("conversation_id"),
                                 Conversation.__table__.c.version == bindparam("loaded"))
                          .values(version=bindparam("claimed")))


def insert_row(session: Session, model: type, **values) -> int:
    """Insert one row of a table model with a Core statement and return its id: the columns not given take the
    model's defaults. For rows a turn creates and does not touch again (a hold, its expiry, a deposit request):
    building the SQLModel object and flushing it cost more than the rest of a hold. Such rows pass the ORM's flush
    listeners (schedule stamps, booking revisions, calendar syncs), none of which a new hold, due row or payment
    needs (bot/db/calendar_mirror.py: a new booking needs a sync only when it is confirmed at once)."""
    defaults, factories = _defaults_of(model)
    row = {**defaults, **{name: make() for name, make in factories if name not in values}, **values}
    return _insert_returning_id(model, tuple(row)).scalar(session, row)


@cache
def _defaults_of(model: type) -> tuple[dict, tuple]:
    """A table model's fields' plain defaults, and the fields with a default factory with their factories."""
    fields = [(name, field) for name, field in model.model_fields.items() if name != "id" and not field.is_required()]
    return ({name: field.default for name, field in fields if field.default_factory is None},
            tuple((name, field.default_factory) for name, field in fields if field.default_factory is not None))


@cache
def _insert_returning_id(model: type, names: tuple[str, ...]) -> Prepared:
    """The INSERT of these columns of a table model, returning the new row's id: one per caller's set of columns."""
    table = model.__table__
    return Prepared(insert_of(table, names).returning(table.c.id))


def move_open_due_work(session: Session, *, booking_id: int, kind: str, due_at: datetime) -> None:
    """Move the booking's open due work of this kind to `due_at`: one UPDATE on the connection, after a flush so
    that rows of it this session added are there to move; such rows the session holds are told the new time
    (as the ORM's own UPDATE does, at a fraction of its cost: loading the row to change it took a fifth of a
    deposit request)."""
    session.flush()
    _MOVE_OPEN_DUE_WORK.run(session, {"of_booking": booking_id, "of_kind": kind, "new_due_at": due_at})
    for row in session.identity_map.values():
        if isinstance(row, DueWork) and row.booking_id == booking_id and row.kind == kind and row.done_at is None:
            set_committed_value(row, "due_at", due_at)


_MOVE_OPEN_DUE_WORK = Prepared(update(DueWork.__table__)
                               .where(DueWork.__table__.c.booking_id == bindparam("of_booking"),
                                      DueWork.__table__.c.kind == bindparam("of_kind"),
                                      DueWork.__table__.c.done_at.is_(None))
                               .values(due_at=bindparam("new_due_at", type_=DueWork.__table__.c.due_at.type)))


@dataclass(frozen=True)
class HeldBooking:
    """What asking for a hold's deposit reads of its booking (a plain row: bot/front_desk.request_deposit)."""

    id: int
    customer_id: int
    service_id: int
    status: str
    hold_expires_at: datetime | None
    deposit_cents: int
    start_at: datetime


@dataclass(frozen=True)
class PaymentAttempt:
    status: str
    url: str
    amount_cents: int


_BOOKING = Booking.__table__
_HELD_BOOKING = Prepared(select(*(_BOOKING.c[name] for name in HeldBooking.__dataclass_fields__))
                         .where(_BOOKING.c.id == bindparam("booking_id")))
_PAYMENT_ATTEMPTS = Prepared(select(Payment.status, Payment.url, Payment.amount_cents)
                             .where(Payment.booking_id == bindparam("booking_id")).order_by(Payment.id))
_KEEP_UNCONFIRMED = Prepared(update_by_id(_BOOKING, ("status", "hold_expires_at", "updated_at"),
                                          id_parameter="booking_id"))


def held_booking(session: Session, *, booking_id: int) -> HeldBooking | None:
    """A booking as a deposit request reads it; after a flush, as the ORM's autoflush would."""
    session.flush()
    row = _HELD_BOOKING.first(session, {"booking_id": booking_id})
    return None if row is None else HeldBooking(*row)


def payment_attempts(session: Session, *, booking_id: int) -> list[PaymentAttempt]:
    """A booking's deposit requests, oldest first (payments_for, without loading Payment rows)."""
    return [PaymentAttempt(*row) for row in _PAYMENT_ATTEMPTS.rows(session, {"booking_id": booking_id})]


def keep_unconfirmed(session: Session, *, booking_id: int, before: BookingStatus, status: BookingStatus,
                     hold_expires_at: datetime, now: datetime) -> None:
    """Change a booking that was never confirmed and is not confirmed now (a hold that waits for its deposit, or is
    kept longer) with one UPDATE, where loading it and flushing it through the ORM was two thirds of a deposit
    request. The ORM's booking listeners have nothing to do for such a change: no calendar revision before a booking
    is on the customer's calendar (calendar_file.is_revision) and no calendar sync for one never confirmed
    (calendar_mirror._shows_change). Any other change must go through the ORM, so it is refused here. A row of the
    booking the session holds is told the new values."""
    if before not in NOT_YET_CONFIRMED or status not in NOT_YET_CONFIRMED:
        raise ValueError(f"{before.value} -> {status.value} changes what the calendar shows: change it through the ORM")
    _KEEP_UNCONFIRMED.run(session, {"booking_id": booking_id, "new_status": status.value,
                                    "new_hold_expires_at": hold_expires_at, "new_updated_at": now})
    held = session.identity_map.get(identity_key(Booking, booking_id))
    if held is not None:
        for name, value in (("status", status.value), ("hold_expires_at", hold_expires_at), ("updated_at", now)):
            set_committed_value(held, name, value)


@dataclass(frozen=True)
class Inbound:
    """A stored inbound text: what its replies are filed under."""

    id: int
    business_id: int
    channel: str
    phone: str
    created_at: datetime


def record_inbound(session: Session, *, business_id: int, channel: str, phone: str, body: str, provider_id: str,
                   now: datetime) -> Inbound | None:
    """Store an inbound text at the start of its turn; None when a text with its provider id is stored already
    (Twilio retrying it). On PostgreSQL a concurrent delivery of the same text waits here for the first one's
    transaction, and gets None when that commits. Plain INSERTs, not ORM objects: building two Message objects
    was a tenth of a turn. Stored as "replied", which nearly every turn ends with, where an UPDATE after the
    replies said so; a turn that answers nothing sets it back to "received" (record_replies). Nobody sees the
    row before the turn commits."""
    message_id = _insert_inbound(session.get_bind().dialect.name).scalar(session, {
        "business_id": business_id, "direction": "in", "channel": channel, "phone": phone, "body": body,
        "provider_id": provider_id, "status": "replied", "offers": [], "created_at": now, "attempts": 0})
    return None if message_id is None else Inbound(message_id, business_id, channel, phone, now)


_INBOUND_COLUMNS = ("business_id", "direction", "channel", "phone", "body", "provider_id", "status", "offers",
                    "created_at", "attempts")


@cache
def _insert_inbound(dialect: str) -> Prepared:
    """An inbound text unless one with its provider id is stored already: one statement where a lookup and an
    insert were two. ON CONFLICT is each dialect's own (SQLite and PostgreSQL both have this one); built on first
    use, when the engine has loaded its dialect: loading both at import slowed every cold start by nearly 30 ms."""
    table = Message.__table__
    dialect_insert = import_module(f"sqlalchemy.dialects.{dialect}").insert
    return Prepared(insert_of(table, _INBOUND_COLUMNS, dialect_insert=dialect_insert)
                    .on_conflict_do_nothing(index_elements=["provider_id"]).returning(table.c.id))


def record_replies(session: Session, *, inbound: Inbound, bodies: Sequence[str], offers: Sequence[str]) -> None:
    """The turn's replies, filed under its inbound text; with none, the text is marked as received only."""
    if not bodies:
        _MARK_UNANSWERED.run(session, {"message_id": inbound.id})
        return
    _INSERT_REPLY.run_many(session, [
        {"business_id": inbound.business_id, "direction": "out", "channel": inbound.channel, "phone": inbound.phone,
         "body": body, "reply_to_id": inbound.id, "status": "replied", "offers": list(offers),
         "created_at": inbound.created_at, "attempts": 0} for body in bodies])


def replies_to(session: Session, *, message_id: int) -> list[Message]:
    return list(session.exec(select(Message).where(Message.reply_to_id == message_id).order_by(Message.id)))


def thread(session: Session, *, business_id: int, phone: str, channel: Channel, after_id: int = 0,
           limit: int = 200) -> list[Message]:
    return list(session.exec(select(Message).where(
        Message.business_id == business_id, Message.phone == phone, Message.channel == channel.value,
        Message.id > after_id).order_by(Message.id).limit(limit)))


def queued_messages(session: Session, *, limit: int) -> list[Message]:
    return list(session.exec(select(Message).where(Message.status == "queued").order_by(Message.id).limit(limit)))


def payment_by_token(session: Session, *, token: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.token == token)).first()


def booking_by_code(session: Session, *, code: str) -> Booking | None:
    return session.exec(select(Booking).where(Booking.code == code)).first()


def pending_payment_for(session: Session, *, booking_id: int) -> Payment | None:
    return session.exec(select(Payment).where(Payment.booking_id == booking_id, Payment.status == "pending")).first()


def payments_for(session: Session, *, booking_id: int) -> list[Payment]:
    """Every deposit attempt of a booking, oldest first."""
    return list(session.exec(_PAYMENTS_FOR, params={"booking_id": booking_id}))


def payments_by_ref(session: Session, *, provider: str, provider_ref: str) -> list[Payment]:
    return list(session.exec(select(Payment).where(Payment.provider == provider, Payment.provider_ref == provider_ref)
                             .order_by(Payment.id)))


def payment_by_intent(session: Session, *, provider: str, payment_intent: str) -> Payment | None:
    return session.exec(select(Payment).where(Payment.provider == provider,
                                              Payment.payment_intent == payment_intent)).first()


def recent_payments(session: Session, *, business_id: int, limit: int) -> list[Payment]:
    """The business's latest deposit attempts, newest first."""
    return list(session.exec(select(Payment).join(Booking, Booking.id == Payment.booking_id)
                             .where(Booking.business_id == business_id)
                             .order_by(col(Payment.id).desc()).limit(limit)))


def provider_event(session: Session, *, provider: str, event_id: str) -> ProviderEvent | None:
    return session.exec(select(ProviderEvent).where(ProviderEvent.provider == provider,
                                                    ProviderEvent.event_id == event_id)).first()


def due_work(session: Session, *, now: datetime, limit: int) -> list[DueWork]:
    return list(session.exec(select(DueWork).where(DueWork.done_at == None, DueWork.due_at <= now)  # noqa: E711
                             .order_by(DueWork.due_at).limit(limit)))


def open_due_work(session: Session, *, booking_id: int, kind: str) -> DueWork | None:
    return session.exec(_OPEN_DUE_WORK, params={"booking_id": booking_id, "kind": kind}).first()


# Due work and the outbox. Claims lock the rows they return until the transaction ends: on PostgreSQL
# with FOR UPDATE SKIP LOCKED, so concurrent dispatchers (two beats, several workers) take disjoint rows
# and never wait for each other; SQLite has no row locks (SQLAlchemy leaves the clause out there), but
# every transaction there starts with BEGIN IMMEDIATE (bot/db/session.py), so a second dispatcher waits
# for the first to commit and then sees its rows as done.

def claim_due_work(session: Session, *, now: datetime, limit: int, kinds: Sequence[str] = (),
                   skip_kinds: Sequence[str] = ()) -> list[DueWork]:
    """Due, unfinished rows (of `kinds` if given, none of `skip_kinds`), oldest first, locked for this transaction."""
    query = select(DueWork).where(DueWork.done_at == None, DueWork.due_at <= now)  # noqa: E711
    if kinds:
        query = query.where(col(DueWork.kind).in_(kinds))
    if skip_kinds:
        query = query.where(col(DueWork.kind).not_in(skip_kinds))
    return list(session.exec(query.order_by(DueWork.due_at, DueWork.id).limit(limit).with_for_update(skip_locked=True)))


def open_due_work_of(session: Session, *, booking_id: int, kinds: Sequence[str]) -> list[DueWork]:
    return list(session.exec(select(DueWork).where(DueWork.booking_id == booking_id, col(DueWork.kind).in_(kinds),
                                                   DueWork.done_at == None).order_by(DueWork.due_at)))  # noqa: E711


def claim_queued_messages(session: Session, *, now: datetime, limit: int) -> list:
    """Queued outbox rows whose (re)try time has come, oldest first, locked for this transaction; plain
    rows (id, business_id, phone, channel, body, kind, template_variables), as senders only read them."""
    table = Message.__table__
    return list(session.execute(
        select(table.c.id, table.c.business_id, table.c.phone, table.c.channel, table.c.body, table.c.kind,
               table.c.template_variables)
        .where(table.c.status == "queued", or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now))
        .order_by(table.c.id).limit(limit).with_for_update(skip_locked=True)))


def opted_out_among(session: Session, *, keys: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (business id, phone) customers have opted out."""
    if not keys:
        return set()
    table = Customer.__table__
    rows = session.execute(select(table.c.business_id, table.c.phone).where(
        table.c.business_id.in_({business_id for business_id, _ in keys}),
        table.c.phone.in_({phone for _, phone in keys}), table.c.opted_out.is_(True)))
    return set(map(tuple, rows)) & set(keys)


def finish_due_work(session: Session, *, claimed: Sequence[int], done: Sequence[int], now: datetime) -> None:
    """Count an attempt on every claimed row and mark the done ones, in two statements."""
    finished = set(done)
    waiting = [i for i in claimed if i not in finished]
    if finished:  # usually all of them: one statement, one new version of each row
        session.execute(update(DueWork).where(col(DueWork.id).in_(finished))
                        .values(attempts=DueWork.attempts + 1, done_at=now))
    if waiting:
        session.execute(update(DueWork).where(col(DueWork.id).in_(waiting)).values(attempts=DueWork.attempts + 1))


def steer_conversations(session: Session, *, changes: Sequence[dict], now: datetime) -> None:
    """Set flow, state and data of many conversations (dicts with cid, c_flow, c_state, c_data) at once."""
    if not changes:
        return
    table = Conversation.__table__
    session.connection().execute(
        update(table).where(table.c.id == bindparam("cid"))
        .values({table.c.flow: bindparam("c_flow"), table.c.state: bindparam("c_state"),
                 table.c.data: bindparam("c_data", type_=table.c.data.type), table.c.version: table.c.version + 1,
                 table.c.updated_at: now}), list(changes))


def queue_many(session: Session, *, rows: Sequence[dict]) -> None:
    """Insert outbox rows (dicts of Message columns) in one executemany."""
    if rows:
        session.execute(insert(Message.__table__), list(rows))


def claim_stale_sending(session: Session, *, claimed_before: datetime, limit: int) -> list[Message]:
    """Rows a sender claimed before `claimed_before` and never recorded (it died), locked for this transaction."""
    return list(session.exec(select(Message).where(Message.status == "sending", Message.claimed_at < claimed_before)
                             .order_by(Message.id).limit(limit).with_for_update(skip_locked=True)))


def messages_by_ids(session: Session, *, ids: Sequence[int]) -> list[Message]:
    return list(session.exec(select(Message).where(col(Message.id).in_(ids)).order_by(Message.id)))


def outbound_by_provider_id(session: Session, *, provider_id: str) -> Message | None:
    return session.exec(select(Message).where(Message.provider_id == provider_id, Message.direction == "out")).first()


def conversations_by_key(session: Session, *, keys: Sequence[tuple[int, str, str]]) -> dict[tuple[int, str, str], Conversation]:
    """Conversations by (business id, phone, channel), in one query."""
    if not keys:
        return {}
    phones = {phone for _, phone, _ in keys}
    businesses = {business_id for business_id, _, _ in keys}
    # business_id too: the unique index (business_id, phone, channel) serves the lookup.
    rows = session.exec(select(Conversation).where(col(Conversation.business_id).in_(businesses),
                                                   col(Conversation.phone).in_(phones)))
    wanted = set(keys)
    return {(c.business_id, c.phone, c.channel): c for c in rows if (c.business_id, c.phone, c.channel) in wanted}


def load_by_ids(session: Session, table: type, ids: Sequence[int]) -> list:
    """These rows, loaded in few queries. While the caller keeps the list, session.get finds them in the
    identity map without a query (the map holds rows only weakly)."""
    unique = list({i for i in ids if i is not None})
    rows = []
    for start in range(0, len(unique), 1000):
        rows += session.exec(select(table).where(col(table.id).in_(unique[start:start + 1000]))).all()
    return rows


def upcoming_bookings(session: Session, *, customer_id: int, now: datetime,
                      statuses: Sequence[BookingStatus]) -> list[Booking]:
    """The customer's bookings that start after `now` in these statuses, soonest first."""
    return list(session.exec(select(Booking).where(
        Booking.customer_id == customer_id, Booking.start_at > now,
        col(Booking.status).in_([s.value for s in statuses])).order_by(Booking.start_at)))


def open_waitlist(session: Session, *, business_id: int, after_id: int = 0) -> list[WaitlistEntry]:
    """Waiting entries in the order customers joined (after `after_id`)."""
    return list(session.exec(select(WaitlistEntry).where(
        WaitlistEntry.business_id == business_id, WaitlistEntry.status == "waiting", WaitlistEntry.id > after_id)
        .order_by(WaitlistEntry.id)))


def waitlist_of(session: Session, *, customer_id: int, statuses: Sequence[str]) -> list[WaitlistEntry]:
    return list(session.exec(select(WaitlistEntry).where(WaitlistEntry.customer_id == customer_id,
                                                         col(WaitlistEntry.status).in_(statuses))
                             .order_by(WaitlistEntry.id)))


def waitlist_offer_of(session: Session, *, hold_booking_id: int) -> WaitlistEntry | None:
    return session.exec(select(WaitlistEntry).where(WaitlistEntry.offered_booking_id == hold_booking_id)).first()


# The owner's side: API tokens, page accounts and sessions, and the lists the API and the page show.

def api_token_by_hash(session: Session, *, token_hash: str) -> ApiToken | None:
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def business_by_slug(session: Session, *, slug: str) -> Business | None:
    return session.exec(select(Business).where(Business.slug == slug)).first()


def owner_account_by_email(session: Session, *, email: str) -> OwnerAccount | None:
    return session.exec(select(OwnerAccount).where(OwnerAccount.email == email)).first()


def owner_session_by_hash(session: Session, *, token_hash: str) -> OwnerSession | None:
    return session.exec(select(OwnerSession).where(OwnerSession.token_hash == token_hash)).first()


def login_failures(session: Session, *, key: str, since: datetime) -> int:
    return session.exec(select(func.count()).select_from(LoginAttempt)
                        .where(LoginAttempt.key == key, LoginAttempt.attempted_at >= since)).one()


def services_of(session: Session, *, business_id: int, include_inactive: bool = False) -> list[Service]:
    query = select(Service).where(Service.business_id == business_id)
    if not include_inactive:
        query = query.where(Service.active)
    return list(session.exec(query.order_by(Service.id)))


def staff_of(session: Session, *, business_id: int, include_inactive: bool = False) -> list[Staff]:
    query = select(Staff).where(Staff.business_id == business_id)
    if not include_inactive:
        query = query.where(Staff.active)
    return list(session.exec(query.order_by(Staff.id)))


def weekly_hours_of(session: Session, *, staff_id: int) -> list[WeeklyHours]:
    return list(session.exec(select(WeeklyHours).where(WeeklyHours.staff_id == staff_id)
                             .order_by(WeeklyHours.weekday, WeeklyHours.opens)))


def time_off_of(session: Session, *, staff_ids: Sequence[int], around: Span | None = None) -> list[TimeOff]:
    query = select(TimeOff).where(col(TimeOff.staff_id).in_(list(staff_ids)))
    if around is not None:
        query = query.where(TimeOff.end_at > around.start, TimeOff.start_at < around.end)
    return list(session.exec(query.order_by(TimeOff.start_at, TimeOff.id)))


def bookings_page(session: Session, *, business_id: int, around: Span | None, statuses: Sequence[str],
                  staff_id: int | None = None, customer_id: int | None = None, limit: int,
                  offset: int, newest_first: bool = False) -> tuple[list[Booking], int]:
    """One page of the business's bookings that start inside `around`, soonest (or latest) first, and how
    many match."""
    conditions = [Booking.business_id == business_id]
    if around is not None:
        conditions += [Booking.start_at >= around.start, Booking.start_at < around.end]
    if statuses:
        conditions.append(col(Booking.status).in_(list(statuses)))
    if staff_id is not None:
        conditions.append(Booking.staff_id == staff_id)
    if customer_id is not None:
        conditions.append(Booking.customer_id == customer_id)
    total = session.exec(select(func.count()).select_from(Booking).where(*conditions)).one()
    order = (col(Booking.start_at).desc(), col(Booking.id).desc()) if newest_first else (Booking.start_at, Booking.id)
    rows = session.exec(select(Booking).where(*conditions).order_by(*order).offset(offset).limit(limit))
    return list(rows), total


def clashing_bookings(session: Session, *, business_id: int, staff_ids: Sequence[int], around: Span,
                      now: datetime) -> list[Booking]:
    """The bookings of these technicians that keep time busy inside `around` (what time off would clash with)."""
    return [b for b in blocking_bookings(session, business_id=business_id, around=around, now=now)
            if b.staff_id in staff_ids]


def customers_page(session: Session, *, business_id: int, text: str, limit: int,
                   offset: int) -> tuple[list[Customer], int]:
    """The business's customers whose phone or name contains `text` (any case), by name; and how many."""
    conditions = [Customer.business_id == business_id]
    if text:
        pattern = f"%{text.lower()}%"
        digits = "".join(ch for ch in text if ch.isdigit())
        matches = [func.lower(Customer.name).like(pattern)]
        if digits:
            matches.append(col(Customer.phone).like(f"%{digits}%"))
        conditions.append(or_(*matches))
    total = session.exec(select(func.count()).select_from(Customer).where(*conditions)).one()
    rows = session.exec(select(Customer).where(*conditions).order_by(Customer.name, Customer.id)
                        .offset(offset).limit(limit))
    return list(rows), total


def lock_business(session: Session, *, business_id: int) -> None:
    """Lock the business's row until the transaction ends (PostgreSQL; SQLite leaves the clause out and
    already holds the write lock from BEGIN IMMEDIATE): booking writes of one business queue up. FOR NO KEY
    UPDATE, because rows inserted earlier in the turn (its message, a new customer) hold a key-share lock
    on the business through their foreign key: FOR UPDATE would deadlock two turns against each other."""
    session.exec(select(Business.id).where(Business.id == business_id).with_for_update(key_share=True)).first()


def lapse_holds(session: Session, *, business_id: int, now: datetime, expiry_kind: str, lapsed_kind: str) -> list[int]:
    """Mark the business's lapsed holds expired now, where their expiry work (`expiry_kind`) is still open, and
    turn that work into `lapsed_kind` (what is left: telling the customer); the booking ids. PostgreSQL's
    no-double-booking constraint counts a hold as live until its status says otherwise."""
    lapsed = session.exec(select(Booking, DueWork).join(DueWork, col(DueWork.booking_id) == Booking.id).where(
        Booking.business_id == business_id, col(Booking.status).in_([s.value for s in HOLDING]),
        col(Booking.hold_expires_at) <= now, DueWork.kind == expiry_kind, col(DueWork.done_at).is_(None))
        .with_for_update(of=Booking)).all()
    for booking, due in lapsed:
        booking.status, booking.updated_at = BookingStatus.EXPIRED.value, now
        due.kind, due.due_at = lapsed_kind, now
    session.flush()
    return [booking.id for booking, _ in lapsed]


def claim_conversation_version(session: Session, *, conversation_id: int, loaded: int) -> bool:
    """Move a conversation past the version a turn loaded; False when another turn saved it first."""
    return _CLAIM_VERSION.run(session, {"conversation_id": conversation_id, "loaded": loaded,
                                        "claimed": loaded + 1}) == 1


def mark_messages(session: Session, *, ids: Sequence[int], **values) -> None:
    """Set these columns on these outbox rows in one statement."""
    if ids:
        session.execute(update(Message).where(col(Message.id).in_(ids)).values(**values))


def mark_sending(session: Session, *, ids: Sequence[int], now: datetime) -> None:
    mark_messages(session, ids=ids, status="sending", claimed_at=now, attempts=Message.attempts + 1)


def record_sent(session: Session, *, sent: Sequence[tuple[int, str]], now: datetime) -> None:
    """Provider ids for sent rows (unless a status callback recorded one first), and "sent" for those a
    callback has not already moved further on."""
    if not sent:
        return
    table = Message.__table__
    if session.get_bind().dialect.name == "postgresql":  # one statement: UPDATE ... FROM (VALUES ...)
        given = values(column("mid", Integer), column("pid", String), name="sent").data(list(sent))
        session.execute(update(table).where(table.c.id == given.c.mid, table.c.provider_id.is_(None))
                        .values(provider_id=given.c.pid))
    else:
        session.connection().execute(
            update(table).where(table.c.id == bindparam("mid"), table.c.provider_id.is_(None))
            .values(provider_id=bindparam("pid")), [{"mid": mid, "pid": pid} for mid, pid in sent])
    session.execute(update(Message).where(col(Message.id).in_([mid for mid, _ in sent]), Message.status == "sending")
                    .values(status="sent", sent_at=now))
