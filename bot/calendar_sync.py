"""Google Calendar both ways: what a connected calendar says is busy keeps offers off those times, and every
confirmed booking is an event on its technician's calendar (or the business's).

Busy times. `refresh_busy` asks Google (freebusy.query) for each connected calendar whose copy is older than
GOOGLE_BUSY_TTL_SECONDS, for the business's booking horizon, and stores the answer on the link; it runs on
beat (`calendar.refresh`) and on the embedded default's loop. Offers read only that copy
(bot/db/calendar_mirror.py: busy_by_staff). When Google cannot be read, the last answer stays in use (a
Google outage never stops booking), the failure is logged and the owner page says since when.

Events. A booking change queues due work `calendar.sync` (the listener in bot/db/calendar_mirror.py);
`sync_calendars` runs it like the outbox sends texts: claim in one short transaction (the booking's
`calendar_event` row takes a lease, so one worker at a time changes a booking's event), call Google with no
transaction open (a slow Google must not hold database locks; on SQLite, every writer), record in another.
Each run reads the booking as it is then and makes the calendar match: insert, patch, delete, or move to
another calendar. The event id is derived from the booking, so a retried insert meets its own event (409)
and patches it: a booking never gets two events. Retryable failures (5xx, 429, network) come back with
backoff; a revoked grant marks the calendar for reconnecting (shown on the owner page).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from hashlib import sha256
from uuid import uuid4
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.adapters.google_calendar import (OAUTH, SERVICE_ACCOUNT, CalendarAccess, CalendarError, CalendarFor,
                                          CalendarUnavailable, EventDraft, TokenBox, event_id_for)
from bot.bookings import Refusal
from bot.db import calendar_mirror as mirror
from bot.db import queries
from bot.db.session import transaction
from bot.db.tables import Booking, Business, CalendarEvent, CalendarLink, Customer, DueWork, Service, Staff
from bot.domain.booking import BookingStatus
from bot.domain.phone import pretty
from bot.domain.span import Span
from bot.domain.wording import clock_text, when_text

log = logging.getLogger(__name__)

# Longer than one sync can take (a token refresh and three calls, each with a 10 s timeout): a worker that
# dies mid-sync leaves the booking to another after this long.
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 10                       # 1 + 2 + 4 ... minutes, at most an hour apart: about five hours
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
SYNC_BUDGET_SECONDS = 45.0              # then leave the rest to the next run (other workers can take it)
REFRESH_BATCH = 20                      # calendars read per run: 20 x a 10 s timeout fits a task
SHOWN_FAILURES = 5                      # bookings whose event failed, listed on the owner page; then a count
# Busy times are asked from a little before now (jobs reaching into the window) to the end of the horizon.
LOOK_BEHIND = timedelta(hours=1)


def access_of(link: CalendarLink) -> CalendarAccess:
    return CalendarAccess(kind=link.auth_kind, sealed_token=link.refresh_token_sealed)


# Busy times

@dataclass(frozen=True)
class _Ask:
    link_id: int
    access: CalendarAccess
    calendar_id: str
    span: Span


def refresh_busy(database_url: str, calendars: CalendarFor, *, now: datetime, ttl: timedelta,
                 limit: int = REFRESH_BATCH) -> int:
    """Ask Google again for the busy times of calendars last asked more than `ttl` ago; returns how many
    were asked. A failure keeps the last answer in use and is recorded for the owner page."""
    with transaction(database_url) as session:
        asks = []
        for link in mirror.links_to_refresh(session, checked_before=now - ttl, limit=limit):
            business = session.get(Business, link.business_id)
            span = Span(now - LOOK_BEHIND, now + timedelta(days=business.horizon_days + 1))
            asks.append(_Ask(link.id, access_of(link), link.calendar_id, span))
            link.checked_at = now  # taken: another refresher skips it for a TTL
    for ask in asks:
        error: CalendarError | None = None
        spans: list[Span] = []
        try:
            answer = calendars(ask.access).busy([ask.calendar_id], ask.span)
            if ask.calendar_id in answer.errors:
                error = CalendarUnavailable(f"Google could not read the calendar ({answer.errors[ask.calendar_id]})")
            else:
                spans = list(answer.busy.get(ask.calendar_id, []))
        except CalendarError as failure:
            error = failure
        except Exception as failure:  # a bug or an SDK surprise: logged whole, the old busy times stay in use
            log.exception("reading Google Calendar link %s failed", ask.link_id)
            error = CalendarUnavailable(f"unexpected: {failure}")
        with transaction(database_url) as session:
            link = session.get(CalendarLink, ask.link_id)
            if link is None:
                continue  # disconnected meanwhile
            if error is None:
                link.busy = [[s.start.isoformat(), s.end.isoformat()] for s in spans]
                link.busy_until, link.fetched_at = ask.span.end, now
                link.error_since, link.last_error, link.needs_reconnect = None, "", False
            else:
                log.warning("Google Calendar link %s could not be read (%s); offers use its busy times of %s",
                            link.id, error, link.fetched_at)
                link.error_since = link.error_since or now
                link.last_error = str(error)[:300]
                link.needs_reconnect = link.needs_reconnect or error.reconnect
    return len(asks)


# Events

@dataclass(frozen=True)
class Placement:
    """Where a booking's event belongs and what it says."""

    link_id: int
    calendar_id: str
    access: CalendarAccess
    draft: EventDraft

    @property
    def digest(self) -> str:
        return sha256(repr((self.link_id, self.calendar_id, self.draft)).encode()).hexdigest()


