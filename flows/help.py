"""Answers that do not start or move a booking: menu, prices, a human, greetings, thanks.

The customer hears them in their language; what we pass on to the owner stays English.
"""

from bot.domain.wording import duration_text, money_text
from flows.booking import services_menu
from flows.context import Desk, Said
from flows.phrases import phrase
from nlu import Intent

# Cancel and reschedule are flows of their own (flows/cancel.py, flows/reschedule.py).
HANDLED = frozenset({Intent.HELP, Intent.INFO, Intent.HUMAN, Intent.GREET, Intent.THANKS})


def menu_text(desk: Desk) -> str:
    lang = desk.language
    return phrase(lang, "menu", business=desk.business_name, example=phrase(lang, "example"),
                  services=services_menu(desk))


def answer(said: Said, desk: Desk) -> str:
    """The reply to a message whose intent is in HANDLED."""
    intent, lang = said.parse.intent, desk.language
    if intent is Intent.INFO:
        if said.parse.service:
            s = next(x for x in desk.services if x.name == said.parse.service)
            deposit = (phrase(lang, "service_deposit", amount=money_text(s.deposit_cents, desk.currency))
                       if s.deposit_cents else "")
            return phrase(lang, "service_info", service=s.name, price=money_text(s.price_cents, desk.currency),
                          duration=duration_text(s.duration_minutes, lang), deposit=deposit)
        return phrase(lang, "what_we_offer", services=services_menu(desk))
    if intent is Intent.HUMAN:
        desk.tell_owner(f"A customer asked to talk to someone: \"{said.text[:300]}\"")
        return phrase(lang, "owner_told", contact=desk.contact)
    if intent is Intent.THANKS:
        return phrase(lang, "welcome")
    return menu_text(desk)
