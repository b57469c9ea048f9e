"""The customer's "add to calendar" links: GET /b/{code}.ics (an iCalendar file) and GET /b/{code}/google
(a redirect to Google Calendar's filled-in "add event" page, so the text carries a short link).

The booking code is the only key (unguessable, secrets.token_urlsafe(12)): anything that is not a code of
a booking with a calendar entry gets the same plain 404, whether it is malformed, unknown or a hold.
"""

import re
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlmodel import Session

from api.deps import ClockDep, SessionDep, SettingsDep
from bot.calendar_entry import entry_of
from bot.db import queries
from bot.domain.calendar_file import CalendarEntry, calendar_file, event_uid, google_link, is_code

router = APIRouter(include_in_schema=False)
NOT_FOUND = "No booking has this link."


@router.get("/b/{code}.ics")
def ics_file(code: str, session: SessionDep, settings: SettingsDep, clock: ClockDep) -> Response:
    entry = _entry(session, code)
    if entry is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    body = calendar_file(entry, uid=event_uid(code, settings.public_base_url), now=clock())
    day = entry.start.astimezone(ZoneInfo(entry.tz)).date().isoformat()
    filename = re.sub(r"[^a-z0-9]+", "-", f"{entry.business} {day}".lower()).strip("-")
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename or "booking"}.ics"',
        # It changes when the booking moves, and it is one customer's: never from a shared cache.
        "Cache-Control": "no-store",
    })


@router.get("/b/{code}/google")
def google_calendar(code: str, session: SessionDep) -> Response:
    entry = _entry(session, code)
    if entry is None:
        return PlainTextResponse(NOT_FOUND, status_code=404)
    if entry.is_cancelled:
        return PlainTextResponse("This booking was cancelled.", status_code=410)
    return RedirectResponse(google_link(entry), status_code=302, headers={"Cache-Control": "no-store"})


def _entry(session: Session, code: str) -> CalendarEntry | None:
    if not is_code(code):
        return None
    booking = queries.booking_by_code(session, code=code)
    return entry_of(session, booking) if booking is not None else None
