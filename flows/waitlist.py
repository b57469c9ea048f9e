"""The waitlist: "text me if anything earlier opens", and the offer when something does.

    customer: text me if anything earlier opens
    bot:      You're on the waitlist: if a time before Fri Mar 13, 2:00 PM opens for Full Detail, I'll
              text you right away.
    ... someone cancels Wed Mar 11, 2:00 PM (bot/waitlist.py holds it for this customer) ...
    bot:      Good news: Wed Mar 11, 2:00 PM just opened up, earlier than your Full Detail on Fri Mar 13,
              2:00 PM. Reply YES within 15 minutes to move your booking there.
    customer: yes
    bot:      Done! Your Full Detail is moved to Wed Mar 11, 2:00 PM. Your $50 deposit carries over.

Without a booking, the wait is for a time earlier than those we offered, and YES goes on to the name
and deposit like any booking.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain.wording import money_text, when_text
from flows import booking
from flows.context import Said, Turn
from flows.phrases import choices_text, phrase, with_line
from flows.upcoming import AppointmentDesk, is_letter
from nlu import Intent

IDLE = ""


def on_request(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """The customer asks to hear of an earlier time."""
    lang = desk.language
    offered = [datetime.fromisoformat(s) for s in data.get("offered", [])]
    if offered and data.get("service"):  # while picking among offered times: earlier than those
        earliest = min(offered)
        desk.join_waitlist(data["service"], earliest, None)
        text = (phrase(lang, "waitlist_joined", when=when_text(earliest, desk.tz, lang), service=data["service"])
                + phrase(lang, "waitlist_still_pick", choices=choices_text(len(offered), lang)))
        return Turn([text], "pick", data, flow="booking")
    firm = [a for a in desk.upcoming() if a.is_firm]
    if said.parse.service:
        firm = [a for a in firm if a.service == said.parse.service] or firm
    if not firm:
        return Turn([phrase(lang, "waitlist_how", example=phrase(lang, "example"))], IDLE, {})
    appointment = firm[0]
    desk.join_waitlist(appointment.service, appointment.start, appointment.id)
    return Turn([phrase(lang, "waitlist_joined", when=when_text(appointment.start, desk.tz, lang),
                        service=appointment.service)], IDLE, {})


def on_offered(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """We offered a freed slot (bot/waitlist.py) and hold it for a short while."""
    lang = desk.language
    p = said.parse
    if p.intent is Intent.AFFIRM or p.choice == 1 or is_letter(said, "y", "yes", "si", "sí"):
        taken = desk.take_offer(data["entry_id"])
        appointment = taken.appointment
        if taken.outcome == "moved":
            deposit = (phrase(lang, "moved_deposit", amount=money_text(appointment.deposit_cents, desk.currency))
                       if appointment.deposit_cents else "")
            moved = phrase(lang, "moved", service=appointment.service, when=when_text(appointment.start, desk.tz, lang),
                           deposit=deposit)
            return Turn([with_line(moved, desk.calendar_line(appointment.id))], IDLE, {})
        if taken.outcome == "held":
            return booking.continue_hold(appointment.service, appointment.id, appointment.start, desk)
        return Turn([phrase(lang, "offer_gone")], IDLE, {})
    if p.intent is Intent.DENY or is_letter(said, "n"):
        desk.decline_offer(data["entry_id"])
        return Turn([phrase(lang, "offer_declined")], IDLE, {})
    if p.windows or p.service or p.intent in (Intent.BOOK, Intent.AVAILABILITY):
        turn = booking.step(booking.IDLE, said, {}, desk)  # something else: the offer lapses on its own
        turn.flow = turn.flow or "booking"
        return turn
    held = desk.appointment(data.get("hold_id", 0))
    when = when_text(held.start, desk.tz, lang) if held else ""
    return Turn([phrase(lang, "offer_reask", when=when)], "offered", data)


STEPS: dict[str, Callable[[Said, dict[str, Any], AppointmentDesk], Turn]] = {
    IDLE: on_request,
    "offered": on_offered,
}


def step(state: str, said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """One turn of the waitlist conversation."""
    return STEPS.get(state, on_request)(said, data, desk)
