"""Booking by text: service and time -> numbered offers -> pick -> name -> deposit link.

    customer: tomorrow afternoon, full detail
    bot:      Here's what's open for Full Detail (3 hr, $180): 1) Wed Mar 11, 12:00 PM 2) ... Reply 1, 2 or 3
    customer: 2
    bot:      I'm holding Wed Mar 11, 2:00 PM for you. What name should I put it under?
    customer: Dana
    bot:      Thanks Dana! Pay the $50 deposit to lock it in: <link>
    (the payment confirms the booking; that message comes from bot.deposit, not from this flow)
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain.wording import confirmation_text, money_text, pending_approval_text, when_text
from flows.context import Desk, Said, ServiceInfo, Turn
from nlu import Intent, TimeWindow, name_in

EXAMPLE = "e.g. 'tomorrow afternoon, full detail'"
IDLE = ""


def on_request(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """Idle: the customer asks for something."""
    p = said.parse
    if p.past:
        return Turn([f"That time has already passed. What day and time would work? ({EXAMPLE})"], IDLE)
    if p.intent in (Intent.BOOK, Intent.AVAILABILITY, Intent.CHOOSE) or p.windows or p.service:
        data = {"service": p.service or data.get("service"), "windows": _windows_out(p.windows) or data.get("windows"),
                "asap": p.asap}
        return _next_question(data, desk)
    return Turn([unknown_text()], IDLE)


def on_service(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We asked which service."""
    service = said.parse.service or _service_by_number(said.text, desk.services)
    if service is None:
        if said.parse.windows:
            data = {**data, "windows": _windows_out(said.parse.windows)}
        return Turn([f"Which service would you like?\n{services_menu(desk)}\nReply with the number or the name."],
                    "ask_service", data)
    windows = _windows_out(said.parse.windows) or data.get("windows")
    return _next_question({**data, "service": service, "windows": windows}, desk)


