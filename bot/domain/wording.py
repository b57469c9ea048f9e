"""How times, money and the bot's own notices read in a text message, in each language we answer in.

English and Spanish (Latin-American, "tú", as a small US business texts its customers). Dates come
from our own tables, never the machine's locale, so a server without Spanish locales writes the same
"mié 11 mar, 2:00 p. m." as a laptop. Money reads the same in both ("$180"). Texts to the owner stay
English for now: owners will choose their own language in their settings later.
"""

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

Catalogue = Mapping[str, Mapping[str, str]]  # key -> language -> text with {fields}

WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
            "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom")}
MONTHS = {"en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
          "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic")}
DAY_PATTERN = {"en": "{weekday} {month} {day}", "es": "{weekday} {day} {month}"}
MERIDIEM = {"en": ("AM", "PM"), "es": ("a. m.", "p. m.")}
HOURS = {"en": "hr", "es": "h"}

# Sent outside a conversation turn (after a payment, when a hold lapses), so they live here where the
# shell can reach them; the conversation's own texts are in flows/phrases.py.
NOTICES: Catalogue = {
    "confirmation": {
        "en": "You're confirmed! {service} on {when} with {business} ({where}). "
              "Need to change or cancel? Call or text {contact}.",
        "es": "¡Listo, quedó confirmado! {service} el {when} con {business} ({where}). "
              "¿Necesitas cambiar o cancelar? Llámanos o escríbenos: {contact}.",
    },
    "pending_approval": {
        "en": "Thanks, deposit received. Your {service} on {when} is waiting for the owner's OK; "
              "we'll text you as soon as it's approved.",
        "es": "Gracias, recibimos tu depósito. Tu {service} del {when} está esperando el visto bueno del "
              "negocio; te escribimos en cuanto quede aprobado.",
    },
    "hold_lapsed": {
        "en": "Your hold on {service} for {when} has lapsed, so the time was released. "
              "Text a day and time (e.g. 'tomorrow afternoon') to start again.",
        "es": "Se venció tu reserva de {service} para el {when}, así que liberamos ese horario. "
              "Escríbenos un día y una hora (p. ej. 'mañana en la tarde') para empezar de nuevo.",
    },
    "late_payment": {
        "en": "Sorry! Your deposit arrived after the hold on {service} for {when} lapsed and that time is now "
              "taken. We've refunded the deposit in full. Text a day and time to pick another.",
        "es": "¡Perdón! Tu depósito llegó después de que venció la reserva de {service} para el {when} y ese "
              "horario ya está tomado. Te devolvimos el depósito completo. Escríbenos un día y una hora para "
              "elegir otro.",
    },
    "paid_after_cancel": {
        "en": "Your deposit for {service} on {when} arrived after that booking was cancelled, so we've refunded it "
              "in full. Text a day and time if you'd like to book again.",
        "es": "Tu depósito de {service} para el {when} llegó después de que se canceló esa cita, así que te lo "
              "devolvimos completo. Escríbenos un día y una hora si quieres agendar de nuevo.",
    },
    "owner_cancelled": {
        "en": "Sorry, {business} had to cancel your {service} on {when}.{refund} Text a day and time to book "
              "another.",
        "es": "Perdón, {business} tuvo que cancelar tu cita del {when} ({service}).{refund} Escríbenos un día y "
              "una hora para agendar otra.",
    },
    "where_shop": {"en": "at {address}", "es": "en {address}"},
    "where_mobile_at": {"en": "we come to you at {address}", "es": "vamos a tu domicilio en {address}"},
    "where_mobile": {"en": "we come to you", "es": "vamos a tu domicilio"},
    "deposit_description": {"en": "Deposit: {service}, {when}", "es": "Depósito: {service}, {when}"},
    # Scheduled texts (bot/duework.py, bot/waitlist.py). Every reminder says how to cancel: a bare CANCEL
    # is a carrier opt-out keyword, so cancelling an appointment is X or words ("cancel my appointment").
    "reminder": {
        "en": "Reminder: your {service} with {business} is on {when} ({where}). "
              "Reply C to confirm, R to reschedule, X to cancel.",
        "es": "Recordatorio: tu {service} con {business} es el {when} ({where}). "
              "Responde C para confirmar, R para cambiar la hora o X para cancelar.",
    },
    "follow_up": {
        "en": "Thanks for choosing {business} today! If anything wasn't right, just reply and we'll fix it.",
        "es": "¡Gracias por elegir a {business} hoy! Si algo no quedó bien, respóndenos y lo arreglamos.",
    },
    "rebook_nudge": {
        "en": "Hi from {business}! Time for another {service}? Reply with a day that suits you "
              "(e.g. 'sat morning').",
        "es": "¡Hola de parte de {business}! ¿Ya toca otro {service}? Responde con el día que te quede bien "
              "(p. ej. 'sábado en la mañana').",
    },
    "approval_lapsed": {
        "en": "Sorry, we couldn't confirm your {service} on {when} in time, so the request has lapsed.{refund} "
              "Text a day and time to try another.",
        "es": "Perdón, no pudimos confirmar a tiempo tu {service} del {when}, así que la solicitud venció.{refund} "
              "Escríbenos un día y una hora para intentar otro.",
    },
    "deposit_refunded": {"en": " Your {amount} deposit has been refunded.",
                         "es": " Te devolvimos el depósito de {amount}."},
    "waitlist_offer": {
        "en": "Good news: {when} just opened up for {service}. Want it? Reply YES within {minutes} minutes "
              "and it's yours.",
        "es": "¡Buenas noticias! Se liberó el {when} para {service}. ¿Lo quieres? Responde SÍ en los próximos "
              "{minutes} minutos y es tuyo.",
    },
    "waitlist_offer_move": {
        "en": "Good news: {when} just opened up, earlier than your {service} on {current}. Reply YES within "
              "{minutes} minutes to move your booking there.",
        "es": "¡Buenas noticias! Se liberó el {when}, antes de tu {service} (agendado para el {current}). "
              "Responde SÍ en los próximos {minutes} minutos para mover tu cita a ese horario.",
    },
    # The owner's changes (bot/bookings.py). {reason} is empty or ": <the owner's words>".
    "owner_booked": {
        "en": "You're booked! {service} on {when} with {business} ({where}). Questions or changes? Just reply.",
        "es": "¡Quedó agendado! {service} el {when} con {business} ({where}). ¿Dudas o cambios? Responde a este "
              "mensaje.",
    },
    "owner_moved": {
        "en": "{business} moved your {service} to {when} ({where}). Doesn't suit you? Just reply.",
        "es": "{business} cambió tu {service} al {when} ({where}). ¿No te queda bien? Responde a este mensaje.",
    },
    "declined": {
        "en": "Sorry, {business} can't take your {service} on {when}{reason}.{refund}",
        "es": "Perdón, {business} no puede atenderte el {when} ({service}){reason}.{refund}",
    },
    "declined_offers": {
        "en": " Other times for {service}:\n{listing}\n{reply}",
        "es": " Otros horarios para {service}:\n{listing}\n{reply}",
    },
    "declined_no_offers": {
        "en": " Text a day and time to try another.",
        "es": " Escríbenos un día y una hora para intentar otro.",
    },
}


