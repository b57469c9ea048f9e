"""Answers that do not start or move a booking: menu, prices, a human, greetings, thanks."""

from flows.booking import EXAMPLE, duration_text, services_menu
from flows.context import Desk, Said
from nlu import Intent
from bot.domain.wording import money_text

HANDLED = frozenset({Intent.HELP, Intent.INFO, Intent.HUMAN, Intent.GREET, Intent.THANKS, Intent.CANCEL,
                     Intent.RESCHEDULE})


def menu_text(desk: Desk) -> str:
    return (f"Hi! I book appointments for {desk.business_name}. Text a service and a time, {EXAMPLE}.\n"
            f"{services_menu(desk)}\nReply STOP to opt out.")


def answer(said: Said, desk: Desk) -> str:
    """The reply to a message whose intent is in HANDLED."""
    intent = said.parse.intent
    if intent is Intent.INFO:
        if said.parse.service:
            s = next(x for x in desk.services if x.name == said.parse.service)
            deposit = f", {money_text(s.deposit_cents, desk.currency)} deposit to book" if s.deposit_cents else ""
            return (f"{s.name} is {money_text(s.price_cents, desk.currency)} and takes about "
                    f"{duration_text(s.duration_minutes)}{deposit}. Want to book one? Tell me a day and time.")
        return f"Here's what we offer:\n{services_menu(desk)}\nTell me a service and a time to book."
    if intent is Intent.HUMAN:
        desk.tell_owner(f"A customer asked to talk to someone: \"{said.text[:300]}\"")
        return f"I've let the owner know and they'll get back to you. You can also call or text {desk.contact}."
    if intent in (Intent.CANCEL, Intent.RESCHEDULE):
        desk.tell_owner(f"A customer wants to {intent.value}: \"{said.text[:300]}\"")
        return (f"I've passed that to the owner, who will sort it out with you. You can also call or text "
                f"{desk.contact}.")
    if intent is Intent.THANKS:
        return "You're welcome!"
    return menu_text(desk)