def on_time(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We asked when."""
    p = said.parse
    if p.past:
        return Turn([f"That time has already passed. What day and time would work? ({EXAMPLE})"], "ask_time", data)
    if not p.windows:
        return Turn([f"What day and time suit you? ({EXAMPLE.replace(', full detail', '')})"], "ask_time", data)
    return _next_question({**data, "service": p.service or data["service"], "windows": _windows_out(p.windows),
                           "asap": p.asap}, desk)


def on_pick(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We offered numbered times."""
    p = said.parse
    offered = [datetime.fromisoformat(s) for s in data.get("offered", [])]
    if p.choice is not None and 1 <= p.choice <= len(offered):
        return _hold(offered[p.choice - 1], data, desk)
    if p.past:
        return Turn([f"That time has already passed. Pick 1-{len(offered)}, or tell me another day."], "pick", data)
    if p.windows or p.service:  # "actually make it saturday"
        return on_request(said, data, desk)
    if p.intent is Intent.DENY:
        return Turn(["No problem. What other day or time would suit you?"], "ask_time", data)
    return Turn([f"Reply with a number from 1 to {len(offered)}, or tell me another day or time."], "pick", data)


def on_name(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We hold a slot and asked for the customer's name."""
    if said.parse.windows or said.parse.service:  # changed their mind: let the slot go
        desk.release(data["booking_id"])
        return on_request(said, {k: v for k, v in data.items() if k != "booking_id"}, desk)
    name = said.parse.name or name_in(said.text)
    if name is None:
        return Turn(["Sorry, what name should I put the booking under? (just your first name is fine)"], "name", data)
    desk.remember_name(name)
    return _ask_deposit(data, desk, greeting=f"Thanks {name.split()[0]}! ")


def on_pay(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We sent the deposit link and wait for the payment."""
    if said.parse.windows or said.parse.service:
        desk.release(data["booking_id"])
        return on_request(said, {k: v for k, v in data.items() if k not in ("booking_id", "link")}, desk)
    return Turn([f"Your time is held until the deposit is paid: {data.get('link', '')}\n"
                 f"Or tell me another day or time to start over."], "pay", data)


STEPS: dict[str, Callable[[Said, dict[str, Any], Desk], Turn]] = {
    IDLE: on_request,
    "ask_service": on_service,
    "ask_time": on_time,
    "pick": on_pick,
    "name": on_name,
    "pay": on_pay,
}


def step(state: str, said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """One turn of the booking conversation."""
    return STEPS.get(state, on_request)(said, data, desk)


def _next_question(data: dict[str, Any], desk: Desk) -> Turn:
    if not data.get("service"):
        return Turn([f"Which service would you like?\n{services_menu(desk)}\nReply with the number or the name."],
                    "ask_service", data)
    if not data.get("windows"):
        info = _service(desk, data["service"])
        return Turn([f"Great, a {info.name} ({duration_text(info.duration_minutes)}, "
                     f"{money_text(info.price_cents, desk.currency)}). What day and time suit you? "
                     f"(e.g. 'tomorrow afternoon' or 'sat 10am')"], "ask_time", data)
    return _offer(data, desk)


def _offer(data: dict[str, Any], desk: Desk) -> Turn:
    info = _service(desk, data["service"])
    windows = _windows_in(data["windows"])
    starts, inside = desk.offers(info.name, windows, asap=bool(data.get("asap")))
    if not starts:
        return Turn([f"Sorry, there's nothing open for a {info.name} then, or in the weeks after. "
                     f"Call or text {desk.contact} and we'll try to fit you in."], IDLE, {})
    listing = "\n".join(f"{i}) {when_text(s, desk.tz)}" for i, s in enumerate(starts, 1))
    head = (f"Here's what's open for {info.name} ({duration_text(info.duration_minutes)}, "
            f"{money_text(info.price_cents, desk.currency)}):" if inside
            else f"Sorry, nothing's open for a {info.name} then. The nearest times are:")
    choices = ", ".join(str(i) for i in range(1, len(starts))) + f" or {len(starts)}" if len(starts) > 1 else "1"
    data = {**data, "offered": [s.isoformat() for s in starts]}
    return Turn([f"{head}\n{listing}\nReply {choices}, or tell me another time."], "pick", data, offers=starts)


def _hold(start: datetime, data: dict[str, Any], desk: Desk) -> Turn:
    booking_id = desk.hold(data["service"], start)
    if booking_id is None:
        retry = _offer(data, desk)
        return Turn([f"Sorry, {when_text(start, desk.tz)} was just taken. " + retry.replies[0]], retry.state,
                    retry.data, retry.offers)
    data = {"service": data["service"], "booking_id": booking_id, "start": start.isoformat()}
    if desk.customer_name is None:
        return Turn([f"Great, I'm holding {when_text(start, desk.tz)} for you. What name should I put the "
                     f"booking under?"], "name", data)
    return _ask_deposit(data, desk, greeting="")


def _ask_deposit(data: dict[str, Any], desk: Desk, *, greeting: str) -> Turn:
    start = datetime.fromisoformat(data["start"])
    deposit = desk.request_deposit(data["booking_id"])
    if deposit.link is None:
        text = (confirmation_text(business=desk.business_name, service=data["service"], start=start, tz=desk.tz,
                                  where="we come to you", contact=desk.contact)
                if deposit.status == "confirmed" else pending_approval_text(service=data["service"], start=start,
                                                                           tz=desk.tz))
        return Turn([greeting + text], IDLE, {})
    return Turn([f"{greeting}To lock in your {data['service']} on {when_text(start, desk.tz)}, please pay the "
                 f"{money_text(deposit.amount_cents, desk.currency)} deposit here: {deposit.link}"],
                "pay", {**data, "link": deposit.link})


def services_menu(desk: Desk) -> str:
    return "\n".join(f"{i}) {s.name} - {money_text(s.price_cents, desk.currency)}, {duration_text(s.duration_minutes)}"
                     for i, s in enumerate(desk.services, 1))


def duration_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} hr" if not rest else f"{hours} hr {rest} min"


def unknown_text() -> str:
    return f"Sorry, I didn't catch that. Tell me a service and a time ({EXAMPLE}), or reply MENU to see options."


def _service(desk: Desk, name: str) -> ServiceInfo:
    return next(s for s in desk.services if s.name == name)


def _service_by_number(text: str, services: tuple[ServiceInfo, ...] | list[ServiceInfo]) -> str | None:
    stripped = text.strip().lstrip("#")
    if stripped.isdigit() and 1 <= int(stripped) <= len(services):
        return services[int(stripped) - 1].name
    return None


def _windows_out(windows: tuple[TimeWindow, ...]) -> list[list[str]]:
    return [[w.start.isoformat(), w.end.isoformat()] for w in windows]


def _windows_in(stored: list[list[str]]) -> list[TimeWindow]:
    return [TimeWindow(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in stored]