@dataclass(frozen=True)
class Removal:
    link_id: int
    calendar_id: str
    access: CalendarAccess
    event_id: str


KEEP = "keep"  # done or a no-show: the event stays as the record of the day, whatever it says


@dataclass(frozen=True)
class Plan:
    """One claimed sync: what to change on Google, under the lease `token`."""

    row_id: int
    booking_id: int
    token: str
    wanted: str | None             # the digest of what the booking wants (None: no event), to see later changes
    removal: Removal | None
    placement: Placement | None
    exists: bool                   # the event is already on the placement's calendar (patch, not insert)


@dataclass(frozen=True)
class Outcome:
    removed: bool = False
    placed: bool = False
    error: CalendarError | None = None


def sync_calendars(database_url: str, calendars: CalendarFor, *, clock: Callable[[], datetime],
                   budget_seconds: float = SYNC_BUDGET_SECONDS) -> int:
    """Run due calendar syncs, one booking at a time, until none is due or the budget is spent; returns how
    many rows were taken."""
    started, taken = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        with transaction(database_url) as session:
            claimed, plan = claim_sync(session, now=clock())
        if not claimed:
            break
        taken += 1
        if plan is not None:
            outcome = carry_out(plan, calendars)
            with transaction(database_url) as session:
                record_sync(session, plan, outcome, now=clock())
    return taken


def claim_sync(session: Session, *, now: datetime) -> tuple[bool, Plan | None]:
    """Take the oldest due calendar.sync and lease its booking's event; (False, None) when none is due, and
    no plan when there is nothing to change (the row is then done) or another worker holds the lease."""
    rows = queries.claim_due_work(session, now=now, limit=1, kinds=(mirror.CALENDAR_SYNC,))
    if not rows:
        return False, None
    row = rows[0]
    booking = session.get(Booking, row.booking_id) if row.booking_id is not None else None
    if booking is None:
        row.done_at = now
        return True, None
    held = mirror.event_of(session, booking_id=booking.id, lock=True)
    if held is None:
        held = CalendarEvent(booking_id=booking.id, event_id=event_id_for(booking.code))
        session.add(held)
        session.flush()
    if held.lease_until is not None and held.lease_until > now:
        row.due_at = held.lease_until  # another worker is changing this event: after it
        return True, None
    want = wanted_placement(session, booking)
    if want == KEEP:
        row.done_at = now
        return True, None
    removal, placement, exists = _changes(session, held, want)
    if removal is None and placement is None:
        row.done_at = now
        return True, None
    link = session.get(CalendarLink, (placement or removal).link_id)
    if link is not None and link.needs_reconnect:
        # Google refused this grant already; every call would fail the same way until the owner reconnects,
        # which queues every upcoming booking again.
        held.last_error = "Google Calendar needs reconnecting"
        row.done_at = now
        return True, None
    token = uuid4().hex
    held.lease_until, held.lease_token = now + LEASE, token
    row.due_at, row.attempts = now + LEASE, row.attempts + 1   # back by itself after the lease if we die
    return True, Plan(row.id, booking.id, token, _digest_of(want), removal, placement, exists)


