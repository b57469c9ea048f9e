"""The owner's web page, /owner: the day and the week by technician, approvals, weekly hours, time off,
services, settings. Server-rendered with plain forms, so it works on any phone browser without scripts.

Sign-in is email + password (bot/access.py: argon2id, a rate limit). The session cookie is HttpOnly
and SameSite=Lax (Secure behind https); every form carries the session's CSRF token, and the sign-in form
a double-submit token from its own cookie, so no other site can post to any of these forms. Changes are
rows the bot reads on the next customer message.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import AdaptersDep, ClockDep, SessionDep, SettingsDep
from api.schemas import ServiceCreate, ServiceUpdate, SettingsUpdate
from api.templating import templates
from bot import bookings, roster
from bot.access import is_same_secret, sign_in, sign_out, signed_in
from bot.bookings import Refusal
from bot.calendar_sync import warnings as calendar_warnings
from bot.db import queries
from bot.db.session import transaction
from bot.db.tables import Booking, Business, Customer, OwnerAccount, Service, Staff
from bot.domain.booking import BookingStatus
from bot.domain.phone import pretty
from bot.domain.span import Span
from bot.domain.wording import WEEKDAYS, clock_text, money_text, when_text
from bot.policy import DAY_PART_NAMES, booking_links, change_settings, day_parts_or_defaults

router = APIRouter(prefix="/owner", include_in_schema=False)
SESSION_COOKIE = "owner_session"
LOGIN_CSRF_COOKIE = "owner_login_csrf"
SHOWN = [BookingStatus.PENDING_APPROVAL, BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW]
INTERVAL_ROWS = 2           # interval rows per weekday in the hours editor (a split shift); one more when full
ACTIONS = {"approve", "decline", "cancel", "complete", "no-show"}


@dataclass
class Owner:
    account: OwnerAccount
    business: Business
    csrf_token: str


def current_owner(request: Request, session: SessionDep, clock: ClockDep) -> Owner:
    """The signed-in owner; anyone else is sent to the sign-in page."""
    found = signed_in(session, request.cookies.get(SESSION_COOKIE, ""), now=clock())
    if found is None:
        raise HTTPException(303, "Sign in first.", headers={"Location": "/owner/login"})
    account, row = found
    return Owner(account, session.get(Business, account.business_id), row.csrf_token)


OwnerDep = Annotated[Owner, Depends(current_owner)]


async def checked_form(request: Request, owner: OwnerDep) -> dict[str, str]:
    """The posted form, once its CSRF token matches the session's (403 otherwise)."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    if not is_same_secret(form.get("csrf_token", ""), owner.csrf_token):
        raise HTTPException(403, "This form has expired or did not come from this site. Reload the page and try again.")
    return form


FormDep = Annotated[dict[str, str], Depends(checked_form)]