def spoken(language: str | None) -> str:
    """A language we answer in: the stored one when we have its texts, else English."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def fill(catalogue: Catalogue, language: str, key: str, **fields: object) -> str:
    """The catalogue's text for `key` in `language` (English when we have no such language), filled in."""
    return catalogue[key][spoken(language)].format(**fields)


def notice(language: str, key: str, **fields: object) -> str:
    """One of the NOTICES in the customer's language."""
    return fill(NOTICES, language, key, **fields)


def when_text(start: datetime, tz: str, language: str = DEFAULT_LANGUAGE) -> str:
    """"Wed Mar 11, 2:00 PM" (or "mié 11 mar, 2:00 p. m.") in the business's zone."""
    local = start.astimezone(ZoneInfo(tz))
    return f"{day_text(local, language)}, {clock_text(local, language)}"


def day_text(local: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """"Wed Mar 11" / "mié 11 mar"."""
    lang = spoken(language)
    return DAY_PATTERN[lang].format(weekday=WEEKDAYS[lang][local.weekday()], month=MONTHS[lang][local.month - 1],
                                    day=local.day)


def clock_text(local: datetime, language: str = DEFAULT_LANGUAGE) -> str:
    """"2:00 PM" / "2:00 p. m."."""
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {MERIDIEM[spoken(language)][local.hour >= 12]}"


def duration_text(minutes: int, language: str = DEFAULT_LANGUAGE) -> str:
    """"3 hr", "1 hr 30 min", "45 min" (Spanish: "3 h", "1 h 30 min")."""
    hours, rest = divmod(minutes, 60)
    unit = HOURS[spoken(language)]
    if not hours:
        return f"{rest} min"
    return f"{hours} {unit}" if not rest else f"{hours} {unit} {rest} min"


def money_text(cents: int, currency: str = "usd") -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency.lower(), currency.upper() + " ")
    return f"{symbol}{cents // 100}" if cents % 100 == 0 else f"{symbol}{cents / 100:.2f}"


def confirmation_text(*, business: str, service: str, start: datetime, tz: str, where: str,
                      contact: str, language: str = DEFAULT_LANGUAGE) -> str:
    return notice(language, "confirmation", service=service, when=when_text(start, tz, language),
                  business=business, where=where, contact=contact)


def pending_approval_text(*, service: str, start: datetime, tz: str, language: str = DEFAULT_LANGUAGE) -> str:
    return notice(language, "pending_approval", service=service, when=when_text(start, tz, language))


def owner_new_booking_text(*, customer: str, phone: str, service: str, start: datetime, tz: str,
                           status: str, address: str | None = None, booking_id: int | None = None) -> str:
    place = f", {address}" if address else ""
    if status != "confirmed" and booking_id is not None:
        # The short code is the booking's id: the owner's reply names it ("Y 42", "N 42 booked that day").
        return (f"New request #{booking_id}: {short_name(customer)}, {service}, {when_text(start, tz)}{place}. "
                f"Reply Y {booking_id} to approve or N {booking_id} to decline (add a reason).")
    label = "New booking" if status == "confirmed" else "New request (needs your OK)"
    return f"{label}: {customer} ({phone}), {service}, {when_text(start, tz)}{place}."


def short_name(name: str) -> str:
    """"Dana Kowalski" -> "Dana K.": enough for the owner to know who, in a text others may see."""
    first, _, rest = name.strip().partition(" ")
    return f"{first} {rest.strip()[0].upper()}." if rest.strip() else first


def hold_lapsed_text(*, service: str, start: datetime, tz: str, language: str = DEFAULT_LANGUAGE) -> str:
    return notice(language, "hold_lapsed", service=service, when=when_text(start, tz, language))


def late_payment_text(*, service: str, start: datetime, tz: str, language: str = DEFAULT_LANGUAGE) -> str:
    return notice(language, "late_payment", service=service, when=when_text(start, tz, language))
