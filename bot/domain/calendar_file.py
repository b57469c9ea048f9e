"""A customer's booking as a calendar entry: the iCalendar file (GET /b/{code}.ics), the Google Calendar
template link (GET /b/{code}/google), and the short line with both that confirmations carry.

Pure: the caller loads the booking and passes the clock. The event keeps one UID for the booking's whole
life and a SEQUENCE that rises whenever it moves or ends (`Booking.revision`, `is_revision`), so a calendar
that imported an earlier file replaces its copy: the moved time, or (METHOD:CANCEL) its cancellation.
Times are written in the business's IANA zone with the VTIMEZONE that defines it, so the entry stays at
the right wall-clock time across DST changes whatever zone the customer's phone is in.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from bot.domain.booking import BookingStatus
from bot.domain.wording import Catalogue, fill

PRODID = "-//Booking bot//Calendar file//EN"
GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
# Booking codes are secrets.token_urlsafe(12): 16 characters of this alphabet (the column holds up to 32).
# Anything else is not a code, and is answered 404 without a query.
CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
# The VTIMEZONE lists the zone's transitions this far either side of the event: enough for the event and
# for a calendar app that shows it, and a few lines instead of every change since 1970.
ZONE_MARGIN = timedelta(days=400)

# On the customer's calendar from the moment it is firm: these have a file showing the event.
ON_CALENDAR = frozenset({BookingStatus.PENDING_APPROVAL, BookingStatus.CONFIRMED, BookingStatus.COMPLETED,
                         BookingStatus.NO_SHOW})
# Ways a booking ends without happening. After a firm one ends this way its file cancels the event.
TAKEN_OFF = frozenset({BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED})

TEXTS: Catalogue = {
    "summary": {"en": "{service} - {business}", "es": "{service} - {business}"},
    "summary_cancelled": {"en": "Cancelled: {service} - {business}", "es": "Cancelado: {service} - {business}"},
    "details": {
        "en": "{service} with {business}.\nTo change or cancel, call or text {contact}.\nBooking code: {code}",
        "es": "{service} con {business}.\nPara cambiar o cancelar, llama o escribe al {contact}.\n"
              "Código de reserva: {code}",
    },
    "details_cancelled": {
        "en": "This {service} with {business} was cancelled.\nBooking code: {code}",
        "es": "Se canceló este {service} con {business}.\nCódigo de reserva: {code}",
    },
    # Plain ASCII separators: a character outside the GSM alphabet (such as "·") would make the whole
    # confirmation a UCS-2 text, 70 characters a segment instead of 160.
    "line": {"en": "Add to calendar: {ics} (Google: {google})",
             "es": "Agrégalo a tu calendario: {ics} (Google: {google})"},
}


@dataclass(frozen=True)
class CalendarEntry:
    """What the calendar file and the Google link say about one booking. No technician: the customer's
    calendar may be shared, and who comes can change without the event changing."""

    code: str
    service: str
    business: str
    contact: str                  # phone the customer calls or texts to change it, as the confirmation says
    start: datetime               # aware
    end: datetime                 # aware
    tz: str                       # the business's IANA zone
    location: str | None          # the job's address (mobile) or the business's; None: not known
    sequence: int                 # Booking.revision
    status: str                   # "CONFIRMED", "TENTATIVE" (waiting for the owner) or "CANCELLED"
    language: str = "en"

    @property
    def is_cancelled(self) -> bool:
        return self.status == "CANCELLED"


@dataclass(frozen=True)
class CalendarLinks:
    ics: str
    google: str


def is_code(text: str) -> bool:
    """Whether `text` could be a booking code at all."""
    return CODE.fullmatch(text) is not None


def calendar_status(status: BookingStatus, revision: int) -> str | None:
    """The event's STATUS for a booking in `status`, or None when it has no calendar file: a hold was never
    on the customer's calendar, and neither was a request that ended before it was firm (revision 0)."""
    if status == BookingStatus.PENDING_APPROVAL:
        return "TENTATIVE"
    if status in ON_CALENDAR:
        return "CONFIRMED"
    if status in TAKEN_OFF and revision > 0:
        return "CANCELLED"
    return None


