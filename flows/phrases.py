"""Everything the conversation says to a customer, in English and Spanish, and which of the two to use.

Spanish is Latin-American and uses "tú", as a small US business texts its customers. Keywords the
carriers act on (STOP, START, HELP) and our own MENU stay as they are in both languages. Service and
business names are the owner's and are never translated.
"""

import re
from collections.abc import Iterable

from bot.domain.wording import Catalogue, fill

PHRASES: Catalogue = {
    # Examples, spliced into other texts.
    "example": {"en": "e.g. 'tomorrow afternoon, full detail'",
                "es": "p. ej. 'mañana en la tarde, detallado completo'"},
    "example_time": {"en": "e.g. 'tomorrow afternoon'", "es": "p. ej. 'mañana en la tarde'"},

    # Booking, in conversation order.
    "already_passed": {"en": "That time has already passed. What day and time would work? ({example})",
                       "es": "Esa hora ya pasó. ¿Qué día y hora te funcionan? ({example})"},
    "too_far": {"en": "Sorry, we only book up to {days} days ahead. What day and time sooner would work?",
                "es": "Perdón, solo agendamos hasta {days} días por adelantado. ¿Qué día y hora más pronto te funcionan?"},
    "which_service": {"en": "Which service would you like?\n{services}\nReply with the number or the name.",
                      "es": "¿Qué servicio te gustaría?\n{services}\nResponde con el número o el nombre."},
    "which_time": {"en": "What day and time suit you? ({example})",
                   "es": "¿Qué día y hora te quedan bien? ({example})"},
    "service_then_time": {
        "en": "Great: {service} ({duration}, {price}). What day and time suit you? "
              "(e.g. 'tomorrow afternoon' or 'sat 10am')",
        "es": "Perfecto: {service} ({duration}, {price}). ¿Qué día y hora te quedan bien? "
              "(p. ej. 'mañana en la tarde' o 'sáb 10am')"},
    "address_question": {
        "en": "We come to you! What's the address for the job? (street and city, e.g. '123 Oak St, Austin')",
        "es": "¡Vamos a donde estés! ¿Cuál es la dirección para el servicio? (calle y ciudad, "
              "p. ej. '123 Oak St, Austin')"},
    "address_reask": {
        "en": "Sorry, I need the street address where we'll do the job, e.g. '123 Oak St, Austin'.",
        "es": "Perdón, necesito la dirección donde haremos el servicio, p. ej. '123 Oak St, Austin'."},
    "offers_inside": {"en": "Here's what's open for {service} ({duration}, {price}):",
                      "es": "Esto es lo que hay libre para {service} ({duration}, {price}):"},
    "offers_nearest": {"en": "Sorry, nothing's open for {service} then. The nearest times are:",
                       "es": "Perdón, no hay nada libre para {service} en ese horario. Los horarios más "
                             "cercanos son:"},
    "offers_reply": {"en": "Reply {choices}, or tell me another time.",
                     "es": "Responde {choices}, o dime otra hora."},
    "last_choice": {"en": "{rest} or {last}", "es": "{rest} o {last}"},
    "nothing_open": {
        "en": "Sorry, there's nothing open for {service} then, or in the weeks after. "
              "Call or text {contact} and we'll try to fit you in.",
        "es": "Perdón, no hay nada libre para {service} en ese horario ni en las semanas siguientes. "
              "Llámanos o escríbenos ({contact}) y buscamos cómo acomodarte."},
    "pick_passed": {"en": "That time has already passed. Pick 1-{count}, or tell me another day.",
                    "es": "Esa hora ya pasó. Elige del 1 al {count}, o dime otro día."},
    "pick_other": {"en": "No problem. What other day or time would suit you?",
                   "es": "Sin problema. ¿Qué otro día u hora te queda bien?"},
    "pick_reask": {"en": "Reply with a number from 1 to {count}, or tell me another day or time.",
                   "es": "Responde con un número del 1 al {count}, o dime otro día u hora."},
    "just_taken": {"en": "Sorry, {when} was just taken. ", "es": "Perdón, el {when} ya lo tomó alguien más. "},
    "holding": {"en": "Great, I'm holding {when} for you. What name should I put the booking under?",
                "es": "Listo, el {when} queda apartado para ti. ¿A nombre de quién pongo la cita?"},
    "name_reask": {"en": "Sorry, what name should I put the booking under? (just your first name is fine)",
                   "es": "Perdón, ¿a nombre de quién pongo la cita? (con tu nombre basta)"},
    "thanks_name": {"en": "Thanks {name}! ", "es": "¡Gracias, {name}! "},
    "pay_deposit": {"en": "To lock in your {service} on {when}, please pay the {amount} deposit here: {link}",
                    "es": "Para asegurar tu {service} del {when}, paga el depósito de {amount} aquí: {link}"},
    "pay_link_failed": {"en": "Sorry, I couldn't create the payment link just now. Reply PAY to try again, or call "
                              "or text {contact}.",
                        "es": "Perdón, no pude crear el enlace de pago en este momento. Responde PAGAR para intentarlo "
                              "de nuevo, o llámanos o escríbenos: {contact}."},
    "hold_gone": {"en": "Sorry, the hold on {when} has lapsed. Tell me a day and time to start again ({example}).",
                  "es": "Perdón, ya se venció tu reserva del {when}; dime un día y una hora para empezar de nuevo "
                        "({example})."},
    "pay_waiting": {"en": "Your time is held until the deposit is paid: {link}\n"
                          "Or tell me another day or time to start over.",
                    "es": "Tu horario queda apartado hasta que pagues el depósito: {link}\n"
                          "O dime otro día u hora para empezar de nuevo."},
    "not_understood": {"en": "Sorry, I didn't catch that. Tell me a service and a time ({example}), or reply MENU "
                             "to see options.",
                       "es": "Perdón, no te entendí. Dime un servicio y una hora ({example}), o responde MENU "
                             "para ver las opciones."},

    # Answers outside the booking steps (flows/help.py, bot/engine.py).
    "menu": {"en": "Hi! I book appointments for {business}. Text a service and a time, {example}.\n"
                   "{services}\nReply STOP to opt out.",
             "es": "¡Hola! Agendo citas para {business}. Escríbeme un servicio y una hora, {example}.\n"
                   "{services}\nResponde STOP para darte de baja."},
    "service_info": {"en": "{service} is {price} and takes about {duration}{deposit}. Want to book one? "
                           "Tell me a day and time.",
                     "es": "{service} cuesta {price} y toma unos {duration}{deposit}. ¿Quieres agendarlo? "
                           "Dime qué día y a qué hora."},
    "service_deposit": {"en": ", {amount} deposit to book", "es": ", con un depósito de {amount} para reservar"},
    "what_we_offer": {"en": "Here's what we offer:\n{services}\nTell me a service and a time to book.",
                      "es": "Esto es lo que ofrecemos:\n{services}\nDime un servicio y una hora para agendar."},
    "owner_told": {"en": "I've let the owner know and they'll get back to you. You can also call or text {contact}.",
                   "es": "Ya le avisé al negocio y te van a contactar pronto. También puedes llamarnos o "
                         "escribirnos: {contact}."},
    "owner_will_sort": {"en": "I've passed that to the owner, who will sort it out with you. You can also call or "
                              "text {contact}.",
                        "es": "Ya le pasé tu mensaje al negocio y lo van a arreglar contigo. También puedes "
                              "llamarnos o escribirnos: {contact}."},
    "welcome": {"en": "You're welcome!", "es": "¡De nada!"},
    "pin_saved": {"en": "Got it, we'll come to {address}.", "es": "Perfecto, iremos a {address}."},
    # An address outside the business's service area (bot/domain/service_area.py): nothing is held.
    "outside_area": {
        "en": "Sorry, we don't go as far as {address}: we serve {area}. Could you send another address? "
              "Or call or text {contact} and we'll see what we can do.",
        "es": "Perdón, no llegamos hasta {address}: atendemos {area}. ¿Nos mandas otra dirección? "
              "O llámanos o escríbenos ({contact}) y vemos qué podemos hacer."},
    "area_radius": {"en": "within {km} km ({miles} mi) of us", "es": "a menos de {km} km ({miles} mi) de nosotros"},
    "area_zips": {"en": "ZIP codes {zips}", "es": "los códigos postales {zips}"},
    "area_both": {"en": "{radius}, plus {zips}", "es": "{radius}, además de {zips}"},
    "that_place": {"en": "that location", "es": "esa ubicación"},
    "picture": {"en": "Thanks for the picture! I can only read text, though. ",
                "es": "¡Gracias por la foto! Pero solo puedo leer texto. "},

    # A customer's own appointments: reminder replies, reschedule, cancel, waitlist (flows/reminder.py,
    # flows/reschedule.py, flows/cancel.py, flows/waitlist.py).
    "attendance_thanks": {"en": "Thanks for confirming! See you on {when}.",
                          "es": "¡Gracias por confirmar! El {when} nos vemos."},
    "which_appointment": {"en": "Which appointment?\n{listing}\nReply {choices}.",
                          "es": "¿Cuál cita?\n{listing}\nResponde {choices}."},
    "nothing_to_cancel": {"en": "I don't see an upcoming appointment for you. To book one, tell me a service and a "
                                "time ({example}).",
                          "es": "No veo ninguna cita próxima a tu nombre. Para agendar, dime un servicio y una hora "
                                "({example})."},
    "nothing_to_move": {"en": "I don't see an upcoming appointment to move. To book one, tell me a service and a "
                              "time ({example}).",
                        "es": "No veo ninguna cita próxima para cambiar. Para agendar, dime un servicio y una hora "
                              "({example})."},
    # The cancellation policy, told before the customer confirms (bot.cancellation.cancellation_terms).
    "cancel_policy_refund": {"en": " Your {amount} deposit will be refunded.",
                             "es": " Te devolvemos tu depósito de {amount}."},
    "cancel_policy_keep": {"en": " It's less than {hours} hours away, so the {amount} deposit can't be refunded.",
                           "es": " Faltan menos de {hours} horas, así que el depósito de {amount} no es "
                                 "reembolsable."},
    "cancel_confirm": {"en": "Cancel your {service} on {when}?{terms} Reply YES to cancel it or NO to keep it.",
                       "es": "¿Cancelamos tu {service} del {when}?{terms} Responde SÍ para cancelarla o NO para "
                             "mantenerla."},
    "cancel_reask": {"en": "Reply YES to cancel your {service} on {when}, or NO to keep it.",
                     "es": "Responde SÍ para cancelar tu {service} del {when}, o NO para mantenerla."},
    "cancelled": {"en": "Done: your {service} on {when} is cancelled.{refund} Text us anytime to book again.",
                  "es": "Listo: tu {service} del {when} quedó cancelada.{refund} Escríbenos cuando quieras "
                        "para agendar de nuevo."},
    "cancelled_refund": {"en": " Your {amount} deposit is on its way back to your card.",
                         "es": " Tu depósito de {amount} ya va de regreso a tu tarjeta."},
    "kept": {"en": "No problem, your {service} on {when} stays as it is.",
             "es": "Sin problema, tu {service} del {when} se queda como está."},
    "move_ask_time": {"en": "Sure! When would you like to move your {service} on {when} to? "
                            "(e.g. 'friday afternoon')",
                      "es": "¡Claro! ¿Para cuándo quieres mover tu {service} del {when}? "
                            "(p. ej. 'viernes en la tarde')"},
    "move_offers": {"en": "Here's what's open to move your {service} to:",
                    "es": "Esto es lo que hay libre para mover tu {service}:"},
    "move_nothing_open": {"en": "Sorry, nothing's open for your {service} then, or in the weeks after. It stays on "
                                "{when}; tell me another day to try.",
                          "es": "Perdón, no hay nada libre para tu {service} en ese horario ni en las semanas "
                                "siguientes. Se queda el {when}; dime otro día para intentar."},
    "moved": {"en": "Done! Your {service} is moved to {when}.{deposit}",
              "es": "¡Listo! Movimos tu {service} al {when}; ya quedó agendado.{deposit}"},
    "moved_deposit": {"en": " Your {amount} deposit carries over.",
                      "es": " Tu depósito de {amount} se mantiene."},
    "waitlist_joined": {"en": "You're on the waitlist: if a time before {when} opens for {service}, I'll text you "
                              "right away.",
                        "es": "Quedaste en la lista de espera: si se libera un horario antes del {when} para "
                              "{service}, te escribo enseguida."},
    "waitlist_still_pick": {"en": " Meanwhile you can still reply {choices} to take one of those times.",
                            "es": " Mientras tanto, puedes responder {choices} para tomar uno de esos horarios."},
    "waitlist_how": {"en": "Book a time first ({example}) and I'll text you if anything earlier opens.",
                     "es": "Primero agenda un horario ({example}) y te escribo si se libera algo antes."},
    "offer_reask": {"en": "Reply YES to take {when}, or NO to pass.",
                    "es": "Responde SÍ para tomar el {when}, o NO para dejarlo pasar."},
    "offer_declined": {"en": "No problem, I'll keep an eye out for other times.",
                       "es": "Sin problema, sigo pendiente de otros horarios."},
    "offer_gone": {"en": "Sorry, that time isn't available any more. I'll keep watching for another.",
                   "es": "Perdón, ese horario ya no está disponible. Sigo pendiente de otro."},
}


