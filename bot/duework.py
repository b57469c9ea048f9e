"""Work with a deadline: claim due rows and run each once.

Kinds: hold expiry, approval expiry, reminders, follow-ups (the job is done: thank the customer,
plan the rebooking nudge), rebooking nudges, and lapsed waitlist offers. Celery beat runs the
dispatcher every minute in production (tasks/worker.py); `bot demo` runs it on an in-process loop
(tasks/local_loop.py). Each handler checks the booking's state when it runs, not when it was planned,
so a row that outlived its reason (a reminder for a cancelled booking) does nothing. A handler that
returns False is not done: it moved its own `due_at` (quiet hours, an extended hold) and runs again then.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import waitlist
from bot.adapters.payment import PaymentGateway
from bot.cancellation import cancel_booking
from bot.checkout import stop_checkout
from bot.db import queries
from bot.db.calendar_mirror import CALENDAR_SYNC
from bot.db.tables import Booking, Business, Conversation, Customer, DueWork, Service
from bot.domain.booking import FIRM, HOLDING, BookingStatus, checked_move
from bot.domain.phone import Channel, pretty
from bot.domain.reminder import quiet_ends
from bot.domain.wording import hold_lapsed_text, money_text, notice, when_text
from bot.front_desk import where_text
from bot.outbox import queue_owner_text, queue_text, steer
from bot.reminders import (APPROVAL_EXPIRY, FOLLOW_UP, HOLD_EXPIRY, HOLD_LAPSED, REBOOK_NUDGE, REMINDER,
                           WAITLIST_EXPIRY, plan_rebook_nudge)

log = logging.getLogger(__name__)
BATCH = 500
# A reminder this late whose booking has a later reminder also due is skipped: one text, not two.
LATE = timedelta(minutes=10)


@dataclass
class Pass:
    """What the handlers of one batch share: the clock, the payment gateway, preloaded threads."""

    now: datetime
    payments: PaymentGateway | None
    threads: dict[tuple[int, str, str], Conversation] = field(default_factory=dict)
    looked_up: set[tuple[int, str, str]] = field(default_factory=set)   # preloaded: a miss means there is none
    loaded: list = field(default_factory=list)   # the batch's rows, kept alive in the session's identity map
    outbox: list[dict] = field(default_factory=list)   # texts to queue, inserted together at the end
    steers: list[dict] = field(default_factory=list)   # threads to point at a question, updated together

    def steer(self, conversation: Conversation, *, flow: str, state: str, data: dict) -> None:
        """As bot.outbox.steer, batched for threads already stored."""
        if conversation.id is None:
            steer(conversation, flow=flow, state=state, data=data, now=self.now)
        else:
            self.steers.append({"cid": conversation.id, "c_flow": flow, "c_state": state, "c_data": data})

    def queue(self, business: Business, *, phone: str, channel: str, body: str, kind: str,
              template_variables: dict[str, str] | None = None) -> None:
        """An outbox row, as bot.outbox.queue_text writes it; one bulk insert per batch (a reminder
        storm is thousands of rows, and building ORM objects for them was most of a batch's time)."""
        self.outbox.append({"business_id": business.id, "direction": "out", "channel": channel, "phone": phone,
                            "body": body, "status": "queued", "offers": [], "created_at": self.now, "kind": kind,
                            "template_variables": template_variables, "attempts": 0})

    def thread(self, session: Session, business_id: int, phone: str, channel: str) -> Conversation:
        key = (business_id, phone, channel)
        found = self.threads.get(key)
        if found is None and key in self.looked_up:
            found = Conversation(business_id=business_id, phone=phone, channel=channel, updated_at=self.now)
            session.add(found)
        elif found is None:
            found = queries.conversation_for(session, business_id=business_id, phone=phone,
                                             channel=Channel(channel), now=self.now)
        self.threads[key] = found
        return found


Handler = Callable[[Session, DueWork, Pass], bool]


def run_due_work(session: Session, *, now: datetime, payments: PaymentGateway | None = None,
                 limit: int = BATCH) -> int:
    """Claim up to `limit` due rows (locked; concurrent dispatchers take others) and run each once;
    returns how many were claimed. Done rows are never claimed again."""
    # Calendar syncs call Google, so they run outside this transaction (bot/calendar_sync.py: sync_calendars).
    rows = queries.claim_due_work(session, now=now, limit=limit, skip_kinds=(CALENDAR_SYNC,))
    work = Pass(now, payments)
    _preload(session, rows, work)
    done = []
    for row in rows:
        handler = HANDLERS.get(row.kind)
        if handler is None:
            log.error("due work %s has unknown kind %r; marked done", row.id, row.kind)
            done.append(row.id)
        elif handler(session, row, work):
            done.append(row.id)
    session.flush()
    # Set-based writes: a reminder storm is thousands of rows a minute, and row-by-row ORM updates and
    # inserts were most of a batch's time.
    queries.finish_due_work(session, claimed=[r.id for r in rows], done=done, now=now)
    queries.queue_many(session, rows=work.outbox)
    queries.steer_conversations(session, changes=work.steers, now=now)
    return len(rows)


def _preload(session: Session, rows: list[DueWork], work: Pass) -> None:
    """Load the batch's bookings, customers, services, businesses and threads in a few queries."""
    bookings = queries.load_by_ids(session, Booking, [r.booking_id for r in rows])
    work.loaded = [*bookings, *queries.load_by_ids(session, Customer, [b.customer_id for b in bookings]),
                   *queries.load_by_ids(session, Service, [b.service_id for b in bookings]),
                   *queries.load_by_ids(session, Business, [b.business_id for b in bookings])]
    keys = []
    for booking in bookings:
        customer = session.get(Customer, booking.customer_id)
        keys.append((booking.business_id, customer.phone, booking.channel))
    work.threads.update(queries.conversations_by_key(session, keys=keys))
    work.looked_up.update(keys)


def _parts(session: Session, booking: Booking) -> tuple[Business, Customer, Service]:
    return (session.get(Business, booking.business_id), session.get(Customer, booking.customer_id),
            session.get(Service, booking.service_id))


def expire_hold(session: Session, row: DueWork, work: Pass) -> bool:
    booking = session.get(Booking, row.booking_id)
    if booking is None or BookingStatus(booking.status) not in HOLDING:
        return True  # paid, confirmed or released since: nothing to expire
    if booking.hold_expires_at and booking.hold_expires_at > work.now:
        row.due_at = booking.hold_expires_at  # the hold was extended; look again then
        return False
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.EXPIRED).value
    booking.updated_at = work.now
    _tell_lapsed(session, booking, work)
    return True


