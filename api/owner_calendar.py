"""The owner page's Google Calendar section, /owner/calendar: connect a calendar for the whole business or
for one technician (OAuth, or a calendar shared with our service account), see whether it is read, and
disconnect it.

Connecting starts with a plain link (GET /owner/google/connect), not a form: the page's content security
policy allows forms to post only to this site (`form-action 'self'`), which browsers also apply to the
redirect after a post. The link changes nothing here; what protects the flow is the signed `state`
(bot/calendar_grant.py), checked in the callback against the signed-in owner's session.
"""

import json
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import ClockDep, SessionDep, SettingsDep
from api.owner_page import SESSION_COOKIE, FormDep, OwnerDep, _page, _redirect
from bot.access import signed_in
from bot.adapters.google_calendar import OAUTH, SERVICE_ACCOUNT
from bot.bookings import Refusal
from bot.calendar_grant import BadState, GrantFailed, callback_url, consent_url, exchange_code, signed_state, \
    staff_of_state
from bot.calendar_sync import connect, connections, disconnect
from bot.config import Settings
from bot.db.session import transaction
from bot.db.tables import Business
from bot.wiring import token_box_from

router = APIRouter(prefix="/owner", include_in_schema=False)
PAGE = "/owner/calendar"


@router.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, owner: OwnerDep, session: SessionDep, settings: SettingsDep,
                  clock: ClockDep) -> HTMLResponse:
    return _page(request, owner, session, "owner/calendar.html",
                 rows=connections(session, owner.business, now=clock()), oauth=_oauth_problem(settings) or "ready",
                 oauth_configured=bool(settings.google_oauth_client_id), callback=callback_url(settings),
                 service_account=_service_account_email(settings))


@router.get("/google/connect")
def start_connect(owner: OwnerDep, settings: SettingsDep, clock: ClockDep,
                  technician: int | None = None) -> RedirectResponse:
    """Off to Google's consent screen, with a state only this session can finish."""
    problem = _oauth_problem(settings)
    if problem:
        return _redirect(PAGE, error=problem)
    state = signed_state(secret=owner.csrf_token, business_id=owner.business.id, staff_id=technician, now=clock())
    return RedirectResponse(consent_url(settings, state=state), status_code=303)


@router.get("/google/callback")
def finish_connect(request: Request, settings: SettingsDep, clock: ClockDep, state: str = "", code: str = "",
                   error: str = "") -> Response:
    """Google sends the owner back here. No transaction is open while we talk to Google (the code exchange)."""
    with transaction(settings.database_url) as session:
        found = signed_in(session, request.cookies.get(SESSION_COOKIE, ""), now=clock())
        if found is None:
            return RedirectResponse("/owner/login", status_code=303)
        account, owner_session = found
        business_id = account.business_id
        try:
            staff_id = staff_of_state(state[:300], secret=owner_session.csrf_token, business_id=business_id,
                                      now=clock())
        except BadState:
            return HTMLResponse(_STALE, status_code=400)
    if error or not code:
        return _redirect(PAGE, error="Google Calendar was not connected (Google said: "
                                     f"{(error or 'no code')[:60]}).")
    try:
        token = exchange_code(settings, code[:2000])
    except GrantFailed as failure:
        return _redirect(PAGE, error=str(failure))
    with transaction(settings.database_url) as session:
        business = session.get(Business, business_id)
        try:
            connect(session, business, staff_id=staff_id, calendar_id="primary", auth_kind=OAUTH, refresh_token=token,
                    token_box=token_box_from(settings), now=clock())
        except Refusal as refusal:
            return _redirect(PAGE, error=refusal.message)
    return _redirect(PAGE, note="Google Calendar connected. Its busy times keep offers off those hours within a few "
                                "minutes, and confirmed bookings appear on it.")


@router.post("/google/shared")
def connect_shared(owner: OwnerDep, form: FormDep, session: SessionDep, settings: SettingsDep,
                   clock: ClockDep) -> RedirectResponse:
    """A calendar the owner shared with our service account (no sign-in)."""
    if not settings.google_service_account_file:
        return _redirect(PAGE, error="No service account is set up on this server (GOOGLE_SERVICE_ACCOUNT_FILE).")
    technician = form.get("technician", "all")
    try:
        staff_id = None if technician == "all" else int(technician)
        connect(session, owner.business, staff_id=staff_id, calendar_id=form.get("calendar_id", ""),
                auth_kind=SERVICE_ACCOUNT, now=clock())
    except ValueError:
        return _redirect(PAGE, error="Choose who the calendar is for.")
    except Refusal as refusal:
        return _redirect(PAGE, error=refusal.message)
    return _redirect(PAGE, note="Shared calendar connected. Its busy times are read within a few minutes.")


@router.post("/google/{link_id}/disconnect")
def disconnect_calendar(link_id: int, owner: OwnerDep, form: FormDep, session: SessionDep,
                        clock: ClockDep) -> RedirectResponse:
    if disconnect(session, owner.business, link_id, now=clock()) is None:
        raise HTTPException(404, "No such calendar.")
    return _redirect(PAGE, note="Disconnected. Its busy times no longer block offers; events already on it stay there.")


def _oauth_problem(settings: Settings) -> str:
    """Why owners cannot connect with Google sign-in on this server, or "" when they can."""
    if not settings.google_oauth_client_id:
        return "Google sign-in is not set up on this server (GOOGLE_OAUTH_CLIENT_ID)."
    if not settings.google_token_key:
        return "GOOGLE_TOKEN_KEY is not set, so Google tokens could not be stored encrypted: nothing is connected."
    return ""


def _service_account_email(settings: Settings) -> str:
    """The service account's address, to share calendars with ("" when there is none or it cannot be read)."""
    if not settings.google_service_account_file:
        return ""
    try:
        return json.loads(Path(settings.google_service_account_file).read_text()).get("client_email", "")
    except (OSError, ValueError):
        return ""


_STALE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Try again</title></head><body>
<p>This Google sign-in did not start from your owner page in this browser, or took too long.
Nothing was connected. <a href="/owner/calendar">Back to Calendar</a> to try again.</p></body></html>"""
