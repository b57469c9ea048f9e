"""Our mirror of the connected Google calendars: what they said was busy (the cache offers read), which
events of ours they hold, and the listener that queues `calendar.sync` when a booking changes.

Why a listener: a booking is confirmed, moved, given to another technician or cancelled in a dozen
places (the booking flow, a late payment, the owner's page, API and texts, reschedules, the waitlist,
expiries). A session listener sees every such change that goes through the ORM, so no path can forget
to tell the calendar (bot/db/schedule_stamp.py does the same for the schedule). Every booking write in
the code base goes through the ORM; a raw UPDATE of booking rows would have to call `queue_syncs` itself.

The syncs are queued when the transaction commits, not when it flushes: cancelling closes every open
due row of the booking (bot/cancellation.py) and must not close the sync that cancelling needs.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, or_, select

from bot.db.tables import Booking, CalendarEvent, CalendarLink, DueWork
from bot.domain.booking import BookingStatus
from bot.domain.span import Span, merged, subtract

CALENDAR_SYNC = "calendar.sync"
# A confirmed booking has an event; done and no-show keep theirs as a record of the day; any other status
# (cancelled, expired, declined, or not firm yet) has none.
ON_CALENDAR = frozenset({BookingStatus.CONFIRMED})
KEEPS_EVENT = frozenset({BookingStatus.COMPLETED, BookingStatus.NO_SHOW})
# Statuses a booking has only before it is first confirmed: the lifecycle (bot/domain/booking.py) moves nothing
# back to them from confirmed (a late payment revives only an expired hold, never confirmed either).
NOT_YET_CONFIRMED = frozenset({BookingStatus.HELD, BookingStatus.AWAITING_PAYMENT, BookingStatus.PENDING_APPROVAL})
# What the event shows or where it goes: a change to any of these needs a sync.
SYNCED_FIELDS = ("status", "start_at", "end_at", "staff_id", "address", "service_id", "customer_id")
_CHANGED = "calendar_mirror.changed_bookings"
# Asked on every offer and every booking change: built once, with bound parameters.
_LINKS_READ = (select(CalendarLink.id, CalendarLink.staff_id, CalendarLink.busy, CalendarLink.fetched_at)
               .where(CalendarLink.business_id == bindparam("business_id"), col(CalendarLink.fetched_at).is_not(None)))
_LINKED_BUSINESSES = select(CalendarLink.business_id).where(
    col(CalendarLink.business_id).in_(bindparam("business_ids", expanding=True)))


def links_of(session: Session, *, business_id: int) -> list[CalendarLink]:
    return list(session.exec(select(CalendarLink).where(CalendarLink.business_id == business_id)
                             .order_by(CalendarLink.id)))


def link_of(session: Session, *, business_id: int, staff_id: int | None) -> CalendarLink | None:
    """The business-wide link (staff_id None) or that technician's own."""
    return session.exec(select(CalendarLink).where(CalendarLink.business_id == business_id,
                                                   CalendarLink.staff_id == staff_id)).first()


def links_to_refresh(session: Session, *, checked_before: datetime, limit: int) -> list[CalendarLink]:
    """Links not asked since `checked_before` (or never), oldest first, locked (concurrent refreshers skip them);
    not those whose grant Google refused (asking again cannot work until the owner connects again)."""
    return list(session.exec(select(CalendarLink).where(
        or_(col(CalendarLink.checked_at).is_(None), CalendarLink.checked_at <= checked_before),
        col(CalendarLink.needs_reconnect).is_(False))
        .order_by(col(CalendarLink.checked_at).is_not(None), CalendarLink.checked_at, CalendarLink.id).limit(limit)
        .with_for_update(skip_locked=True)))


def event_of(session: Session, *, booking_id: int, lock: bool = False) -> CalendarEvent | None:
    query = select(CalendarEvent).where(CalendarEvent.booking_id == booking_id)
    return session.exec(query.with_for_update() if lock else query).first()


def events_on(session: Session, *, link_id: int) -> list[CalendarEvent]:
    return list(session.exec(select(CalendarEvent).where(CalendarEvent.link_id == link_id)))


def failed_events(session: Session, *, business_id: int, after: datetime) -> list[tuple[CalendarEvent, Booking]]:
    """Events of the business's bookings (starting after `after`) whose last sync failed."""
    return list(session.exec(select(CalendarEvent, Booking).join(Booking, col(Booking.id) == CalendarEvent.booking_id)
                             .where(Booking.business_id == business_id, Booking.start_at > after,
                                    CalendarEvent.last_error != "").order_by(Booking.start_at)))


