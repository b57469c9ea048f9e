"""Work with a deadline: claim due rows and run each once (hold expiry), and deliver the outbox.

Celery beat calls these every minute in production; `bot demo` runs them on an in-process loop.
"""

import logging
from datetime import datetime

from sqlmodel import Session

from bot.adapters.messaging import MessageSender
from bot.db import queries
from bot.db.tables import Booking, Business, Customer, DueWork, Service
from bot.domain.booking import HOLDING, BookingStatus, checked_move
from bot.domain.phone import Channel, address_of
from bot.domain.wording import hold_lapsed_text
from bot.front_desk import HOLD_EXPIRY, queue_text

log = logging.getLogger(__name__)
BATCH = 100


def run_due_work(session: Session, *, now: datetime) -> int:
    """Run every due row once; returns how many ran. Safe to call again: done rows are skipped."""
    rows = queries.due_work(session, now=now, limit=BATCH)
    for row in rows:
        row.attempts += 1
        if row.kind == HOLD_EXPIRY:
            _expire_hold(session, row, now)
        else:
            log.error("due work %s has unknown kind %r; marked done", row.id, row.kind)
        row.done_at = now
    return len(rows)


def _expire_hold(session: Session, row: DueWork, now: datetime) -> None:
    booking = session.get(Booking, row.booking_id)
    if booking is None or BookingStatus(booking.status) not in HOLDING:
        return  # paid, confirmed or released since: nothing to expire
    if booking.hold_expires_at and booking.hold_expires_at > now:
        row.due_at = booking.hold_expires_at  # the hold was extended; look again then
        return
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.EXPIRED).value
    booking.updated_at = now
    payment = queries.pending_payment_for(session, booking_id=booking.id)
    if payment is not None:
        payment.status = "expired"
    business = session.get(Business, booking.business_id)
    customer = session.get(Customer, booking.customer_id)
    service = session.get(Service, booking.service_id)
    channel = Channel(booking.channel)
    queue_text(session, business, phone=customer.phone, channel=channel, now=now,
               body=hold_lapsed_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                     language=customer.language))
    conversation = queries.conversation_for(session, business_id=business.id, phone=customer.phone,
                                            channel=channel, now=now)
    if conversation.data.get("booking_id") == booking.id:
        conversation.flow, conversation.state, conversation.data = "", "", {}
        conversation.version += 1
        conversation.updated_at = now


def deliver_outbox(session: Session, *, sender: MessageSender, now: datetime) -> int:
    """Send queued messages; opted-out customers get nothing (consent is checked at send time)."""
    sent = 0
    for message in queries.queued_messages(session, limit=BATCH):
        business = session.get(Business, message.business_id)
        customer = queries.find_customer(session, business_id=business.id, phone=message.phone)
        if customer is not None and customer.opted_out:
            message.status = "suppressed"
            continue
        channel = Channel(message.channel)
        business_phone = business.whatsapp_phone if channel is Channel.WHATSAPP else business.sms_phone
        message.provider_id = sender.send(to_address=address_of(channel, message.phone),
                                          from_address=address_of(channel, business_phone or ""),
                                          body=message.body, idempotency_key=f"outbox-{message.id}")
        message.status, message.sent_at = "sent", now
        sent += 1
    return sent