def _changes(session: Session, held: CalendarEvent,
             want: Placement | None) -> tuple[Removal | None, Placement | None, bool]:
    """What to do to turn the event as Google has it (`held`) into `want`."""
    current = session.get(CalendarLink, held.link_id) if held.link_id is not None else None
    if held.link_id is not None and current is None:
        # Its calendar was disconnected: as far as we know, it has no event.
        held.link_id = held.calendar_id = held.start_at = held.end_at = held.digest = None
    removal = None
    if current is not None and (want is None or want.link_id != current.id):
        removal = Removal(current.id, held.calendar_id or current.calendar_id, access_of(current), held.event_id)
    if want is None or (current is not None and want.link_id == current.id and held.digest == want.digest):
        return removal, None, False
    return removal, want, current is not None and want.link_id == current.id


def _digest_of(want: "Placement | str | None") -> str | None:
    return want.digest if isinstance(want, Placement) else want


def wanted_placement(session: Session, booking: Booking | None) -> "Placement | str | None":
    """Where the booking's event should be now: a Placement, KEEP (leave it as it is), or None (no event)."""
    if booking is None:
        return None
    status = BookingStatus(booking.status)
    if status in mirror.KEEPS_EVENT:
        return KEEP
    if status not in mirror.ON_CALENDAR:
        return None
    link = (mirror.link_of(session, business_id=booking.business_id, staff_id=booking.staff_id)
            or mirror.link_of(session, business_id=booking.business_id, staff_id=None))
    if link is None:
        return None
    return Placement(link.id, link.calendar_id, access_of(link), draft_of(session, booking))


def draft_of(session: Session, booking: Booking) -> EventDraft:
    """The event of a booking: "Full Detail - Dana K.", at the job's address, with the customer's phone and
    the booking code (what the owner looks up by), and our booking id as a private property."""
    business = session.get(Business, booking.business_id)
    service, customer = session.get(Service, booking.service_id), session.get(Customer, booking.customer_id)
    staff = session.get(Staff, booking.staff_id)
    who = short_name(customer.name) or pretty(customer.phone)
    lines = [f"{customer.name or 'Customer'}: {pretty(customer.phone)}", f"Booking code: {booking.code}",
             f"Technician: {staff.name}" if staff else "", booking.note, f"Booked with {business.name}."]
    location = booking.address if business.is_mobile else business.address
    return EventDraft(event_id=event_id_for(booking.code), booking_id=booking.id, summary=f"{service.name} - {who}",
                      location=location or "", description="\n".join(line for line in lines if line),
                      start_at=booking.start_at, end_at=booking.end_at, time_zone=business.time_zone)


def short_name(name: str | None) -> str:
    """"Dana Kim" -> "Dana K.", "Dana" -> "Dana": enough for the owner, less of the customer on a calendar."""
    parts = (name or "").split()
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0].upper()}."


def carry_out(plan: Plan, calendars: CalendarFor) -> Outcome:
    """Make the calls of a plan, outside any transaction."""
    removed = False
    try:
        if plan.removal is not None:
            calendars(plan.removal.access).delete_event(plan.removal.calendar_id, plan.removal.event_id)
            removed = True
        if plan.placement is not None:
            calendars(plan.placement.access).upsert_event(plan.placement.calendar_id, plan.placement.draft,
                                                          exists=plan.exists)
        return Outcome(removed=removed, placed=plan.placement is not None)
    except CalendarError as error:
        return Outcome(removed=removed, error=error)
    except Exception as error:  # a bug or an SDK surprise: logged whole, retried like an outage (a few times)
        log.exception("calendar sync of booking %s failed unexpectedly", plan.booking_id)
        return Outcome(removed=removed, error=CalendarUnavailable(f"unexpected: {error}"))


