"""Booking by text: service and time -> numbered offers -> pick -> name -> deposit link.

    customer: tomorrow afternoon, full detail
    bot:      What's the address for the job?        (mobile businesses, first booking only)
    customer: 123 Oak St, Austin
    bot:      Here's what's open for Full Detail (3 hr, $180): 1) Wed Mar 11, 12:00 PM 2) ... Reply 1, 2 or 3
    customer: 2
    bot:      I'm holding Wed Mar 11, 2:00 PM for you. What name should I put it under?
    customer: Dana
    bot:      Thanks Dana! Pay the $50 deposit to lock it in: <link>
    (the payment confirms the booking; that message comes from bot.deposit, not from this flow)

Every reply is in the customer's language (`desk.language`); the texts are in flows/phrases.py.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain.service_area import ServiceArea
from bot.domain.wording import confirmation_text, duration_text, money_text, pending_approval_text, when_text
from flows.context import Desk, Said, ServiceInfo, Turn
from flows.phrases import choices_text, phrase, with_line
from nlu import Intent, TimeWindow, name_in

IDLE = ""
KM_PER_MILE = 1.609344
ZIPS_LISTED = 8        # a refusal names this many of the business's ZIP codes, then "…"
# Steps whose answer is a name or an address: it tells us nothing about the language the customer reads.
FREE_TEXT_STEPS = frozenset({"name", "ask_address"})


def on_request(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """Idle: the customer asks for something."""
    p = said.parse
    if p.past:
        return Turn([_already_passed(desk)], IDLE)
    if p.too_far and not p.windows:
        service = p.service or data.get("service")
        return Turn([_too_far(desk)], "ask_time" if service else IDLE, {"service": service} if service else {})
    if p.intent in (Intent.BOOK, Intent.AVAILABILITY, Intent.CHOOSE) or p.windows or p.service:
        data = {"service": p.service or data.get("service"), "windows": _windows_out(p.windows) or data.get("windows"),
                "asap": p.asap}
        return _next_question(data, desk)
    return Turn([unknown_text(desk.language)], IDLE)


def on_service(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We asked which service."""
    service = said.parse.service or _service_by_number(said.text, desk.services)
    if service is None:
        if said.parse.windows:
            data = {**data, "windows": _windows_out(said.parse.windows)}
        return Turn([_which_service(desk)], "ask_service", data)
    windows = _windows_out(said.parse.windows) or data.get("windows")
    return _next_question({**data, "service": service, "windows": windows}, desk)


