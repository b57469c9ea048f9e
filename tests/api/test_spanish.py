"""A customer who writes Spanish is answered in Spanish, through the signed Twilio webhook.

The owner's side stays English. The language is sticky: "2" or "Dana" keep it, an English sentence
switches back.
"""

import json
from datetime import timedelta

import pytest

from tests.conftest import DANA, LEE, OWNER, PAT, calendar_line, execute, replies, rows, signed_post, twilio_form

# The owner lists what customers call each service in Spanish, as they list English nicknames.
SPANISH_ALIASES = {"Full Detail": ["full detail", "full", "detail", "detallado completo", "detallado"],
                   "Express Wash": ["express", "wash", "quick wash", "lavado express", "lavado rápido"]}


@pytest.fixture(autouse=True)
def spanish_service_names(db_url):
    for name, aliases in SPANISH_ALIASES.items():
        execute(db_url, "update service set aliases = :aliases where name = :name", aliases=json.dumps(aliases),
                name=name)


def text(body: str, *, from_: str = DANA, client) -> list[str]:
    return replies(signed_post(client, twilio_form(body, from_=from_)))


def pay_link_token(reply: str) -> str:
    return reply.split("/pay/")[1].split()[0]


def sent_to(db_url: str, phone: str) -> list[str]:
    """Messages the bot started (not replies to a text), oldest first."""
    return [body for (body,) in rows(db_url, "select body from message where phone = :p and direction = 'out' "
                                             "and reply_to_id is null order by id", p=phone)]


def language_of(db_url: str, phone: str) -> str:
    return rows(db_url, "select language from customer where phone = :p", p=phone)[0][0]


def test_a_booking_in_spanish_from_request_to_confirmation(client, db_url, dispatcher):
    assert text("mañana en la tarde, detallado completo", client=client) == [
        "Esto es lo que hay libre para Full Detail (3 h, $180):\n"
        "1) mié 11 mar, 12:00 p. m.\n2) mié 11 mar, 2:00 p. m.\n3) mié 11 mar, 3:00 p. m.\n"
        "Responde 1, 2 o 3, o dime otra hora."]

    assert text("2", client=client) == [
        "Listo, el mié 11 mar, 2:00 p. m. queda apartado para ti. ¿A nombre de quién pongo la cita?"]

    link = text("Dana", client=client)[0]
    assert link.startswith("¡Gracias, Dana! Para asegurar tu Full Detail del mié 11 mar, 2:00 p. m., paga el "
                           "depósito de $50 aquí: https://bot.example.com/pay/")

    assert client.post(f"/pay/{pay_link_token(link)}", follow_redirects=False).status_code == 303
    dispatcher.tick()
    assert sent_to(db_url, DANA) == [
        "¡Listo, quedó confirmado! Full Detail el mié 11 mar, 2:00 p. m. con Shine Mobile Detailing (vamos a tu "
        "domicilio en 1100 Congress Ave, Austin, TX). ¿Necesitas cambiar o cancelar? Llámanos o escríbenos: "
        "(555) 000-2222.\n" + calendar_line(db_url, DANA, "es")]
    # The owner reads English whatever the customer writes.
    assert sent_to(db_url, OWNER) == [
        "New booking: Dana ((555) 010-0001), Full Detail, Wed Mar 11, 2:00 PM, 1100 Congress Ave, Austin, TX."]
    assert rows(db_url, "select status from booking") == [("confirmed",)]

    # Cancelling tells the policy first, in Spanish too.
    assert text("cancelar", client=client) == [
        "¿Cancelamos tu Full Detail del mié 11 mar, 2:00 p. m.? Te devolvemos tu depósito de $50. Responde SÍ para "
        "cancelarla o NO para mantenerla."]
    assert text("no", client=client) == ["Sin problema, tu Full Detail del mié 11 mar, 2:00 p. m. se queda como está."]
    assert rows(db_url, "select status from booking") == [("confirmed",)]
    assert language_of(db_url, DANA) == "es"

    # Writing English again switches the replies back.
    assert text("how much is the express wash?", client=client) == [
        "Express Wash is $40 and takes about 45 min, $10 deposit to book. Want to book one? Tell me a day and time."]
    assert language_of(db_url, DANA) == "en"


