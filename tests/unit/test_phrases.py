"""The phrase catalogues: every text in both languages, Spanish dates from our own tables, the language rule."""

from datetime import UTC, datetime
from string import Formatter
from zoneinfo import ZoneInfo

import pytest

from bot.domain.wording import (LANGUAGES, NOTICES, clock_text, confirmation_text, duration_text, hold_lapsed_text,
                                when_text)
from flows.phrases import PHRASES, choices_text, phrase, reply_language

CHICAGO = "America/Chicago"
CATALOGUES = {"flows.phrases.PHRASES": PHRASES, "bot.domain.wording.NOTICES": NOTICES}
ENTRIES = [(name, key) for name, catalogue in CATALOGUES.items() for key in catalogue]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(("catalogue", "key"), ENTRIES)
def test_every_key_is_in_both_languages_with_the_same_fields(catalogue, key):
    texts = CATALOGUES[catalogue][key]
    assert set(texts) == set(LANGUAGES)
    assert fields(texts["es"]) == fields(texts["en"])
    assert all(text.strip() for text in texts.values())


def test_no_key_is_in_both_catalogues():
    assert set(PHRASES) & set(NOTICES) == set()


@pytest.mark.parametrize("key", ["menu", "not_understood"])
def test_keywords_stay_as_carriers_and_the_bot_read_them(key):
    for word in ("STOP", "MENU"):
        assert (word in PHRASES[key]["en"]) == (word in PHRASES[key]["es"])


def test_a_language_we_have_no_texts_for_gets_english():
    assert phrase("fr", "welcome") == "You're welcome!"
    assert phrase("es", "welcome") == "¡De nada!"


@pytest.mark.parametrize(("local", "english", "spanish"), [
    (datetime(2026, 3, 11, 14, 0), "Wed Mar 11, 2:00 PM", "mié 11 mar, 2:00 p. m."),
    (datetime(2026, 3, 9, 9, 30), "Mon Mar 9, 9:30 AM", "lun 9 mar, 9:30 a. m."),
    (datetime(2026, 3, 10, 12, 0), "Tue Mar 10, 12:00 PM", "mar 10 mar, 12:00 p. m."),
    (datetime(2026, 1, 1, 0, 15), "Thu Jan 1, 12:15 AM", "jue 1 ene, 12:15 a. m."),
    (datetime(2026, 2, 6, 8, 0), "Fri Feb 6, 8:00 AM", "vie 6 feb, 8:00 a. m."),
    (datetime(2026, 4, 4, 10, 0), "Sat Apr 4, 10:00 AM", "sáb 4 abr, 10:00 a. m."),
    (datetime(2026, 5, 3, 23, 45), "Sun May 3, 11:45 PM", "dom 3 may, 11:45 p. m."),
    (datetime(2026, 6, 1, 13, 0), "Mon Jun 1, 1:00 PM", "lun 1 jun, 1:00 p. m."),
    (datetime(2026, 7, 1, 13, 0), "Wed Jul 1, 1:00 PM", "mié 1 jul, 1:00 p. m."),
    (datetime(2026, 8, 1, 13, 0), "Sat Aug 1, 1:00 PM", "sáb 1 ago, 1:00 p. m."),
    (datetime(2026, 9, 1, 13, 0), "Tue Sep 1, 1:00 PM", "mar 1 sep, 1:00 p. m."),
    (datetime(2026, 10, 1, 13, 0), "Thu Oct 1, 1:00 PM", "jue 1 oct, 1:00 p. m."),
    (datetime(2026, 11, 1, 13, 0), "Sun Nov 1, 1:00 PM", "dom 1 nov, 1:00 p. m."),
    (datetime(2026, 12, 31, 13, 0), "Thu Dec 31, 1:00 PM", "jue 31 dic, 1:00 p. m."),
])
def test_dates_in_english_and_spanish(local, english, spanish):
    start = local.replace(tzinfo=ZoneInfo(CHICAGO))
    assert when_text(start, CHICAGO) == english
    assert when_text(start, CHICAGO, "es") == spanish