def is_revision(before: BookingStatus, after: BookingStatus, *, moved: bool) -> bool:
    """Whether a change makes a new version of the customer's calendar entry (SEQUENCE + 1): a booking on
    their calendar moved (time or technician) or ended. Changes before it was firm are not versions: no
    file was out yet (a late deposit that moves the hold to another technician, a hold that lapses)."""
    if before not in ON_CALENDAR:
        return False
    return moved or (after != before and after in TAKEN_OFF)


def calendar_links(public_base_url: str, code: str) -> CalendarLinks:
    base = public_base_url.rstrip("/")
    return CalendarLinks(ics=f"{base}/b/{code}.ics", google=f"{base}/b/{code}/google")


def calendar_line(public_base_url: str, code: str, language: str) -> str:
    """"Add to calendar: https://.../b/CODE.ics (Google: https://.../b/CODE/google)"."""
    links = calendar_links(public_base_url, code)
    return fill(TEXTS, language, "line", ics=links.ics, google=links.google)


def with_calendar_line(text: str, *, public_base_url: str, code: str, language: str) -> str:
    """A confirmation with the calendar line on a line of its own; unchanged when there is no public address
    to link to."""
    if not public_base_url:
        return text
    return f"{text}\n{calendar_line(public_base_url, code, language)}"


def event_uid(code: str, public_base_url: str) -> str:
    """The same for every version of the booking's file, and not derivable from its id. It (like the
    description) carries the code, which travels with the event into any calendar it is shared to: fine
    while the code opens only this file and the Google link; if it ever opens more, take it out of both."""
    host = urlsplit(public_base_url).hostname or "localhost"
    return f"booking-{code}@{host}"


def calendar_file(entry: CalendarEntry, *, uid: str, now: datetime) -> bytes:
    """The booking's .ics: one VEVENT in the business's zone with its VTIMEZONE; METHOD:CANCEL once it ended."""
    # Imported here: icalendar costs every process tens of milliseconds at start, and only the .ics route needs it.
    from icalendar import Calendar, Event

    zone = ZoneInfo(entry.tz)
    calendar = Calendar()   # not Calendar.new() (icalendar 7): that gives the calendar a random UID too
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if entry.is_cancelled else "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", entry.sequence)
    event.add("dtstart", _wall_clock(entry.start, zone))
    event.add("dtend", _wall_clock(entry.end, zone))
    event.add("summary", _summary(entry))
    event.add("description", _details(entry))
    if entry.location:
        event.add("location", entry.location)
    event.add("status", entry.status)
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=(entry.start - ZONE_MARGIN).date(),
                                   last_date=(entry.end + ZONE_MARGIN).date())
    return calendar.to_ical()


def google_link(entry: CalendarEntry) -> str:
    """Google Calendar's "add event" page, filled in: dates as UTC instants, shown in the business's zone."""
    params = {"action": "TEMPLATE", "text": _summary(entry), "dates": f"{_utc(entry.start)}/{_utc(entry.end)}",
              "details": _details(entry), "ctz": entry.tz}
    if entry.location:
        params["location"] = entry.location
    return f"{GOOGLE_TEMPLATE}?{urlencode(params, quote_via=quote)}"


def _summary(entry: CalendarEntry) -> str:
    key = "summary_cancelled" if entry.is_cancelled else "summary"
    return fill(TEXTS, entry.language, key, service=entry.service, business=entry.business)


def _details(entry: CalendarEntry) -> str:
    key = "details_cancelled" if entry.is_cancelled else "details"
    return fill(TEXTS, entry.language, key, service=entry.service, business=entry.business, contact=entry.contact,
                code=entry.code)


def _wall_clock(at: datetime, zone: ZoneInfo) -> datetime:
    """`at` in the business's zone; in UTC if it falls in the hour a DST change repeats. A local time there
    means its first occurrence (RFC 5545, 3.3.5), so 1:30 AM CST on the first Sunday of November, after
    1:30 AM CDT, can only be written as an instant: 20261101T073000Z, not 01:30 Chicago time."""
    local = at.astimezone(zone)
    return at.astimezone(UTC) if local.fold else local


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