# Signing in and out

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return _login(request, error="", status=200)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, settings: SettingsDep, clock: ClockDep) -> Response:
    form = {key: str(value) for key, value in (await request.form()).items()}
    if not is_same_secret(form.get("csrf_token", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")):
        return _login(request, error="The form expired. Please try again.", status=403)
    def attempt():
        with transaction(settings.database_url) as session:
            return sign_in(session, email=form.get("email", ""), password=form.get("password", ""),
                           client=request.client.host if request.client else "unknown", now=clock())

    result = await run_in_threadpool(attempt)  # argon2 is slow on purpose: off the event loop
    if result.outcome == "limited":
        return _login(request, error="Too many failed attempts. Wait 15 minutes and try again.", status=429)
    if result.outcome != "ok":
        return _login(request, error="Wrong email or password.", status=401)
    response = RedirectResponse("/owner", status_code=303)
    response.set_cookie(SESSION_COOKIE, result.token, httponly=True, samesite="lax", path="/owner",
                        secure=settings.public_base_url.startswith("https://"), max_age=14 * 24 * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/owner")
    return response


@router.post("/logout")
def logout(request: Request, form: FormDep, session: SessionDep) -> RedirectResponse:
    sign_out(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/owner/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/owner")
    return response


def _login(request: Request, *, error: str, status: int) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = templates().TemplateResponse(request, "owner/login.html", {"error": error, "csrf_token": token},
                                            status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/owner")
    return response


# The day and the week

@router.get("", response_class=HTMLResponse)
@router.get("/day", response_class=HTMLResponse)
def day_page(request: Request, owner: OwnerDep, session: SessionDep, clock: ClockDep,
             day: date | None = None) -> HTMLResponse:
    business = owner.business
    day = day or clock().astimezone(ZoneInfo(business.time_zone)).date()
    return _page(request, owner, session, "owner/day.html", day=day, columns=_by_technician(session, business, day),
                 previous=day - timedelta(days=1), following=day + timedelta(days=1))


@router.get("/week", response_class=HTMLResponse)
def week_page(request: Request, owner: OwnerDep, session: SessionDep, clock: ClockDep,
              start: date | None = None) -> HTMLResponse:
    business = owner.business
    start = start or clock().astimezone(ZoneInfo(business.time_zone)).date()
    monday = start - timedelta(days=start.weekday())
    days = [(monday + timedelta(days=n), _by_technician(session, business, monday + timedelta(days=n)))
            for n in range(7)]
    return _page(request, owner, session, "owner/week.html", days=days, monday=monday,
                 previous=monday - timedelta(days=7), following=monday + timedelta(days=7))


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, owner: OwnerDep, session: SessionDep) -> HTMLResponse:
    rows, _ = queries.bookings_page(session, business_id=owner.business.id, around=None,
                                    statuses=[BookingStatus.PENDING_APPROVAL.value], limit=200, offset=0)
    return _page(request, owner, session, "owner/approvals.html",
                 cards=[_card(session, owner.business, b) for b in rows])


@router.post("/bookings/{booking_id}/{action}")
def booking_action(booking_id: int, action: str, owner: OwnerDep, form: FormDep, session: SessionDep,
                   clock: ClockDep, adapters: AdaptersDep, settings: SettingsDep) -> RedirectResponse:
    """A button on a booking: approve, decline (with a reason), cancel, complete, no-show."""
    booking = session.get(Booking, booking_id)
    if action not in ACTIONS or booking is None or booking.business_id != owner.business.id:
        raise HTTPException(404, "No such booking.")
    business, now = owner.business, clock()
    try:
        if action == "approve":
            bookings.approve(session, business, booking, now=now, public_base_url=settings.public_base_url)
        elif action == "decline":
            bookings.decline(session, business, booking, reason=form.get("reason", "")[:300], now=now,
                             payments=adapters.payments)
        elif action == "cancel":
            bookings.cancel(session, business, booking, now=now, payments=adapters.payments)
        elif action == "complete":
            bookings.complete(session, business, booking, now=now)
        else:
            bookings.no_show(session, booking, now=now)
    except Refusal as refusal:
        return _back(form, f"#{booking_id}: {refusal.message}")
    done = {"approve": "approved", "decline": "declined", "cancel": "cancelled", "complete": "marked done",
            "no-show": "marked as a no-show"}[action]
    return _back(form, f"#{booking_id} {done}.")


# Weekly hours

@router.get("/hours", response_class=HTMLResponse)
def hours_page(request: Request, owner: OwnerDep, session: SessionDep, technician: int | None = None) -> HTMLResponse:
    staff = queries.staff_of(session, business_id=owner.business.id)
    chosen = next((s for s in staff if s.id == technician), staff[0] if staff else None)
    week = []
    if chosen is not None:
        intervals = roster.weekly_hours(session, chosen)
        for weekday in range(7):
            mine = [i for i in intervals if i.weekday == weekday]
            rows = [(i.opens.strftime("%H:%M"), i.closes.strftime("%H:%M")) for i in mine]
            rows += [("", "")] * max(INTERVAL_ROWS - len(rows), 1)
            week.append((weekday, WEEKDAYS["en"][weekday], rows))
    return _page(request, owner, session, "owner/hours.html", staff=staff, chosen=chosen, week=week)


@router.post("/technicians/{technician_id}/hours")
def save_hours(technician_id: int, owner: OwnerDep, form: FormDep, session: SessionDep) -> RedirectResponse:
    staff = session.get(Staff, technician_id)
    if staff is None or staff.business_id != owner.business.id:
        raise HTTPException(404, "No such technician.")
    back = f"/owner/hours?technician={staff.id}"
    try:
        intervals = _intervals_from(form)
        roster.set_weekly_hours(session, staff, intervals)
    except Refusal as refusal:
        return _redirect(back, error=refusal.message)
    return _redirect(back, note=f"Saved {staff.name}'s hours. The bot offers them from the next message.")


def _intervals_from(form: dict[str, str]) -> list[roster.Interval]:
    intervals = []
    for weekday in range(7):
        n = 0
        while f"opens_{weekday}_{n}" in form or f"closes_{weekday}_{n}" in form:
            opens, closes = form.get(f"opens_{weekday}_{n}", "").strip(), form.get(f"closes_{weekday}_{n}", "").strip()
            n += 1
            if not opens and not closes:
                continue
            day = WEEKDAYS["en"][weekday]
            if not opens or not closes:
                raise Refusal("hours", f"{day}: give both an opening and a closing time")
            try:
                intervals.append(roster.Interval(weekday, time.fromisoformat(opens), time.fromisoformat(closes)))
            except ValueError:
                raise Refusal("hours", f"{day}: {opens}-{closes} is not a time like 09:00")
    return intervals


# Time off and holidays

@router.get("/time-off", response_class=HTMLResponse)
def time_off_page(request: Request, owner: OwnerDep, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    business = owner.business
    staff = queries.staff_of(session, business_id=business.id)
    names = {s.id: s.name for s in staff}
    now = clock()
    rows = queries.time_off_of(session, staff_ids=list(names), around=Span(now, now + timedelta(days=366)))
    zone = ZoneInfo(business.time_zone)
    listed = [{"id": r.id, "who": names.get(r.staff_id, "?"), "reason": r.reason,
               "span": f"{when_text(r.start_at, business.time_zone)} to {when_text(r.end_at, business.time_zone)}"}
              for r in rows]
    today = now.astimezone(zone).date()
    return _page(request, owner, session, "owner/time_off.html", staff=staff, rows=listed,
                 today=today.isoformat(), clashes=[], form={})


@router.post("/time-off", response_class=HTMLResponse)
def add_time_off(request: Request, owner: OwnerDep, form: FormDep, session: SessionDep,
                 clock: ClockDep) -> Response:
    business = owner.business
    staff_all = queries.staff_of(session, business_id=business.id)
    who = form.get("technician", "all")
    staff = staff_all if who == "all" else [s for s in staff_all if str(s.id) == who]
    try:
        span = _span_from(form, business)
        roster.add_time_off(session, business, staff, span, reason=form.get("reason", ""),
                            force=form.get("force") == "1", now=clock())
    except roster.Clash as clash:
        cards = [_card(session, business, b) for b in clash.bookings]
        return _page(request, owner, session, "owner/time_off.html", staff=staff_all, rows=[], error="",
                     today=form.get("start_day", ""), clashes=cards, form=form)
    except Refusal as refusal:
        return _redirect("/owner/time-off", error=refusal.message)
    return _redirect("/owner/time-off", note="Time off saved. The bot stops offering those times now.")


@router.post("/time-off/{time_off_id}/delete")
def delete_time_off(time_off_id: int, owner: OwnerDep, form: FormDep, session: SessionDep) -> RedirectResponse:
    row = roster.own_time_off(session, owner.business, time_off_id)
    if row is None:
        raise HTTPException(404, "No such time off.")
    session.delete(row)
    return _redirect("/owner/time-off", note="Time off removed.")


def _span_from(form: dict[str, str], business: Business) -> Span:
    """From day [time] to day [time], local; a day without a time is the whole day."""
    zone = ZoneInfo(business.time_zone)
    try:
        first = date.fromisoformat(form.get("start_day", ""))
        last = date.fromisoformat(form.get("end_day", "") or form.get("start_day", ""))
        start_time = time.fromisoformat(form["start_time"]) if form.get("start_time") else time(0)
        end_time = time.fromisoformat(form["end_time"]) if form.get("end_time") else None
    except ValueError:
        raise Refusal("start_day", "give the days as dates and the times like 13:00")
    start = datetime.combine(first, start_time, zone)
    end = (datetime.combine(last, end_time, zone) if end_time is not None
           else datetime.combine(last + timedelta(days=1), time(0), zone))
    return Span(start.astimezone(UTC), end.astimezone(UTC))


# Services

@router.get("/services", response_class=HTMLResponse)
def services_page(request: Request, owner: OwnerDep, session: SessionDep) -> HTMLResponse:
    services = queries.services_of(session, business_id=owner.business.id, include_inactive=True)
    rows = [{"service": s, "price": _dollars(s.price_cents), "deposit": _dollars(s.deposit_cents),
             "aliases": ", ".join(s.aliases)} for s in services]
    return _page(request, owner, session, "owner/services.html", rows=rows)


@router.post("/services")
def create_service(owner: OwnerDep, form: FormDep, session: SessionDep) -> RedirectResponse:
    try:
        new = ServiceCreate.model_validate(_service_fields(form))
    except (ValidationError, Refusal) as error:
        return _redirect("/owner/services", error=_problem(error))
    session.add(Service(business_id=owner.business.id, **new.model_dump()))
    return _redirect("/owner/services", note=f"Added {new.name}.")


@router.post("/services/{service_id}")
def update_service(service_id: int, owner: OwnerDep, form: FormDep, session: SessionDep) -> RedirectResponse:
    service = session.get(Service, service_id)
    if service is None or service.business_id != owner.business.id:
        raise HTTPException(404, "No such service.")
    try:
        changes = ServiceUpdate.model_validate({**_service_fields(form), "active": form.get("active") == "1"})
    except (ValidationError, Refusal) as error:
        return _redirect("/owner/services", error=_problem(error))
    data = changes.model_dump(exclude_unset=True)
    data["deposit_policy"] = data.get("deposit_policy")
    service.sqlmodel_update(data)
    return _redirect("/owner/services", note=f"Saved {service.name}.")


def _service_fields(form: dict[str, str]) -> dict[str, Any]:
    deposit = _cents(form.get("deposit", ""), "deposit")
    return {"name": form.get("name", "").strip(), "duration_minutes": form.get("duration_minutes", ""),
            "price_cents": _cents(form.get("price", ""), "price"), "deposit_cents": deposit,
            "deposit_policy": "fixed" if deposit else None,
            "aliases": [a.strip() for a in form.get("aliases", "").split(",") if a.strip()]}


# Settings, the number and the booking link

@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, owner: OwnerDep, session: SessionDep) -> HTMLResponse:
    business = owner.business
    day_parts = [(name, start.strftime("%H:%M"), end.strftime("%H:%M"))
                 for name, (start, end) in day_parts_or_defaults(business).items()]
    return _page(request, owner, session, "owner/settings.html", day_parts=day_parts,
                 deposit=_dollars(business.deposit_cents), no_show_deposit=_dollars(business.no_show_deposit_cents),
                 reminders=", ".join(_hours_text(m) for m in business.reminder_offsets_minutes),
                 links=booking_links(business), sms=pretty(business.sms_phone) if business.sms_phone else "",
                 whatsapp=pretty(business.whatsapp_phone) if business.whatsapp_phone else "")


@router.post("/settings")
def save_settings(owner: OwnerDep, form: FormDep) -> RedirectResponse:
    try:
        data = {
            "name": form.get("name", "").strip(), "requires_approval": form.get("requires_approval") == "1",
            "approval_hours": form.get("approval_hours"), "buffer_minutes": form.get("buffer_minutes"),
            "min_notice_minutes": form.get("min_notice_minutes"), "horizon_days": form.get("horizon_days"),
            "cancel_refund_hours": form.get("cancel_refund_hours"), "deposit_policy": form.get("deposit_policy"),
            "deposit_cents": _cents(form.get("deposit", ""), "deposit"),
            "deposit_percent": form.get("deposit_percent") or 0,
            "no_show_deposit_cents": _cents(form.get("no_show_deposit", ""), "no-show deposit"),
            "reminder_offsets_minutes": _reminder_minutes(form.get("reminders", "")),
            "quiet_start": form.get("quiet_start") or None, "quiet_end": form.get("quiet_end") or None,
            "day_parts": {name: (form.get(f"{name}_start"), form.get(f"{name}_end")) for name in DAY_PART_NAMES},
            "service_radius_km": form.get("service_radius_km", "").strip() or None,
            "service_zips": [z.strip() for z in form.get("service_zips", "").replace(";", ",").split(",") if z.strip()],
        }
        changes = SettingsUpdate.model_validate(data)
        change_settings(owner.business, changes.model_dump(exclude_unset=True))
    except (ValidationError, Refusal) as error:
        return _redirect("/owner/settings", error=_problem(error))
    return _redirect("/owner/settings", note="Settings saved. They apply from the next customer message.")


def _reminder_minutes(text: str) -> list[int]:
    """'24, 2' (hours before the job) -> [1440, 120]."""
    try:
        return [round(float(part) * 60) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise Refusal("reminders", "list hours before the job, e.g. 24, 2")


def _hours_text(minutes: int) -> str:
    return f"{minutes // 60}" if minutes % 60 == 0 else f"{minutes / 60:g}"


# Shared

def _page(request: Request, owner: Owner, session: Session, template: str, **context: Any) -> HTMLResponse:
    business = owner.business
    _, waiting = queries.bookings_page(session, business_id=business.id, around=None,
                                       statuses=[BookingStatus.PENDING_APPROVAL.value], limit=1, offset=0)
    context.setdefault("error", request.query_params.get("error", ""))
    context.setdefault("calendar_warnings", calendar_warnings(session, business, now=request.app.state.clock()))
    return templates().TemplateResponse(request, template, {
        "business": business, "account": owner.account, "csrf_token": owner.csrf_token, "waiting": waiting,
        "note": request.query_params.get("note", ""), "path": request.url.path + (
            f"?{request.url.query}" if request.url.query else ""), **context})


def _by_technician(session: Session, business: Business, day: date) -> list[dict[str, Any]]:
    """The day's bookings in one column per technician."""
    zone = ZoneInfo(business.time_zone)
    span = Span(datetime.combine(day, time(0), zone).astimezone(UTC),
                datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC))
    rows, _ = queries.bookings_page(session, business_id=business.id, around=span,
                                    statuses=[s.value for s in SHOWN], limit=500, offset=0)
    staff = queries.staff_of(session, business_id=business.id)
    return [{"staff": s, "cards": [_card(session, business, b) for b in rows if b.staff_id == s.id]} for s in staff]


def _card(session: Session, business: Business, booking: Booking) -> dict[str, Any]:
    customer, service = session.get(Customer, booking.customer_id), session.get(Service, booking.service_id)
    staff = session.get(Staff, booking.staff_id)
    zone = ZoneInfo(business.time_zone)
    start, end = booking.start_at.astimezone(zone), booking.end_at.astimezone(zone)
    return {"id": booking.id, "status": booking.status, "status_text": booking.status.replace("_", " "),
            "when": when_text(booking.start_at, business.time_zone), "start": clock_text(start),
            "end": clock_text(end), "service": service.name, "customer": customer.name or pretty(customer.phone),
            "phone": pretty(customer.phone), "address": booking.address or "", "technician": staff.name,
            "deposit": money_text(booking.deposit_cents, business.currency) if booking.deposit_cents else "",
            "note": booking.note, "forced": booking.forced,
            "can": {a: bookings.can_do(booking, a.replace("-", "_")) for a in ACTIONS}}


def _back(form: dict[str, str], note: str) -> RedirectResponse:
    target = form.get("next", "")
    # Only back to one of our own pages: never an open redirect.
    if not target.startswith("/owner") or "//" in target or "\\" in target:
        target = "/owner"
    return _redirect(target, note=note)


def _redirect(path: str, *, note: str = "", error: str = "") -> RedirectResponse:
    base, _, query = path.partition("?")
    params = [p for p in query.split("&") if p and not p.startswith(("note=", "error="))]
    if note:
        params.append(urlencode({"note": note}))
    if error:
        params.append(urlencode({"error": error}))
    return RedirectResponse(base + ("?" + "&".join(params) if params else ""), status_code=303)


def _cents(text: str, what: str) -> int:
    text = text.strip().lstrip("$").replace(",", "")
    if not text:
        return 0
    try:
        cents = round(float(text) * 100)
    except ValueError:
        raise Refusal(what, f"{what}: write an amount like 50 or 49.99")
    if cents < 0:
        raise Refusal(what, f"{what} cannot be negative")
    return cents


def _dollars(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"


def _problem(error: Exception) -> str:
    if isinstance(error, Refusal):
        return error.message
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]).replace("_", " ")
    return f"{field}: {first['msg'].removeprefix('Value error, ')}" if field else first["msg"]