def record_sync(session: Session, plan: Plan, outcome: Outcome, *, now: datetime) -> None:
    """Record what Google now holds, release the lease, and finish, retry or repeat the due row."""
    # The due row first: a booking change committing now either finishes first (then we see it below) or
    # waits for this row and then finds it done and queues another (bot/db/calendar_mirror.py).
    row = session.get(DueWork, plan.row_id, with_for_update=True)
    held = mirror.event_of(session, booking_id=plan.booking_id, lock=True)
    if held is None or held.lease_token != plan.token:
        log.warning("calendar sync of booking %s outlived its lease; the next sync redoes it", plan.booking_id)
        return
    if outcome.removed:
        held.previous_link_id, held.previous_start_at, held.previous_end_at = held.link_id, held.start_at, held.end_at
        held.link_id = held.calendar_id = held.start_at = held.end_at = held.digest = None
        held.synced_at = now
    if outcome.placed:
        placement = plan.placement
        if not outcome.removed:
            held.previous_link_id, held.previous_start_at, held.previous_end_at = (held.link_id, held.start_at,
                                                                                   held.end_at)
        held.link_id, held.calendar_id, held.digest = placement.link_id, placement.calendar_id, placement.digest
        held.start_at, held.end_at, held.synced_at = placement.draft.start_at, placement.draft.end_at, now
    held.lease_until = held.lease_token = None
    error = outcome.error
    if error is None:
        held.failures, held.last_error = 0, ""
    else:
        held.failures += 1
        held.last_error = str(error)[:300]
        log.warning("calendar sync of booking %s failed (%s)%s", plan.booking_id, error,
                    ", will retry" if error.retryable and row is not None and row.attempts < MAX_ATTEMPTS else "")
        if error.reconnect:
            link = session.get(CalendarLink, (plan.placement or plan.removal).link_id)
            if link is not None:
                link.needs_reconnect, link.last_error = True, str(error)[:300]
                link.error_since = link.error_since or now
    if row is not None and row.done_at is None:
        if error is not None and error.retryable and row.attempts < MAX_ATTEMPTS:
            row.due_at = now + retry_delay(row.attempts)
        elif error is not None:
            row.done_at = now  # given up: the owner page shows the booking's error
        elif _digest_of(wanted_placement(session, session.get(Booking, plan.booking_id))) != plan.wanted:
            row.due_at = now  # the booking changed while we were at Google: again, with what it is now
        else:
            row.done_at = now
    for other in mirror.open_syncs(session, booking_id=plan.booking_id):
        if other.id != plan.row_id and other.due_at > now:
            other.due_at = now  # queued while we held the lease: its turn now


def retry_delay(attempts: int) -> timedelta:
    """A minute after the first failure, doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


# Connecting and disconnecting

def connect(session: Session, business: Business, *, staff_id: int | None, calendar_id: str, auth_kind: str,
            now: datetime, refresh_token: str | None = None, token_box: TokenBox | None = None) -> CalendarLink:
    """Connect a calendar for the whole business (staff_id None) or one technician, replacing the one they
    had; the upcoming confirmed bookings then go onto it. An OAuth refresh token is only stored encrypted."""
    if staff_id is not None:
        staff = session.get(Staff, staff_id)
        if staff is None or staff.business_id != business.id:
            raise Refusal("technician", "no such technician")
    calendar_id = calendar_id.strip()
    if not calendar_id or len(calendar_id) > 255:
        raise Refusal("calendar_id", "give the calendar's id (Google Calendar settings, 'Integrate calendar')")
    sealed = None
    if auth_kind == OAUTH:
        if token_box is None:
            raise Refusal("token", "GOOGLE_TOKEN_KEY is not set, so the Google token cannot be stored encrypted")
        if not refresh_token:
            raise Refusal("token", "Google sent no refresh token")
        sealed = token_box.seal(refresh_token)
    elif auth_kind != SERVICE_ACCOUNT:
        raise Refusal("auth_kind", f"unknown kind {auth_kind!r}")
    link = mirror.link_of(session, business_id=business.id, staff_id=staff_id)
    if link is not None and (link.calendar_id, link.auth_kind) != (calendar_id, auth_kind):
        _forget(session, link)
        link = None
    if link is None:
        link = CalendarLink(business_id=business.id, staff_id=staff_id, calendar_id=calendar_id, auth_kind=auth_kind,
                            created_at=now)
        session.add(link)
    # The same calendar again (a reconnect after a revoked grant): its busy times and our events stay.
    link.refresh_token_sealed = sealed
    link.needs_reconnect, link.error_since, link.last_error, link.checked_at = False, None, "", None
    session.flush()
    # Upcoming bookings go onto it; events already on it are checked again (a cancellation that could not
    # reach Google while the grant was revoked deletes its event now).
    mirror.queue_syncs(session, booking_ids=[
        *mirror.upcoming_confirmed(session, business_id=business.id, staff_id=staff_id, after=now),
        *(held.booking_id for held in mirror.events_on(session, link_id=link.id))])
    return link


def disconnect(session: Session, business: Business, link_id: int, *, now: datetime) -> CalendarLink | None:
    """Stop using a calendar: its busy times no longer block offers, and upcoming bookings go to the business's
    calendar if there is another one. Events already on it stay there (we may no longer reach it)."""
    link = session.get(CalendarLink, link_id)
    if link is None or link.business_id != business.id:
        return None
    staff_id = link.staff_id
    _forget(session, link)
    session.flush()
    mirror.queue_syncs(session, booking_ids=mirror.upcoming_confirmed(session, business_id=business.id,
                                                                       staff_id=staff_id, after=now))
    return link


def _forget(session: Session, link: CalendarLink) -> None:
    for held in mirror.events_on(session, link_id=link.id):
        session.delete(held)
    session.delete(link)


# What the owner page shows

@dataclass(frozen=True)
class Connection:
    """One row of the owner's calendar page: the whole business or a technician, and its calendar if any."""

    staff_id: int | None
    who: str
    link: CalendarLink | None
    state: str