def test_a_new_customer_is_asked_for_the_address_in_spanish_and_an_english_street_keeps_spanish(client, db_url):
    assert text("el sábado por la mañana, lavado express", from_=PAT, client=client) == [
        "¡Vamos a donde estés! ¿Cuál es la dirección para el servicio? (calle y ciudad, "
        "p. ej. '123 Oak St, Austin')"]
    offers = text("4500 W 6th St, Austin TX 78703", from_=PAT, client=client)[0]
    assert offers.startswith("Esto es lo que hay libre para Express Wash (45 min, $40):\n1) sáb 14 mar, ")
    assert offers.endswith("o dime otra hora.")
    assert language_of(db_url, PAT) == "es"


SPANISH_MENU = ("¡Hola! Agendo citas para Shine Mobile Detailing. Escríbeme un servicio y una hora, p. ej. "
                "'mañana en la tarde, detallado completo'.\n1) Express Wash - $40, 45 min\n2) Full Detail - $180, 3 h\n"
                "3) Interior Detail - $90, 1 h 30 min\nResponde STOP para darte de baja.")


def test_hola_gets_the_menu_in_spanish_and_one_word_keeps_it(client):
    assert text("hola", from_=PAT, client=client) == [SPANISH_MENU]
    assert text("menu", from_=PAT, client=client) == [SPANISH_MENU]
    assert text("gracias", from_=PAT, client=client) == ["¡De nada!"]


def test_a_spanish_looking_name_does_not_switch_an_english_customer(client, db_url):
    text("tomorrow 2pm full detail", from_=LEE, client=client)
    text("1", from_=LEE, client=client)
    assert text("José Pérez", from_=LEE, client=client)[0].startswith("Thanks José! To lock in your Full Detail on "
                                                                      "Wed Mar 11, 2:00 PM, please pay the $50")
    assert language_of(db_url, LEE) == "en"


def spanish_customer(db_url, phone: str = DANA) -> None:
    """A customer whose earlier texts were Spanish; messages with no words of their own keep it."""
    execute(db_url, "update customer set language = 'es' where phone = :p", p=phone)


def test_a_stored_spanish_customer_is_answered_in_spanish_without_any_spanish_words(client, db_url):
    spanish_customer(db_url)
    offers = text("3/11 2pm full detail", client=client)[0]
    assert offers.startswith("Esto es lo que hay libre para Full Detail (3 h, $180):\n1) mié 11 mar, 2:00 p. m.")
    assert text("1", client=client)[0].startswith("Listo, el mié 11 mar, 2:00 p. m. queda apartado para ti.")
    assert language_of(db_url, DANA) == "es"


def test_stop_and_start_keep_the_carrier_wording_and_the_menu_follows_the_language(client, db_url):
    spanish_customer(db_url)
    assert text("STOP", client=client) == [
        "You're unsubscribed from Shine Mobile Detailing and won't get more texts. Reply START to subscribe again."]
    again = text("START", client=client)[0]
    assert again.startswith("You're subscribed to Shine Mobile Detailing again. ¡Hola! Agendo citas para Shine")
    assert text("HELP", client=client)[0].startswith("¡Hola! Agendo citas para Shine Mobile Detailing.")


def test_a_lapsed_hold_and_a_late_deposit_are_explained_in_spanish(client, db_url, clock, dispatcher):
    execute(db_url, "update staff set active = false where name = 'Sam'")  # one technician: one 2 PM slot
    spanish_customer(db_url)
    text("3/11 2pm full detail", client=client)
    text("1", client=client)
    link = text("Dana", client=client)[0]
    assert link.startswith("¡Gracias, Dana! Para asegurar tu Full Detail del mié 11 mar, 2:00 p. m., paga el "
                           "depósito de $50 aquí: ")
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()
    assert sent_to(db_url, DANA) == [
        "Se venció tu reserva de Full Detail para el mié 11 mar, 2:00 p. m., así que liberamos ese horario. "
        "Escríbenos un día y una hora (p. ej. 'mañana en la tarde') para empezar de nuevo."]

    text("tomorrow 2pm full detail", from_=LEE, client=client)   # Lee writes English and takes the time
    text("1", from_=LEE, client=client)
    client.post(f"/pay/{pay_link_token(text('Lee', from_=LEE, client=client)[0])}")
    client.post(f"/pay/{pay_link_token(link)}")                   # Dana pays late
    dispatcher.tick()
    assert sent_to(db_url, DANA)[-1] == (
        "¡Perdón! Tu depósito llegó después de que venció la reserva de Full Detail para el mié 11 mar, 2:00 p. m. "
        "y ese horario ya está tomado. Te devolvimos el depósito completo. Escríbenos un día y una hora para "
        "elegir otro.")
    assert sent_to(db_url, LEE)[-1].startswith("You're confirmed! Full Detail on Wed Mar 11, 2:00 PM")