def on_time(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We asked when."""
    p = said.parse
    if p.past:
        return Turn([_already_passed(desk)], "ask_time", data)
    if p.too_far and not p.windows:
        return Turn([_too_far(desk)], "ask_time", data)
    if not p.windows:
        return Turn([phrase(desk.language, "which_time", example=phrase(desk.language, "example_time"))],
                    "ask_time", data)
    return _next_question({**data, "service": p.service or data["service"], "windows": _windows_out(p.windows),
                           "asap": p.asap}, desk)


def on_address(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We asked where the job is (a mobile business cannot offer times without it: driving counts)."""
    if said.place is not None:  # a WhatsApp location pin: coordinates, no typing
        return _located(said.place.address, data, desk, said.place.lat, said.place.lng)
    # A reply naming a time or service ("the 14th around noon express wash") is not an address, even
    # though it has a number and words.
    guess = None if said.parse.windows or said.parse.service else _looks_like_address(said.text)
    address = said.parse.address or guess
    if address is None:
        if said.parse.windows or said.parse.service:  # a new time or service while we wait: keep it, ask again
            data = {**data, "service": said.parse.service or data.get("service"),
                    "windows": _windows_out(said.parse.windows) or data.get("windows")}
        return Turn([phrase(desk.language, "address_reask")], "ask_address", data)
    return _located(address, data, desk)


def _located(address: str, data: dict[str, Any], desk: Desk, lat: float | None = None,
             lng: float | None = None) -> Turn:
    """The job's address is known: on to the times, unless the business does not go there."""
    outside = desk.take_address(address, lat, lng)
    if outside is not None:  # nothing held or kept: another address, or the owner's number
        return Turn([outside_area_text(outside, address, desk.language, desk.contact)], "ask_address", data)
    return _next_question(data, desk)


def outside_area_text(area: ServiceArea, address: str, language: str, contact: str) -> str:
    """"Sorry, we don't go as far as 500 Main St: we serve within 25 km (16 mi) of us. ..." """
    parts = []
    if area.radius_km is not None:
        parts.append(phrase(language, "area_radius", km=_rounded(area.radius_km),
                            miles=_rounded(area.radius_km / KM_PER_MILE)))
    if area.zips:
        listed = sorted(area.zips)
        parts.append(phrase(language, "area_zips", zips=", ".join(listed[:ZIPS_LISTED])
                            + (", …" if len(listed) > ZIPS_LISTED else "")))
    served = phrase(language, "area_both", radius=parts[0], zips=parts[1]) if len(parts) == 2 else parts[0]
    return phrase(language, "outside_area", address=address or phrase(language, "that_place"), area=served,
                  contact=contact)


def _rounded(number: float) -> str:
    """25.0 -> "25", 15.53 -> "16", 3.11 -> "3.1": whole numbers from 10 up, one decimal below."""
    return str(round(number)) if number >= 10 else f"{round(number, 1):g}"


def on_pick(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We offered numbered times."""
    p = said.parse
    offered = [datetime.fromisoformat(s) for s in data.get("offered", [])]
    if p.choice is not None and 1 <= p.choice <= len(offered):
        return _hold(offered[p.choice - 1], data, desk)
    if p.past:
        return Turn([phrase(desk.language, "pick_passed", count=len(offered))], "pick", data)
    if p.windows or p.service:  # "actually make it saturday"
        return on_request(said, data, desk)
    if p.intent is Intent.DENY:
        return Turn([phrase(desk.language, "pick_other")], "ask_time", data)
    return Turn([phrase(desk.language, "pick_reask", count=len(offered))], "pick", data)


def on_name(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We hold a slot and asked for the customer's name."""
    if said.parse.windows or said.parse.service:  # changed their mind: let the slot go
        desk.release(data["booking_id"])
        return on_request(said, {k: v for k, v in data.items() if k != "booking_id"}, desk)
    name = said.parse.name or name_in(said.text)
    if name is None:
        return Turn([phrase(desk.language, "name_reask")], "name", data)
    desk.remember_name(name)
    return _ask_deposit(data, desk, greeting=phrase(desk.language, "thanks_name", name=name.split()[0]))


def on_pay(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """We sent the deposit link and wait for the payment."""
    if said.parse.windows or said.parse.service:
        desk.release(data["booking_id"])
        return on_request(said, {k: v for k, v in data.items() if k not in ("booking_id", "link")}, desk)
    return Turn([phrase(desk.language, "pay_waiting", link=data.get("link", ""))], "pay", data)


def on_pay_retry(said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """The deposit link could not be made; we hold the slot and any reply asks for it again."""
    if said.parse.windows or said.parse.service:
        desk.release(data["booking_id"])
        return on_request(said, {k: v for k, v in data.items() if k != "booking_id"}, desk)
    return _ask_deposit(data, desk, greeting="")


STEPS: dict[str, Callable[[Said, dict[str, Any], Desk], Turn]] = {
    IDLE: on_request,
    "ask_service": on_service,
    "ask_time": on_time,
    "ask_address": on_address,
    "pick": on_pick,
    "name": on_name,
    "pay": on_pay,
    "pay_retry": on_pay_retry,
}


def step(state: str, said: Said, data: dict[str, Any], desk: Desk) -> Turn:
    """One turn of the booking conversation."""
    return STEPS.get(state, on_request)(said, data, desk)


def _next_question(data: dict[str, Any], desk: Desk) -> Turn:
    if not data.get("service"):
        return Turn([_which_service(desk)], "ask_service", data)
    if not data.get("windows"):
        info = _service(desk, data["service"])
        return Turn([phrase(desk.language, "service_then_time", service=info.name,
                            duration=duration_text(info.duration_minutes, desk.language),
                            price=money_text(info.price_cents, desk.currency))], "ask_time", data)
    if desk.needs_address:
        return Turn([phrase(desk.language, "address_question")], "ask_address", data)
    return _offer(data, desk)


def _offer(data: dict[str, Any], desk: Desk) -> Turn:
    info = _service(desk, data["service"])
    windows = _windows_in(data["windows"])
    starts, inside = desk.offers(info.name, windows, asap=bool(data.get("asap")))
    lang = desk.language
    if not starts:
        return Turn([phrase(lang, "nothing_open", service=info.name, contact=desk.contact)], IDLE, {})
    listing = "\n".join(f"{i}) {when_text(s, desk.tz, lang)}" for i, s in enumerate(starts, 1))
    head = (phrase(lang, "offers_inside", service=info.name, duration=duration_text(info.duration_minutes, lang),
                   price=money_text(info.price_cents, desk.currency)) if inside
            else phrase(lang, "offers_nearest", service=info.name))
    data = {**data, "offered": [s.isoformat() for s in starts]}
    tail = phrase(lang, "offers_reply", choices=choices_text(len(starts), lang))
    return Turn([f"{head}\n{listing}\n{tail}"], "pick", data, offers=starts)


def _hold(start: datetime, data: dict[str, Any], desk: Desk) -> Turn:
    booking_id = desk.hold(data["service"], start)
    if booking_id is None:
        retry = _offer(data, desk)
        taken = phrase(desk.language, "just_taken", when=when_text(start, desk.tz, desk.language))
        return Turn([taken + retry.replies[0]], retry.state, retry.data, retry.offers)
    return continue_hold(data["service"], booking_id, start, desk)


def continue_hold(service: str, booking_id: int, start: datetime, desk: Desk) -> Turn:
    """A slot held for this customer (here, or a waitlist offer they took): the name, then the deposit."""
    data = {"service": service, "booking_id": booking_id, "start": start.isoformat()}
    if desk.customer_name is None:
        return Turn([phrase(desk.language, "holding", when=when_text(start, desk.tz, desk.language))], "name", data,
                    flow="booking")
    turn = _ask_deposit(data, desk, greeting="")
    turn.flow = "booking"
    return turn


def _ask_deposit(data: dict[str, Any], desk: Desk, *, greeting: str) -> Turn:
    start = datetime.fromisoformat(data["start"])
    deposit = desk.request_deposit(data["booking_id"])
    if deposit.failed:  # the payment provider is down: the slot stays held, any reply tries again
        return Turn([greeting + phrase(desk.language, "pay_link_failed", contact=desk.contact)], "pay_retry", data)
    if deposit.link is None and deposit.status == "expired":
        return Turn([greeting + phrase(desk.language, "hold_gone", when=when_text(start, desk.tz, desk.language),
                                       example=phrase(desk.language, "example_time"))], IDLE, {})
    if deposit.link is None:
        text = (with_line(confirmation_text(business=desk.business_name, service=data["service"], start=start,
                                            tz=desk.tz, where=desk.where, contact=desk.contact,
                                            language=desk.language), desk.calendar_line(data["booking_id"]))
                if deposit.status == "confirmed" else pending_approval_text(service=data["service"], start=start,
                                                                           tz=desk.tz, language=desk.language))
        return Turn([greeting + text], IDLE, {})
    ask = phrase(desk.language, "pay_deposit", service=data["service"],
                 when=when_text(start, desk.tz, desk.language),
                 amount=money_text(deposit.amount_cents, desk.currency), link=deposit.link)
    return Turn([greeting + ask], "pay", {**data, "link": deposit.link})


def services_menu(desk: Desk) -> str:
    return "\n".join(f"{i}) {s.name} - {money_text(s.price_cents, desk.currency)}, "
                     f"{duration_text(s.duration_minutes, desk.language)}" for i, s in enumerate(desk.services, 1))


def unknown_text(language: str) -> str:
    return phrase(language, "not_understood", example=phrase(language, "example"))


def _too_far(desk: Desk) -> str:
    return phrase(desk.language, "too_far", days=desk.horizon_days)


def _already_passed(desk: Desk) -> str:
    return phrase(desk.language, "already_passed", example=phrase(desk.language, "example"))


def _which_service(desk: Desk) -> str:
    return phrase(desk.language, "which_service", services=services_menu(desk))


def _service(desk: Desk, name: str) -> ServiceInfo:
    return next(s for s in desk.services if s.name == name)


def _service_by_number(text: str, services: tuple[ServiceInfo, ...] | list[ServiceInfo]) -> str | None:
    stripped = text.strip().lstrip("#")
    if stripped.isdigit() and 1 <= int(stripped) <= len(services):
        return services[int(stripped) - 1].name
    return None


def _looks_like_address(text: str) -> str | None:
    """A reply to "what's the address?" that nlu did not recognise as one but plausibly is: a house
    number and at least two words ("12 Calle Luna", "4 the green"), not a time or a choice."""
    words = text.strip().split()
    has_number = any(ch.isdigit() for ch in text)
    has_words = sum(any(ch.isalpha() for ch in w) for w in words) >= 2
    return text.strip()[:200] if has_number and has_words and len(text.strip()) >= 6 else None


def _windows_out(windows: tuple[TimeWindow, ...]) -> list[list[str]]:
    return [[w.start.isoformat(), w.end.isoformat()] for w in windows]


def _windows_in(stored: list[list[str]]) -> list[TimeWindow]:
    return [TimeWindow(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in stored]