def tell_hold_lapsed(session: Session, row: DueWork, work: Pass) -> bool:
    """A hold a slot taker already expired in place (bot.schedule.free_at on PostgreSQL): the rest of expiring it."""
    booking = session.get(Booking, row.booking_id)
    if booking is not None and booking.status == BookingStatus.EXPIRED:
        _tell_lapsed(session, booking, work)
    return True


def _tell_lapsed(session: Session, booking: Booking, work: Pass) -> None:
    payment = queries.pending_payment_for(session, booking_id=booking.id)
    if payment is not None:
        payment.status = "expired"
        stop_checkout(payment, work.payments, now=work.now)  # a Stripe session may outlive the hold
    business, customer, service = _parts(session, booking)
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=work.now,
               kind="hold_lapsed",
               body=hold_lapsed_text(service=service.name, start=booking.start_at, tz=business.time_zone,
                                     language=customer.language))
    conversation = work.thread(session, business.id, customer.phone, booking.channel)
    if conversation.data.get("booking_id") == booking.id:
        steer(conversation, flow="", state="", data={}, now=work.now)


def expire_approval(session: Session, row: DueWork, work: Pass) -> bool:
    """The owner did not approve in time: the request lapses, the deposit goes back, the slot is freed."""
    booking = session.get(Booking, row.booking_id)
    if booking is None or booking.status != BookingStatus.PENDING_APPROVAL:
        return True  # approved, declined or cancelled meanwhile
    if work.payments is None:
        log.error("approval expiry of booking %s needs a payment gateway to refund; will retry", booking.id)
        row.due_at = work.now + timedelta(minutes=5)
        return False
    business, customer, service = _parts(session, booking)
    outcome = cancel_booking(session, booking, business, now=work.now, by_owner=True, payments=work.payments,
                             status=BookingStatus.EXPIRED)
    lang = customer.language
    refund = (notice(lang, "deposit_refunded", amount=money_text(outcome.refunded_cents, business.currency))
              if outcome.refunded_cents else "")
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=work.now,
               kind="approval_lapsed", body=notice(lang, "approval_lapsed", service=service.name,
                                                   when=when_text(booking.start_at, business.time_zone, lang),
                                                   refund=refund))
    queue_owner_text(session, business, f"Request lapsed (not approved in time): {customer.name or 'a customer'} "
                                         f"({pretty(customer.phone)}), {service.name}, "
                                         f"{when_text(booking.start_at, business.time_zone)}. Deposit refunded.",
                     now=work.now)
    waitlist.offer_freed_slot(session, business, booking, now=work.now)
    return True


