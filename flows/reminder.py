"""Replies to a reminder, read in the thread it was sent to.

    bot:      Reminder: your Full Detail with Shine Mobile Detailing is on Wed Mar 11, 2:00 PM (...).
              Reply C to confirm, R to reschedule, X to cancel.
    customer: C
    bot:      Thanks for confirming! See you on Wed Mar 11, 2:00 PM.

R goes on as the reschedule conversation and X as the cancel one (with the policy), both about the
reminded appointment. Anything else is an ordinary new message.
"""

from collections.abc import Callable
from typing import Any

from bot.domain.wording import when_text
from flows import booking, cancel, reschedule
from flows.context import Said, Turn
from flows.phrases import phrase
from flows.upcoming import AppointmentDesk, is_letter
from nlu import Intent

IDLE = ""


def on_reminded(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """We sent a reminder for data["appointment_id"]."""
    appointment_id = data.get("appointment_id")
    intent = said.parse.intent
    if is_letter(said, "c") or intent is Intent.AFFIRM:
        confirmed = desk.confirm_attendance(appointment_id)
        if confirmed is not None:
            return Turn([phrase(desk.language, "attendance_thanks",
                                when=when_text(confirmed.start, desk.tz, desk.language))], IDLE, {})
    if is_letter(said, "r") or intent is Intent.RESCHEDULE:
        return _in("reschedule", reschedule.on_request(said, {"appointment_id": appointment_id}, desk))
    if is_letter(said, "x") or intent is Intent.CANCEL:
        return _in("cancel", cancel.on_request(said, {"appointment_id": appointment_id}, desk))
    if intent is Intent.THANKS:
        return Turn([phrase(desk.language, "welcome")], "reminded", data)
    return _in("booking", booking.step(booking.IDLE, said, {}, desk))


def _in(flow: str, turn: Turn) -> Turn:
    turn.flow = turn.flow or flow
    return turn


STEPS: dict[str, Callable[[Said, dict[str, Any], AppointmentDesk], Turn]] = {"reminded": on_reminded}


def step(state: str, said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """One turn after a reminder."""
    return STEPS.get(state, on_reminded)(said, data, desk)
