"""Which language a text is in: "es" for Spanish, else "en" (mixed or unclear texts are English).

Deterministic and small: Spanish function words, day and time words and Spanish-only characters
(ñ, ¿, ¡, accented vowels) against English function words. Spanish needs a clear majority, so
"hola, can I book tomorrow?" stays English while "¿tienen algo el sábado?" is Spanish.
"""

import re

_SPANISH_WORDS = frozenset(
    "hola buenas buenos dias tardes noches gracias favor para quiero quisiera necesito puedo puede podria podemos "
    "tienen tiene tienes tengo hay algo algun alguna cita turno hora horas el la los las del al de que en con una "
    "uno mi mis su sus es esta este esto estoy soy si pero como cuando cuanto cuesta donde lavado coche carro "
    "manana tarde noche hoy ayer semana fin lunes martes miercoles jueves viernes sabado domingo proximo proxima "
    "despues antes entre vale claro bueno cancelar reservar reserva cambiar mover nombre llamo ninguna ninguno "
    "nada tambien muy mas ya lo posible pronto mediodia primera segunda tercera opcion dos tres cuatro cinco seis "
    "siete ocho nueve diez doce usted ustedes yo tu le se desde hasta dia calle avenida por perfecto disponible "
    "quiero puedes pueden otra otro hacer gustaria".split()
)
_ENGLISH_WORDS = frozenset(
    "the i you is are am can could would will do does have has any anything what when how this next tomorrow "
    "today tonight morning afternoon evening please pls thanks thank yes yeah hi hello hey book booking "
    "appointment available time my it it's for and or at on with want need like get there just week weekend "
    "after before between around about name cancel reschedule sure works good great of to in an be we our your "
    "open free slot wash detail car asap earliest first monday tuesday wednesday thursday friday saturday sunday "
    "mon tue wed thu fri sat sun tmrw ok okay".split()
)
_SPANISH_MARKS = re.compile(r"[ñ¿¡]", re.IGNORECASE)
_ACCENTS = re.compile(r"[áéíóú]", re.IGNORECASE)


def language_of(text: str, words: list[str]) -> str:
    """ "es" when the text (and its folded tokens `words`) is clearly Spanish, else "en"."""
    if text.isascii() and _SPANISH_WORDS.isdisjoint(words):
        return "en"  # most texts: not one Spanish word, nor a mark
    spanish = sum(map(_SPANISH_WORDS.__contains__, words))
    if not text.isascii():  # the marks and accents are not ASCII, nor does any ASCII letter fold to one
        spanish += 2 if _SPANISH_MARKS.search(text) else 1 if _ACCENTS.search(text) else 0
    english = sum(map(_ENGLISH_WORDS.__contains__, words))
    return "es" if spanish > 2 * english else "en"
