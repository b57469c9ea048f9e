"""The business's schedule stamp, and the crew cached under it.

Technicians, services, weekly hours, dated hours and time off are read on every offer and change a few
times a week. Loading them took six queries and a few hundred ORM objects per offer (a fifth of a
turn in bench/turn_bench.py), so each process keeps them as plain data under the business's
`schedule_stamp`, which the business row (read by every turn anyway) carries. The stamp also changes with
the business row itself, under which bot/db/turn_rows.py keeps that row, and when a calendar link is added or
removed: the crew says whether the business has any, so offers to a business without one skip the query.

The stamp is renewed by a flush listener on every session, not by the edit paths: an owner API call,
the owner page, an owner text ("off fri"), a seed or a test all write those rows through the ORM, and
none of them can forget to. A write that bypasses the ORM (raw SQL on those tables) must renew the stamp
itself; there is none in the code base (the tests' raw updates of the business do it: tests/conftest.py).
Other processes see the new stamp on their next turn, because they read the business row in their own
transaction.
"""

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar
from uuid import uuid4

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from bot.db.tables import Business, CalendarLink, DayHours, Service, Staff, TimeOff, WeeklyHours
from bot.domain.availability import WeeklyRule
from bot.domain.span import Span
from bot.domain.travel import Place, place_at

SCHEDULE_TABLES = (Staff, Service, WeeklyHours, DayHours, TimeOff)
STAFF_CHILDREN = (WeeklyHours, DayHours, TimeOff)
# Dated hours and time off further back than this are not kept: windows start after `now` minus a day.
HISTORY = timedelta(days=7)
MAX_ENTRIES = 256   # businesses x databases one process serves; past this a cache starts afresh
T = TypeVar("T")


@event.listens_for(OrmSession, "before_flush")
def _renew_stamps(session: OrmSession, _context, _instances) -> None:
    """Give each business whose schedule rows this flush adds, changes or deletes a new stamp; and each business
    whose own row it changes (bot/db/turn_rows.py keeps the row under the stamp), or whose calendar links it
    adds or deletes (the crew says whether there are any)."""
    touched: set[int] = set()
    with session.no_autoflush:
        for row in (*session.new, *session.dirty, *session.deleted):
            if isinstance(row, Business):
                if row in session.dirty and session.is_modified(row) \
                        and not inspect(row).attrs.schedule_stamp.history.has_changes():
                    touched.add(row.id)
                continue
            if isinstance(row, CalendarLink):
                if row not in session.dirty and row.business_id is not None:
                    touched.add(row.business_id)
                continue
            if not isinstance(row, SCHEDULE_TABLES):
                continue
            if row in session.dirty and not session.is_modified(row):
                continue
            if isinstance(row, STAFF_CHILDREN):
                staff = session.get(Staff, row.staff_id) if row.staff_id is not None else None
                business_id = staff.business_id if staff is not None else None
            else:
                business_id = row.business_id
            if business_id is not None:
                touched.add(business_id)
        for business_id in touched:
            business = session.get(Business, business_id)
            if business is not None:
                business.schedule_stamp = uuid4().hex


@dataclass(frozen=True)
class Member:
    """One active technician, as plain data."""

    id: int
    service_ids: tuple[int, ...] | None
    base: Place | None
    max_jobs_per_day: int | None


@dataclass(frozen=True)
class ServiceTerms:
    name: str
    buffer_before_minutes: int
    buffer_after_minutes: int | None    # None: the business's buffer


@dataclass(frozen=True)
class Crew:
    """What the engine needs of a business's technicians apart from their bookings."""

    members: Sequence[Member]
    services: Mapping[int, ServiceTerms]
    weekly: Mapping[int, Sequence[WeeklyRule]]
    dated: Mapping[int, Mapping[date, Sequence[tuple[time, time]]]]   # every date from `since`
    off: Mapping[int, Sequence[Span]]                                 # every span ending after `since`
    since: datetime
    # The active services, by id, as rows detached from any session: read-only, shared by every turn.
    active_services: tuple[Service, ...] = ()
    has_calendar_links: bool = True     # False: no connected calendar can have busy time to read