def connections(session: Session, business: Business, *, now: datetime) -> list[Connection]:
    links = {link.staff_id: link for link in mirror.links_of(session, business_id=business.id)}
    rows = [(None, "Whole business")] + [(s.id, s.name) for s in queries.staff_of(session, business_id=business.id)]
    return [Connection(staff_id, who, links.get(staff_id), _state(links.get(staff_id), business, now))
            for staff_id, who in rows]


def _state(link: CalendarLink | None, business: Business, now: datetime) -> str:
    if link is None:
        return "Not connected."
    source = "your Google account" if link.auth_kind == OAUTH else "a calendar shared with our service account"
    if link.needs_reconnect:
        return f"Google stopped our access to {source}: connect it again."
    if link.error_since is not None:
        return f"Connected ({source}); could not be read since {_moment(link.error_since, business, now)}."
    if link.fetched_at is None:
        return f"Connected ({source}); reading its busy times..."
    return f"Connected ({source}); busy times read at {_moment(link.fetched_at, business, now)}."


def warnings(session: Session, business: Business, *, now: datetime) -> list[str]:
    """What the owner should know about the connected calendars, for the top of every owner page."""
    names = {s.id: s.name for s in queries.staff_of(session, business_id=business.id, include_inactive=True)}
    found = []
    for link in mirror.links_of(session, business_id=business.id):
        whose = "Google Calendar" if link.staff_id is None else f"{names.get(link.staff_id, '?')}'s Google Calendar"
        if link.needs_reconnect:
            found.append(f"{whose} needs connecting again (Google refused our access since "
                         f"{_moment(link.error_since or now, business, now)}); offers use what it said before.")
        elif link.error_since is not None:
            found.append(f"{whose} could not be read since {_moment(link.error_since, business, now)}; "
                         f"offers use what it said then.")
    failed = mirror.failed_events(session, business_id=business.id, after=now)
    for held, booking in failed[:SHOWN_FAILURES]:
        found.append(f"Booking #{booking.id} ({when_text(booking.start_at, business.time_zone)}) is not as it should "
                     f"be on Google Calendar: {held.last_error}")
    if len(failed) > SHOWN_FAILURES:
        found.append(f"...and {len(failed) - SHOWN_FAILURES} more bookings.")
    return found


def _moment(instant: datetime, business: Business, now: datetime) -> str:
    """"2:05 PM" today, "Mon Mar 9, 2:05 PM" another day, in the business's zone."""
    zone = ZoneInfo(business.time_zone)
    if instant.astimezone(zone).date() == now.astimezone(zone).date():
        return clock_text(instant.astimezone(zone))
    return when_text(instant, business.time_zone)