def test_dates_are_written_in_the_business_zone():
    # 19:00 UTC on 11 March 2026 is 2:00 PM in Chicago (CDT since 8 March) and past midnight in Kolkata.
    start = datetime(2026, 3, 11, 19, 0, tzinfo=UTC)
    assert when_text(start, CHICAGO, "es") == "mié 11 mar, 2:00 p. m."
    assert when_text(start, "Asia/Kolkata", "es") == "jue 12 mar, 12:30 a. m."


def test_clock_text_defaults_to_english():
    assert clock_text(datetime(2026, 3, 11, 0, 5)) == "12:05 AM"
    assert clock_text(datetime(2026, 3, 11, 0, 5), "es") == "12:05 a. m."


@pytest.mark.parametrize(("minutes", "english", "spanish"), [
    (45, "45 min", "45 min"), (60, "1 hr", "1 h"), (90, "1 hr 30 min", "1 h 30 min"), (180, "3 hr", "3 h"),
])
def test_durations(minutes, english, spanish):
    assert (duration_text(minutes), duration_text(minutes, "es")) == (english, spanish)


@pytest.mark.parametrize(("count", "english", "spanish"), [(1, "1", "1"), (2, "1 or 2", "1 o 2"),
                                                            (3, "1, 2 or 3", "1, 2 o 3")])
def test_choices(count, english, spanish):
    assert (choices_text(count, "en"), choices_text(count, "es")) == (english, spanish)


def test_notices_read_naturally_in_spanish():
    start = datetime(2026, 3, 11, 19, 0, tzinfo=UTC)
    assert confirmation_text(business="Shine Mobile Detailing", service="Full Detail", start=start, tz=CHICAGO,
                             where="vamos a tu domicilio en 1100 Congress Ave", contact="(555) 000-2222",
                             language="es") == (
        "¡Listo, quedó confirmado! Full Detail el mié 11 mar, 2:00 p. m. con Shine Mobile Detailing (vamos a tu "
        "domicilio en 1100 Congress Ave). ¿Necesitas cambiar o cancelar? Llámanos o escríbenos: (555) 000-2222.")
    assert hold_lapsed_text(service="Full Detail", start=start, tz=CHICAGO) == (
        "Your hold on Full Detail for Wed Mar 11, 2:00 PM has lapsed, so the time was released. "
        "Text a day and time (e.g. 'tomorrow afternoon') to start again.")


SERVICES = ["Full Detail", "full detail", "full", "detail", "Express Wash", "express", "wash"]


@pytest.mark.parametrize(("current", "written", "text", "expected"), [
    ("en", "es", "mañana en la tarde", "es"),              # Spanish as soon as they write it
    ("en", "es", "cancelar", "es"),                        # one Spanish word is enough
    ("es", "en", "tomorrow afternoon please", "en"),       # English with words of its own: back to English
    ("es", "en", "2", "es"),                               # a number says nothing
    ("es", "en", "Dana", "es"),                            # nor does one word
    ("es", "en", "ok", "es"),
    ("es", "en", "Full Detail", "es"),                     # nor the business's own service names
    ("es", "en", "full detail tomorrow", "es"),            # one English word besides them
    ("es", "en", "full detail tomorrow afternoon", "en"),
    ("en", "en", "2", "en"),
    ("es", "unknown", "hmm what now", "es"),               # a parser that cannot tell changes nothing
])
def test_reply_language(current, written, text, expected):
    assert reply_language(current, written, text, ignore=SERVICES) == expected


@pytest.mark.parametrize(("current", "written", "text"), [
    ("es", "en", "Dana Pérez Smith"),
    ("es", "en", "4500 W 6th St, Austin TX 78703"),
    ("en", "es", "Calle Luna 12, San Antonio"),
])
def test_an_answer_to_what_name_or_what_address_keeps_the_language(current, written, text):
    assert reply_language(current, written, text, free_text=True) == current


@pytest.mark.parametrize(("catalogue", "key"), ENTRIES)
def test_a_spanish_time_never_ends_a_sentence(catalogue, key):
    # "2:00 p. m." already ends in a period: "te aparto el mié 11 mar, 2:00 p. m.." would read as a typo.
    text = CATALOGUES[catalogue][key]["es"]
    filled = text.format(**{name: "mié 11 mar, 2:00 p. m." if name == "when" else "X" for name in fields(text)})
    assert ".." not in filled