def send_reminder(session: Session, row: DueWork, work: Pass) -> bool:
    booking = session.get(Booking, row.booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.start_at <= work.now:
        return True
    if work.now - row.due_at > LATE and any(
            other.id != row.id and row.due_at < other.due_at <= work.now
            for other in queries.open_due_work_of(session, booking_id=booking.id, kinds=(REMINDER,))):
        return True  # the dispatcher was down; the later reminder says the same thing
    business, customer, service = _parts(session, booking)
    lang = customer.language
    when = when_text(booking.start_at, business.time_zone, lang)
    where = where_text(business, booking.address, lang)
    work.queue(business, phone=customer.phone, channel=booking.channel, kind=REMINDER,
               template_variables={"1": service.name, "2": when, "3": where},
               body=notice(lang, "reminder", service=service.name, business=business.name, when=when, where=where))
    work.steer(work.thread(session, business.id, customer.phone, booking.channel), flow="reminder",
               state="reminded", data={"appointment_id": booking.id})
    return True


def follow_up(session: Session, row: DueWork, work: Pass) -> bool:
    """After the job: mark it done, thank the customer, plan the rebooking nudge."""
    booking = session.get(Booking, row.booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        return True  # cancelled, or the owner marked it (no-show, done) already
    business, customer, service = _parts(session, booking)
    if _waits_for_quiet_hours(row, business, work.now):
        return False
    booking.status = checked_move(BookingStatus(booking.status), BookingStatus.COMPLETED).value
    booking.updated_at = work.now
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=work.now,
               kind=FOLLOW_UP, template_variables={"1": business.name},
               body=notice(customer.language, "follow_up", business=business.name))
    if service.rebook_weeks:
        plan_rebook_nudge(session, booking, weeks=service.rebook_weeks)
    return True


def nudge_rebooking(session: Session, row: DueWork, work: Pass) -> bool:
    """'Time for another Full Detail?': the reply goes straight into the booking flow for that service."""
    booking = session.get(Booking, row.booking_id)
    if booking is None:
        return True
    business, customer, service = _parts(session, booking)
    if customer.opted_out or not service.active:
        return True
    if queries.upcoming_bookings(session, customer_id=customer.id, now=work.now, statuses=list(FIRM)):
        return True  # already booked again
    if _waits_for_quiet_hours(row, business, work.now):
        return False
    queue_text(session, business, phone=customer.phone, channel=Channel(booking.channel), now=work.now,
               kind=REBOOK_NUDGE, template_variables={"1": business.name, "2": service.name},
               body=notice(customer.language, "rebook_nudge", business=business.name, service=service.name))
    conversation = work.thread(session, business.id, customer.phone, booking.channel)
    if not conversation.state:  # never break into a conversation that is under way
        steer(conversation, flow="booking", state="ask_time", data={"service": service.name}, now=work.now)
    return True


def _waits_for_quiet_hours(row: DueWork, business: Business, now: datetime) -> bool:
    """Non-urgent texts wait for the end of the business's quiet hours."""
    later = quiet_ends(now, business.time_zone, business.quiet_start, business.quiet_end)
    if later > now:
        row.due_at = later
        return True
    return False


def expire_waitlist_offer(session: Session, row: DueWork, work: Pass) -> bool:
    return waitlist.lapse_offer(session, row.booking_id, now=work.now)


HANDLERS: dict[str, Handler] = {
    HOLD_EXPIRY: expire_hold,
    HOLD_LAPSED: tell_hold_lapsed,
    APPROVAL_EXPIRY: expire_approval,
    REMINDER: send_reminder,
    FOLLOW_UP: follow_up,
    REBOOK_NUDGE: nudge_rebooking,
    WAITLIST_EXPIRY: expire_waitlist_offer,
}
