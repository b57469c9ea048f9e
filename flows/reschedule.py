"""Moving an appointment by text. The booking itself moves, so its deposit carries over.

    customer: can I move it to friday
    bot:      Here's what's open to move your Full Detail to:
              1) Fri Mar 13, 12:00 PM  2) Fri Mar 13, 2:00 PM  3) Fri Mar 13, 3:00 PM
              Reply 1, 2 or 3, or tell me another time.
    customer: 2
    bot:      Done! Your Full Detail is moved to Fri Mar 13, 2:00 PM. Your $50 deposit carries over.

The booking keeps its time until the customer picks a new one; the move re-checks the new time in
the same write-locked transaction, like a hold.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain.wording import money_text, when_text
from flows import booking
from flows.context import Said, Turn
from flows.phrases import choices_text, phrase, with_line
from flows.upcoming import Appointment, AppointmentDesk, chosen, picked, which_one
from nlu import Intent, TimeWindow

IDLE = ""


def on_request(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """The customer asks to move an appointment ("can I move it to friday", or R to a reminder)."""
    p = said.parse
    wanted = {"windows": _windows_out(p.windows), "asap": p.asap}
    known = data.get("appointment_id") and desk.appointment(data["appointment_id"])
    if known and known.is_firm:
        return _offer_or_ask(known, wanted, said, desk)
    firm = [a for a in desk.upcoming() if a.is_firm]
    if not firm:
        if p.windows or p.service:  # nothing to move: they are asking for a time, so book one
            turn = booking.step(booking.IDLE, said, {}, desk)
            turn.flow = turn.flow or "booking"
            return turn
        return Turn([phrase(desk.language, "nothing_to_move", example=phrase(desk.language, "example"))], IDLE, {})
    # The day named is where to move to, not which appointment: pick among them by service only.
    found = [a for a in firm if a.service == p.service] or firm if p.service else firm
    if len(found) > 1:
        return which_one(found, desk, "which", wanted)
    return _offer_or_ask(found[0], wanted, said, desk)


def on_which(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    appointment = (chosen_id := picked(said, data)) and desk.appointment(chosen_id)
    if appointment:
        return _offer_or_ask(appointment, data, said, desk)
    if said.parse.intent is Intent.DENY:
        return Turn([phrase(desk.language, "welcome")], IDLE, {})
    still = [a for a in chosen(said, [a for a in desk.upcoming() if a.id in data.get("choices", [])], desk.tz)]
    return which_one(still, desk, "which", data) if still else on_request(said, {}, desk)


def on_time(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """We asked when to move it to."""
    appointment = desk.appointment(data["appointment_id"])
    if appointment is None or not appointment.is_firm:
        return on_request(said, {}, desk)
    if said.parse.intent is Intent.DENY:
        return _kept(appointment, desk)
    return _offer_or_ask(appointment, {"windows": _windows_out(said.parse.windows), "asap": said.parse.asap},
                         said, desk)


def on_pick(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """We offered numbered times to move to."""
    lang = desk.language
    appointment = desk.appointment(data["appointment_id"])
    if appointment is None or not appointment.is_firm:
        return on_request(said, {}, desk)
    offered = [datetime.fromisoformat(s) for s in data.get("offered", [])]
    p = said.parse
    if p.choice is not None and 1 <= p.choice <= len(offered):
        start = offered[p.choice - 1]
        if desk.move(appointment.id, start):
            deposit = (phrase(lang, "moved_deposit", amount=money_text(appointment.deposit_cents, desk.currency))
                       if appointment.deposit_cents else "")
            moved = phrase(lang, "moved", service=appointment.service, when=when_text(start, desk.tz, lang),
                           deposit=deposit)
            return Turn([with_line(moved, desk.calendar_line(appointment.id))], IDLE, {})
        retry = _offer(appointment, data, desk)
        taken = phrase(lang, "just_taken", when=when_text(start, desk.tz, lang))
        return Turn([taken + retry.replies[0]], retry.state, retry.data, retry.offers)
    if p.windows or p.past:
        return _offer_or_ask(appointment, {"windows": _windows_out(p.windows), "asap": p.asap}, said, desk)
    if p.intent is Intent.DENY:
        return _kept(appointment, desk)
    return Turn([phrase(lang, "pick_reask", count=len(offered))], "pick", data)


def _offer_or_ask(appointment: Appointment, wanted: dict[str, Any], said: Said, desk: AppointmentDesk) -> Turn:
    lang = desk.language
    data = {"appointment_id": appointment.id}
    if said.parse.past:
        return Turn([phrase(lang, "already_passed", example=phrase(lang, "example_time"))], "ask_time", data)
    if not wanted.get("windows"):
        return Turn([phrase(lang, "move_ask_time", service=appointment.service,
                            when=when_text(appointment.start, desk.tz, lang))], "ask_time", data)
    return _offer(appointment, {**data, "windows": wanted["windows"], "asap": bool(wanted.get("asap"))}, desk)


def _offer(appointment: Appointment, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    lang = desk.language
    windows = [TimeWindow(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in data["windows"]]
    starts, inside = desk.move_offers(appointment.id, windows, asap=bool(data.get("asap")))
    starts = [s for s in starts if s != appointment.start]
    if not starts:
        return Turn([phrase(lang, "move_nothing_open", service=appointment.service,
                            when=when_text(appointment.start, desk.tz, lang))], "ask_time",
                    {"appointment_id": appointment.id})
    head = (phrase(lang, "move_offers", service=appointment.service) if inside
            else phrase(lang, "offers_nearest", service=appointment.service))
    listing = "\n".join(f"{i}) {when_text(s, desk.tz, lang)}" for i, s in enumerate(starts, 1))
    tail = phrase(lang, "offers_reply", choices=choices_text(len(starts), lang))
    return Turn([f"{head}\n{listing}\n{tail}"], "pick", {**data, "offered": [s.isoformat() for s in starts]},
                offers=starts)


def _kept(appointment: Appointment, desk: AppointmentDesk) -> Turn:
    return Turn([phrase(desk.language, "kept", service=appointment.service,
                        when=when_text(appointment.start, desk.tz, desk.language))], IDLE, {})


def _windows_out(windows: tuple[TimeWindow, ...]) -> list[list[str]]:
    return [[w.start.isoformat(), w.end.isoformat()] for w in windows]


STEPS: dict[str, Callable[[Said, dict[str, Any], AppointmentDesk], Turn]] = {
    IDLE: on_request,
    "which": on_which,
    "ask_time": on_time,
    "pick": on_pick,
}


def step(state: str, said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """One turn of the reschedule conversation."""
    return STEPS.get(state, on_request)(said, data, desk)
