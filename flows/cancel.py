"""Cancelling by text, with the policy told before the customer confirms.

    customer: cancel my appointment       (a bare CANCEL is a carrier opt-out keyword: X or words)
    bot:      Cancel your Full Detail on Wed Mar 11, 2:00 PM? Your $50 deposit will be refunded.
              Reply YES to cancel it or NO to keep it.
    customer: yes
    bot:      Done: your Full Detail on Wed Mar 11, 2:00 PM is cancelled. Your $50 deposit is on its
              way back to your card. Text us anytime to book again.

The policy itself (refund with enough notice, else the business keeps the deposit) is
bot.cancellation's; this flow only tells it and asks.
"""

from collections.abc import Callable
from typing import Any

from bot.domain.wording import money_text, when_text
from flows.context import Said, Turn
from flows.phrases import phrase
from flows.upcoming import Appointment, AppointmentDesk, chosen, is_letter, picked, which_one
from nlu import Intent

IDLE = ""
YES_LETTERS = ("x", "y", "yes", "si", "sí")


def on_request(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """The customer asks to cancel (from anywhere: "cancel my friday appt", or X to a reminder)."""
    known = data.get("appointment_id") and desk.appointment(data["appointment_id"])
    if known:
        return _ask(known, desk)
    found = chosen(said, desk.upcoming(), desk.tz)
    if not found:
        return Turn([phrase(desk.language, "nothing_to_cancel", example=phrase(desk.language, "example"))], IDLE, {})
    if len(found) > 1:
        return which_one(found, desk, "which", {})
    return _ask(found[0], desk)


def on_which(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """We listed the customer's appointments and asked which one."""
    appointment = (chosen_id := picked(said, data)) and desk.appointment(chosen_id)
    if appointment:
        return _ask(appointment, desk)
    if said.parse.intent is Intent.DENY:
        return Turn([phrase(desk.language, "welcome")], IDLE, {})
    still = [a for a in (desk.appointment(i) for i in data.get("choices", [])) if a is not None]
    return which_one(still, desk, "which", {}) if still else on_request(said, {}, desk)


def on_confirm(said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """We told the policy and asked YES or NO."""
    lang = desk.language
    appointment = desk.appointment(data["appointment_id"])
    if appointment is None:
        return Turn([phrase(lang, "nothing_to_cancel", example=phrase(lang, "example"))], IDLE, {})
    when = when_text(appointment.start, desk.tz, lang)
    if said.parse.intent is Intent.AFFIRM or is_letter(said, *YES_LETTERS):
        refunded = desk.cancel(appointment.id)
        refund = phrase(lang, "cancelled_refund", amount=money_text(refunded, desk.currency)) if refunded else ""
        return Turn([phrase(lang, "cancelled", service=appointment.service, when=when, refund=refund)], IDLE, {})
    if said.parse.intent is Intent.DENY or is_letter(said, "n"):
        return Turn([phrase(lang, "kept", service=appointment.service, when=when)], IDLE, {})
    return Turn([phrase(lang, "cancel_reask", service=appointment.service, when=when)], "confirm", data)


def _ask(appointment: Appointment, desk: AppointmentDesk) -> Turn:
    lang = desk.language
    terms = desk.cancel_terms(appointment.id)
    if terms.refunded_cents:
        policy = phrase(lang, "cancel_policy_refund", amount=money_text(terms.refunded_cents, desk.currency))
    elif terms.kept_cents:
        policy = phrase(lang, "cancel_policy_keep", hours=terms.refund_hours,
                        amount=money_text(terms.kept_cents, desk.currency))
    else:
        policy = ""
    return Turn([phrase(lang, "cancel_confirm", service=appointment.service,
                        when=when_text(appointment.start, desk.tz, lang), terms=policy)],
                "confirm", {"appointment_id": appointment.id})


STEPS: dict[str, Callable[[Said, dict[str, Any], AppointmentDesk], Turn]] = {
    IDLE: on_request,
    "which": on_which,
    "confirm": on_confirm,
}


def step(state: str, said: Said, data: dict[str, Any], desk: AppointmentDesk) -> Turn:
    """One turn of the cancel conversation."""
    return STEPS.get(state, on_request)(said, data, desk)