class KeptUnderStamp(Generic[T]):
    """Values this process keeps per database, business and schedule stamp. A new stamp is a new key, so an
    entry made before a change is never asked for again; past MAX_ENTRIES the whole store starts afresh."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, int, str], T] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(session: Session, business_id: int, stamp: str) -> tuple[str, int, str]:
        return session.get_bind().url.render_as_string(hide_password=False), business_id, stamp

    def get(self, key: tuple[str, int, str]) -> T | None:
        return self._entries.get(key)

    def keep(self, key: tuple[str, int, str], value: T) -> T:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = value
        return value


_crews: KeptUnderStamp[Crew] = KeptUnderStamp()


def crew_of(session: Session, business: Business, *, since: datetime) -> Crew:
    """The business's crew, from this process's cache when the stamp still matches and it reaches back to
    `since`; loaded (five small queries) otherwise."""
    if business.id is None or _has_schedule_edits(session):
        # Edits of this transaction renew the stamp when they flush (the bookings query would flush them next
        # anyway): only then does the stamp say what this transaction sees (and a new business has an id).
        session.flush()
    key = _crews.key(session, business.id, business.schedule_stamp)
    found = _crews.get(key)
    if found is not None and found.since <= since:
        return found
    return _crews.keep(key, _load(session, business.id, since=since - HISTORY))


def _has_schedule_edits(session: Session) -> bool:
    """Whether this session holds unflushed changes to schedule rows: only those renew a stamp. Other edits
    (every turn's conversation, a new customer) are left to flush with the rest of the turn, not on their own."""
    return any(isinstance(row, SCHEDULE_TABLES) for rows in (session.new, session.dirty, session.deleted)
               for row in rows)


def _load(session: Session, business_id: int, *, since: datetime) -> Crew:
    staff = list(session.exec(select(Staff.id, Staff.service_ids, Staff.base_address, Staff.base_lat, Staff.base_lng,
                                     Staff.max_jobs_per_day)
                              .where(Staff.business_id == business_id, Staff.active).order_by(Staff.id)))
    ids = [row.id for row in staff]
    members = [Member(row.id, None if row.service_ids is None else tuple(row.service_ids),
                      place_at(row.base_address, row.base_lat, row.base_lng), row.max_jobs_per_day) for row in staff]
    services = {row.id: ServiceTerms(row.name, row.buffer_before_minutes, row.buffer_after_minutes)
                for row in session.exec(select(Service.id, Service.name, Service.buffer_before_minutes,
                                               Service.buffer_after_minutes).where(Service.business_id == business_id))}
    weekly: dict[int, list[WeeklyRule]] = {i: [] for i in ids}
    for row in session.exec(select(WeeklyHours.staff_id, WeeklyHours.weekday, WeeklyHours.opens, WeeklyHours.closes)
                            .where(col(WeeklyHours.staff_id).in_(ids)).order_by(WeeklyHours.id)):
        weekly[row.staff_id].append(WeeklyRule(row.weekday, row.opens, row.closes))
    dated: dict[int, dict[date, list[tuple[time, time]]]] = {i: {} for i in ids}
    for row in session.exec(select(DayHours.staff_id, DayHours.on, DayHours.opens, DayHours.closes)
                            .where(col(DayHours.staff_id).in_(ids), DayHours.on >= since.date() - timedelta(days=1))
                            .order_by(DayHours.id)):
        hours = dated[row.staff_id].setdefault(row.on, [])
        if row.opens is not None and row.closes is not None:
            hours.append((row.opens, row.closes))
    off: dict[int, list[Span]] = {i: [] for i in ids}
    for row in session.exec(select(TimeOff.staff_id, TimeOff.start_at, TimeOff.end_at)
                            .where(col(TimeOff.staff_id).in_(ids), TimeOff.end_at > since).order_by(TimeOff.id)):
        off[row.staff_id].append(Span(row.start_at, row.end_at))
    active = list(session.exec(select(Service).where(Service.business_id == business_id, Service.active)
                               .order_by(Service.id)))
    for row in active:
        session.expunge(row)   # fully loaded; detached so no session ever flushes (or expires) the shared copy
    linked = session.exec(select(CalendarLink.id).where(CalendarLink.business_id == business_id).limit(1)).first()
    return Crew(members, services, weekly, dated, off, since, tuple(active), has_calendar_links=linked is not None)