def busy_by_staff(session: Session, *, business_id: int, around: Span) -> Mapping[int | None, list[Span]]:
    """External busy time touching `around`, per technician id (None: the business-wide calendar), from the
    cache the periodic refresh keeps (bot/calendar_sync.py). Only the cache: asking Google here would put
    hundreds of milliseconds (seconds when it is slow) into every customer's turn, and an outage would
    stop booking altogether; a cache a few minutes old is what the owner's page warns about instead.

    Our own events are taken out: Google reports them as busy too, and counting them would block a
    booking's own time when it moves a little, the other seats of a group class, and every technician
    when the events go on the business-wide calendar. The booking itself blocks its time as a job."""
    # On the connection, as queries.blocking_spans reads bookings: the ORM's handling of a plain column select
    # cost twice the query itself, on every offer and every hold. The flush stands in for the ORM's autoflush.
    session.flush()
    links = session.connection().execute(_LINKS_READ, {"business_id": business_id}).all()
    links = [link for link in links if link.busy]
    if not links:
        return {}
    ids = [link.id for link in links]
    ours = session.exec(select(CalendarEvent).where(
        or_(col(CalendarEvent.link_id).in_(ids), col(CalendarEvent.previous_link_id).in_(ids)),
        col(CalendarEvent.synced_at).is_not(None))).all()
    found: dict[int | None, list[Span]] = {}
    for link in links:
        spans = [span for span in (Span(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in link.busy)
                 if span.overlaps(around)]
        if spans:
            spans = subtract(spans, _our_spans(ours, link.id, link.fetched_at))
            found.setdefault(link.staff_id, []).extend(spans)
    return {staff_id: merged(spans) for staff_id, spans in found.items()}


def _our_spans(events: Iterable[CalendarEvent], link_id: int, fetched_at: datetime | None) -> list[Span]:
    """Where our events were on that calendar when Google answered: read after an event's last change, it
    shows the event where it is now; read before, where it was before that change (at the same instant:
    either)."""
    spans = []
    for row in events:
        after = fetched_at is not None and fetched_at >= row.synced_at
        before = fetched_at is None or fetched_at <= row.synced_at
        if after and row.link_id == link_id and row.start_at is not None:
            spans.append(Span(row.start_at, row.end_at))
        if before and row.previous_link_id == link_id and row.previous_start_at is not None:
            spans.append(Span(row.previous_start_at, row.previous_end_at))
    return spans


def queue_syncs(session: Session, *, booking_ids: Iterable[int]) -> int:
    """Queue a calendar.sync for each of these bookings that needs one: its business has a calendar, and it
    is confirmed or has an event to change. One open sync per booking is enough, as the sync reads the
    booking when it runs; returns how many were queued."""
    bookings = [b for b in (session.get(Booking, i) for i in set(booking_ids)) if b is not None]
    if not bookings:
        return 0
    linked = set(session.exec(_LINKED_BUSINESSES,
                              params={"business_ids": list({b.business_id for b in bookings})}).all())
    queued = 0
    for booking in bookings:
        if booking.business_id not in linked:
            continue
        mirror = event_of(session, booking_id=booking.id)
        if booking.status not in ON_CALENDAR and (mirror is None or mirror.link_id is None):
            continue
        # Locked: a worker finishing an earlier sync of this booking either commits first (we then see its
        # row done and queue another) or waits for us (and then sees this change; bot/calendar_sync.py).
        open_row = session.exec(select(DueWork).where(DueWork.booking_id == booking.id, DueWork.kind == CALENDAR_SYNC,
                                                      col(DueWork.done_at).is_(None)).with_for_update()).first()
        if open_row is None:
            # Due at the change itself (the clock of whoever changed it): the listener has no clock of its own.
            session.add(DueWork(kind=CALENDAR_SYNC, booking_id=booking.id, due_at=booking.updated_at))
            queued += 1
    return queued


def open_syncs(session: Session, *, booking_id: int) -> Sequence[DueWork]:
    return session.exec(select(DueWork).where(DueWork.booking_id == booking_id, DueWork.kind == CALENDAR_SYNC,
                                              col(DueWork.done_at).is_(None))).all()


def upcoming_confirmed(session: Session, *, business_id: int, staff_id: int | None, after: datetime) -> list[int]:
    """Ids of the confirmed bookings after `after` (of one technician, or all of the business)."""
    query = select(Booking.id).where(Booking.business_id == business_id, Booking.end_at > after,
                                     Booking.status == BookingStatus.CONFIRMED.value)
    if staff_id is not None:
        query = query.where(Booking.staff_id == staff_id)
    return list(session.exec(query).all())


@event.listens_for(OrmSession, "after_flush")
def _note_booking_changes(session: OrmSession, _context) -> None:
    """Remember the bookings this flush added or changed in a way the calendar shows."""
    changed = None
    for row in (*session.new, *session.dirty):
        if isinstance(row, Booking) and (_goes_on_calendar(row) if row in session.new else _shows_change(row)):
            if changed is None:
                changed = session.info.setdefault(_CHANGED, {})
            # The row itself, not only its id: the session holds clean rows weakly, so a booking the turn has
            # let go of by commit (the deposit step's) was read from the database again for queue_syncs.
            changed[row.id] = row


def _goes_on_calendar(new: Booking) -> bool:
    """Whether a booking this flush inserts needs a sync: only when it is on the calendar at once (an owner's
    booking). No event can exist yet, so a hold (every booking a customer's text makes) needs nothing until it
    is confirmed, a later flush that notes it then; noting it anyway cost a query at every commit."""
    return new.status in ON_CALENDAR


def _shows_change(row: Booking) -> bool:
    attrs = inspect(row).attrs
    if not any(attrs[name].history.has_changes() for name in SYNCED_FIELDS):
        return False
    status = attrs["status"].history
    before = status.deleted or status.unchanged  # empty when the old status was never loaded: then it may need one
    # Not confirmed before, so never synced and without an event: it needs a sync only if confirmed now. (The
    # deposit step's move of a hold to awaiting payment cost a query at every commit.)
    return not (before and before[0] in NOT_YET_CONFIRMED and row.status not in ON_CALENDAR)


@event.listens_for(OrmSession, "before_commit")
def _queue_noted(session: OrmSession) -> None:
    if not session.info.get(_CHANGED) and not (session.new or session.dirty):
        return
    session.flush()  # changes still pending are noted by this flush
    changed = session.info.pop(_CHANGED, None)
    if changed:
        queue_syncs(session, booking_ids=changed)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_noted(session: OrmSession, transaction) -> None:
    # Only when the whole transaction ends: a savepoint rolled back (a hold the database refused) must not
    # drop the changes made before it. A booking noted in a rolled-back savepoint is simply not found then.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