def phrase(language: str, key: str, **fields: object) -> str:
    """What we say for `key`, in the customer's language."""
    return fill(PHRASES, language, key, **fields)


def choices_text(count: int, language: str) -> str:
    """"1, 2 or 3" / "1, 2 o 3"; "1" for a single option."""
    if count == 1:
        return "1"
    return phrase(language, "last_choice", rest=", ".join(str(i) for i in range(1, count)), last=count)


def with_line(text: str, line: str) -> str:
    """`text` with `line` under it (the calendar links under a confirmation); unchanged when `line` is empty."""
    return f"{text}\n{line}" if line else text


WORD = re.compile(r"[^\W\d_]+")  # a run of letters, in any alphabet


def reply_language(current: str, written: str, text: str, *, ignore: Iterable[str] = (),
                   free_text: bool = False) -> str:
    """The language to answer in from now on, given the one we used so far and the one nlu says `text` is in.

    Spanish as soon as they write it; back to English only when the text has two or more words of its own
    ("2", "Dana", "ok" or a service's name keep what we were using: they are no clue). An answer to "what
    name?" or "what address?" (`free_text`) changes nothing either way: "Dana Pérez" or "4500 W 6th St,
    Austin TX" says nothing about the language the customer reads.
    """
    if free_text:
        return current
    if written == "es":
        return "es"
    if written == "en":
        known = {w for name in ignore for w in WORD.findall(name.casefold())}
        if sum(w not in known for w in WORD.findall(text.casefold())) >= 2:
            return "en"
    return current
