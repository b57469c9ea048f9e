"""Small keyword-only query functions: the only place that builds SQL."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.db.tables import (Booking, Business, Conversation, Customer, DueWork, Message, Payment, Service, Staff,
                           TimeOff, WeeklyHours)
from bot.domain.availability import StaffCalendar, WeeklyRule
from bot.domain.booking import FIRM, HOLDING, BookingStatus
from bot.domain.phone import Channel
from bot.domain.span import Span


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


def staff_calendars(session: Session, *, business_id: int, around: Span, now: datetime,
                    exclude_booking_id: int | None = None) -> list[StaffCalendar]:
    """Each active technician's hours, time off and busy bookings that touch `around`."""
    staff = list(session.exec(select(Staff).where(Staff.business_id == business_id, Staff.active).order_by(Staff.id)))
    ids = [s.id for s in staff]
    rules: dict[int, list[WeeklyRule]] = {i: [] for i in ids}
    for row in session.exec(select(WeeklyHours).where(col(WeeklyHours.staff_id).in_(ids))):
        rules[row.staff_id].append(WeeklyRule(row.weekday, row.opens, row.closes))
    off: dict[int, list[Span]] = {i: [] for i in ids}
    for row in session.exec(select(TimeOff).where(col(TimeOff.staff_id).in_(ids), TimeOff.end_at > around.start,
                                                  TimeOff.start_at < around.end)):
        off[row.staff_id].append(Span(row.start_at, row.end_at))
    busy: dict[int, list[Span]] = {i: [] for i in ids}
    for row in blocking_bookings(session, business_id=business_id, around=around, now=now):
        if row.id != exclude_booking_id and row.staff_id in busy:
            busy[row.staff_id].append(Span(row.start_at, row.end_at))
    return [StaffCalendar(i, rules[i], off[i], busy[i]) for i in ids]


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
