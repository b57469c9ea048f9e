"""Small keyword-only query functions: the only place that builds SQL."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.db.tables import (Booking, Business, Conversation, Customer, DayHours, DueWork, Message, Payment, Service,
                           Staff, TimeOff, WeeklyHours)
from bot.domain.availability import Job, Technician, WeeklyRule
from bot.domain.booking import FIRM, HOLDING, BookingStatus
from bot.domain.phone import Channel
from bot.domain.span import Span
from bot.domain.travel import Place


def business_by_number(session: Session, *, channel: Channel, phone: str) -> Business | None:
    column = Business.whatsapp_phone if channel is Channel.WHATSAPP else Business.sms_phone
    return session.exec(select(Business).where(column == phone)).first()


def customer_for(session: Session, *, business_id: int, phone: str) -> Customer:
    """The business's customer with this phone, created on first contact."""
    customer = session.exec(
        select(Customer).where(Customer.business_id == business_id, Customer.phone == phone)).first()
    if customer is None:
        customer = Customer(business_id=business_id, phone=phone)
        session.add(customer)
        session.flush()
    return customer


def find_customer(session: Session, *, business_id: int, phone: str) -> Customer | None:
    return session.exec(
        select(Customer).where(Customer.business_id == business_id, Customer.phone == phone)).first()


def conversation_for(session: Session, *, business_id: int, phone: str, channel: Channel, now: datetime) -> Conversation:
    conversation = session.exec(select(Conversation).where(
        Conversation.business_id == business_id, Conversation.phone == phone,
        Conversation.channel == channel.value)).first()
    if conversation is None:
        conversation = Conversation(business_id=business_id, phone=phone, channel=channel.value, updated_at=now)
        session.add(conversation)
        session.flush()
    return conversation


def active_services(session: Session, *, business_id: int) -> list[Service]:
    return list(session.exec(select(Service).where(Service.business_id == business_id, Service.active)
                             .order_by(Service.id)))


def technicians(session: Session, *, business: Business, around: Span, now: datetime,
                exclude_booking_id: int | None = None) -> list[Technician]:
    """Each active technician as the availability engine sees them, with what touches `around`:
    weekly hours, dated hours, time off and the bookings that keep their slot busy at `now`."""
    staff = list(session.exec(select(Staff).where(Staff.business_id == business.id, Staff.active).order_by(Staff.id)))
    ids = [s.id for s in staff]
    services = {s.id: s for s in session.exec(select(Service).where(Service.business_id == business.id))}
    weekly: dict[int, list[WeeklyRule]] = {i: [] for i in ids}
    for row in session.exec(select(WeeklyHours).where(col(WeeklyHours.staff_id).in_(ids))):
        weekly[row.staff_id].append(WeeklyRule(row.weekday, row.opens, row.closes))
    dated: dict[int, dict[date, list[tuple[time, time]]]] = {i: {} for i in ids}
    first, last = (around.start - timedelta(days=1)).date(), (around.end + timedelta(days=1)).date()
    for row in session.exec(select(DayHours).where(col(DayHours.staff_id).in_(ids), DayHours.on >= first,
                                                   DayHours.on <= last)):
        hours = dated[row.staff_id].setdefault(row.on, [])
        if row.opens is not None and row.closes is not None:
            hours.append((row.opens, row.closes))
    off: dict[int, list[Span]] = {i: [] for i in ids}
    for row in session.exec(select(TimeOff).where(col(TimeOff.staff_id).in_(ids), TimeOff.end_at > around.start,
                                                  TimeOff.start_at < around.end)):
        off[row.staff_id].append(Span(row.start_at, row.end_at))
    jobs: dict[int, list[Job]] = {i: [] for i in ids}
    for row in blocking_bookings(session, business_id=business.id, around=around, now=now):
        if row.id != exclude_booking_id and row.staff_id in jobs:
            service = services[row.service_id]
            jobs[row.staff_id].append(Job(
                Span(row.start_at, row.end_at), place=_place(row.address, row.lat, row.lng), service=service.name,
                seats=row.seats, buffer_before=timedelta(minutes=service.buffer_before_minutes),
                buffer_after=timedelta(minutes=_buffer_after(business, service))))
    return [Technician(
        s.id, weekly[s.id], dated[s.id], off[s.id], jobs=jobs[s.id],
        services=None if s.service_ids is None else frozenset(services[i].name for i in s.service_ids if i in services),
        base=_place(s.base_address, s.base_lat, s.base_lng), max_jobs_per_day=s.max_jobs_per_day) for s in staff]


def _place(address: str | None, lat: float | None, lng: float | None) -> Place | None:
    return Place(address or "", lat, lng) if address or lat is not None else None


def _buffer_after(business: Business, service: Service) -> int:
    return business.buffer_minutes if service.buffer_after_minutes is None else service.buffer_after_minutes


def blocking_bookings(session: Session, *, business_id: int, around: Span, now: datetime) -> Sequence[Booking]:
    """Bookings that keep their slot busy at `now` and touch `around` (see booking.is_blocking)."""
    return session.exec(select(Booking).where(
        Booking.business_id == business_id, Booking.end_at > around.start, Booking.start_at < around.end,
        or_(col(Booking.status).in_([s.value for s in FIRM]),
            (col(Booking.status).in_([s.value for s in HOLDING])) & (Booking.hold_expires_at > now)))).all()


def bookings_between(session: Session, *, business_id: int, around: Span,
                     statuses: Sequence[BookingStatus]) -> list[Booking]:
    return list(session.exec(select(Booking).where(
        Booking.business_id == business_id, Booking.start_at >= around.start, Booking.start_at < around.end,
        col(Booking.status).in_([s.value for s in statuses])).order_by(Booking.start_at)))


def inbound_by_provider_id(session: Session, *, provider_id: str) -> Message | None:
    return session.exec(select(Message).where(Message.provider_id == provider_id)).first()


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


def pending_payment_for(session: Session, *, booking_id: int) -> Payment | None:
    return session.exec(select(Payment).where(Payment.booking_id == booking_id, Payment.status == "pending")).first()


def due_work(session: Session, *, now: datetime, limit: int) -> list[DueWork]:
    return list(session.exec(select(DueWork).where(DueWork.done_at == None, DueWork.due_at <= now)  # noqa: E711
                             .order_by(DueWork.due_at).limit(limit)))


def open_due_work(session: Session, *, booking_id: int, kind: str) -> DueWork | None:
    return session.exec(select(DueWork).where(DueWork.booking_id == booking_id, DueWork.kind == kind,
                                              DueWork.done_at == None)).first()  # noqa: E711
