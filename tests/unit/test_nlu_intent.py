"""nlu.intent with its trained classifier, on messages it was not trained on; and the Rasa NLU YAML loader.

"Now" is Tue 2026-03-10 09:15 America/Chicago; a row marked `offered` replies to three offered times,
Wed 12:00, 14:30 and 15:00. Rows marked as known gaps are misses we know of (strict xfail: fixing one
makes the test say so).
"""

import os
import subprocess
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from nlu import Intent, Parse, parse
from nlu.classifier import IntentClassifier, trained_classifier, words
from nlu.intent import classify
from nlu.text import tokens
from nlu.training import EntitySpan, Example, TrainingDataError, bundled_training_data, training_data

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)
SERVICES = ["Express Wash", "Full Detail", "Interior Detail"]
ALIASES = {
    "Full Detail": ["full detail", "full", "detail", "detallado completo", "detallado"],
    "Interior Detail": ["interior", "inside", "inside only"],
    "Express Wash": ["express", "wash", "quick wash", "lavado"],
}
OFFERED = (
    datetime(2026, 3, 11, 12, 0, tzinfo=CHICAGO),
    datetime(2026, 3, 11, 14, 30, tzinfo=CHICAGO),
    datetime(2026, 3, 11, 15, 0, tzinfo=CHICAGO),
)

KNOWN_GAPS = {
    "holi": "an unseen spelling of a greeting alone scores under the floor",
    "tyvm": "an unseen abbreviation alone scores under the floor",
    "nop, gracias": "'gracias' outweighs 'nop': thanks, not a polite no",
    "aceptan efectivo?": "no payment question in Spanish is close enough",
    "no, that's ok": "'that's ok' reads as agreement",
    "ya no quiero la cita": "'no longer want the appointment' in Spanish reads as a request for one",
    "i'm stuck": "no example says stuck",
    "can i get the owners number": "'number' leans to picks ('number 2'), and no example asks for one",
}


def ask(text: str, *, offered: tuple[datetime, ...] = ()) -> Parse:
    return parse(text, now=NOW, tz=ZONE, services=SERVICES, offered=offered, aliases=ALIASES)


def rows(intent: Intent, *texts: str, offered: bool = False) -> list:
    return [pytest.param(text, intent, offered, id=f"{intent.value}:{text}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[text])] if text in KNOWN_GAPS else [])
            for text in texts]


HELD_OUT = [
    *rows(Intent.GREET, "hey hey", "hello there", "heyyy, anybody there? 👋", "good morning to you", "hola hola",
          "muy buenas tardes", "holi", "hey whats up", "buenos dias, cómo están", "hi hi", "hello hello 😊",
          "hey, hello", "yo whats good", "hello, good day", "hey good morning", "buenas buenas", "hola, buen día",
          "hiii there"),
    *rows(Intent.THANKS, "thank you so much!!", "thanks man", "thx a bunch", "ok thank you", "tyvm", "gracias amigo",
          "muchas gracias de verdad", "thx so much", "thank youuu sm", "thanks a ton", "mil gracias amiga",
          "gracias bro 🙏", "thank you kindly", "thanks a million", "gracias por todo 🙏", "thx so much!!", "ty ty"),
    *rows(Intent.AFFIRM, "yes pls", "yeah that's good", "ok perfect", "sure, sounds good", "yep works for me",
          "si claro", "sí, perfecto", "okey, va", "okay 👍🏼", "yes correct", "dale pues", "yeah go for it",
          "okk cool", "yea sure", "yesss def", "ya está bien", "yup that's fine", "sounds perfect",
          "sí, está perfecto", "okay sure", "correcto, sí", "yeah ok", "yes please do"),
    *rows(Intent.DENY, "no sorry, cant do it", "nah none of those", "nope not those times",
          "no, those times don't work", "no gracias, ninguna", "no no", "nah thanks", "ninguno me funciona",
          "no puedo", "neither works for me", "nahh im ok", "nop, gracias", "no, that's ok", "nah not today",
          "no gracias, estoy bien", "none work", "nope neither"),
    *rows(Intent.BOOK, "need an express wash friday", "full detail saturday morning pls",
          "i want to book an interior detail", "can I book for next monday", "book a wash for tmrw at 9",
          "wed 3pm interior", "i'd like a full detail please", "schedule me an appointment",
          "I want to get my car washed", "need a detail on my jeep sometime next week", "asap", "next week sometime",
          "mañana en la tarde", "el sábado por la mañana", "quiero agendar un lavado para el viernes",
          "necesito una cita el lunes en la mañana", "me gustaría un detallado completo", "para el martes por favor",
          "quiero reservar", "Quisiera una cita mañana en la tarde", "let's do friday then",
          "put me in for the express wash", "interior pls", "full detail", "sat 10am", "tmrw aft, full detail",
          "the 14th around noon", "I need my car detailed before the weekend", "can i get a wash tomorrow",
          "book me for thursday at 2", "i need a wash on sunday", "can i get the full detail on thursday",
          "interior detail for the 18th please", "quiero un detallado completo el viernes",
          "agendar cita para el lunes", "I'd like to schedule an express wash",
          "my car needs a full detail, friday works", "reservame el sábado a las 10",
          "tomorrow at noon, express wash please"),
    *rows(Intent.AVAILABILITY, "anything open thurs?", "do you have anything tmrw", "any openings friday?",
          "do you have time this weekend", "what's your earliest opening", "when's the soonest you can come out",
          "r u free tmrw afternoon", "any availability on the 20th?", "can you do sunday?", "is saturday open",
          "what times are open thursday", "tienen espacio mañana?", "hay disponibilidad el sábado?",
          "qué horas tienes libres el viernes", "cuándo hay lugar?", "tienes algo el lunes en la tarde?",
          "sat morning?", "any time after 5 on thurs", "do u have any spots left this week for a full detail",
          "any openings this saturday?", "you have anything open on monday?", "is friday morning available?",
          "hay lugar el jueves?", "tienen algo hoy?", "what do you have this week"),
    *rows(Intent.CHOOSE, "1 please", "the first one pls", "option 2", "3 works", "#1", "lets do the 3pm",
          "I'll take the 2:30", "la primera por favor", "la segunda", "la de las 3 porfa", "the last one works",
          "2nd", "first", "2", "the 2:30 one", "the first", "3 please", "option 1", "la tercera opción porfa",
          "the 3:00 one", "i'll do 2", offered=True),
    *rows(Intent.CHOOSE, "the second one", "gimme the third one", "la segunda porfa"),
    *rows(Intent.RESCHEDULE, "can I move it to friday", "need to reschedule my detail", "can we change it to 3pm",
          "i need to move my appointment", "could we push to next week", "can i switch my time",
          "something came up, need a new time", "reschedule pls", "is it ok if we move it to monday",
          "quiero cambiar mi cita al viernes", "puedo mover mi cita?", "necesito cambiar la fecha",
          "podemos reprogramar para el sábado", "resched to thurs?", "move my appt pls",
          "can i reschedule for tomorrow", "can I change my appointment to next friday", "need to move my booking",
          "can we reschedule?", "quiero cambiar la cita para el martes", "could we do another day instead",
          "push it to 4pm please"),
    *rows(Intent.CANCEL, "cancel pls", "cancel my booking please", "i need to cancel my appointment",
          "pls cancel my detail tomorrow", "can't make it, please cancel", "cancel the appointment", "cancelar",
          "cancelar mi cita", "quiero cancelar la cita del sábado", "ya no la necesito, cancélala", "cancel appt",
          "i want to cancel my wash", "gotta cancel sorry", "please cancel it", "cancelen por favor",
          "cancel my appointment", "please cancel my appt", "i have to cancel tomorrow", "cancel the booking",
          "cancela la cita por favor", "ya no quiero la cita", "need to cancel sorry"),
    *rows(Intent.INFO, "how much for interior?", "how much is the full detail?", "what do you charge",
          "price for express wash?", "how long does a full detail take?", "what services do you have",
          "do you guys come to my house", "whats the deposit", "do you take card", "where r u located",
          "how much for a truck", "cuánto cuesta", "cuánto cuesta el detallado completo", "qué servicios tienen",
          "cuánto tarda el lavado?", "aceptan efectivo?", "what's the difference between interior and full",
          "pricing?", "how much do u charge for a full detail", "how much is an express wash",
          "price of a full detail?", "cuánto vale el lavado", "how long is the interior detail",
          "what payment do you take", "where do you operate"),
    *rows(Intent.HUMAN, "i want to talk to a real person", "can someone give me a call", "is this automated?",
          "speak to owner please", "can i get the owners number", "call me back please", "person please",
          "hablar con alguien por favor", "quiero hablar con alguien", "me puede llamar alguien?", "es un bot?",
          "necesito hablar con una persona real", "can I talk to someone", "i need a human",
          "can I speak with the owner", "talk to a human please", "hay alguien real?", "call me when you can",
          "i want to talk to somebody"),
    *rows(Intent.HELP, "help me please", "how do I use this thing", "what do I text", "i dont understand",
          "what can I do here", "options?", "ayuda porfa", "no entiendo cómo funciona", "uh help?",
          "what do i do now", "how do i do this", "what are the options?", "ayúdame", "i'm stuck"),
    *rows(Intent.OPTOUT, "stop texting me please", "STOP sending me texts", "unsubscribe me please",
          "take me off this list", "please remove my number", "no more messages please", "ya no me manden mensajes",
          "dar de baja mi número", "opt out please", "please stop messaging me", "take me off the list",
          "no quiero más mensajes", "unsubscribe please"),
    *rows(Intent.OPTIN, "start texting me", "please subscribe me again", "i'd like to opt back in",
          "you can message me again", "quiero suscribirme otra vez", "please start texting me again",
          "resubscribe me", "quiero recibir mensajes otra vez"),
    *rows(Intent.UNKNOWN, "asdfgh qwerty", "Maria", "it's Dana", "jkjkjk", "my car is a white tesla",
          "purple monkey dishwasher", "Roberto Gómez", "lmao", "zzz", "soy Carlos", "the dog ate it", "Danielle",
          "retail", "Carlos", "my name's Jen", "blah blah", "kjhkjh", "its a red truck", "lol ok then wait"),
]

CARRIER = [
    *[pytest.param(text, Intent.OPTOUT, id=f"optout:{text}")
      for text in ("STOP", "stop", "Stop.", "QUIT", "end", "stopall", "cancel", "CANCEL!", "unsubscribe", "revoke")],
    *[pytest.param(text, Intent.OPTIN, id=f"optin:{text}") for text in ("START", "start", "unstop")],
    *[pytest.param(text, Intent.HELP, id=f"help:{text}") for text in ("HELP", "info", "?", "menu")],
]


@pytest.mark.parametrize(("text", "intent", "offered"), HELD_OUT)
def test_intent_of_a_message_not_in_the_training_data(text: str, intent: Intent, offered: bool) -> None:
    p = ask(text, offered=OFFERED if offered else ())

    assert p.intent is intent
    assert 0.0 <= p.confidence < 1.0


@pytest.mark.parametrize(("text", "intent"), CARRIER)
def test_carrier_keywords_are_rules_and_the_only_certain_answers(text: str, intent: Intent) -> None:
    p = ask(text, offered=OFFERED)

    assert (p.intent, p.confidence) == (intent, 1.0)


def test_the_held_out_messages_are_not_training_examples() -> None:
    # Compared as the classifier sees them: "yesss" is "yes", and "2" or "#1" is nothing at all.
    trained = {" ".join(words(e.text)) for e in bundled_training_data().examples}
    seen = [" ".join(words(p.values[0])) for p in HELD_OUT]

    assert [p.values[0] for p, text in zip(HELD_OUT, seen) if text and text in trained] == []
    assert len(HELD_OUT) >= 120


@pytest.mark.parametrize("text", ["asdfgh qwerty", "zxcvbnm", "lorem ipsum dolor sit amet",
                                  "<div><span></span></div>", "aaaaaaaaaa", "qqq www eee", "the", "please", "por favor",
                                  "2/29"])
def test_no_signal_is_unknown_rather_than_a_guess(text: str) -> None:
    assert classify(text, tokens(text), has_time=False, has_service=False, has_choice=False) == (Intent.UNKNOWN, 0.0)


@pytest.mark.parametrize("text", ["baja el precio?", "number 2", "stop by whenever", "can you stop at my office",
                                  "no more than 2 hours right?", "please", "end of the day works", "quit my job lol"])
def test_no_opt_out_without_a_clear_request(text: str) -> None:
    # Opting out silences the customer, so words that only sound like it ("baja", "stop", "number",
    # as in "remove my number") must not be enough.
    assert ask(text).intent is not Intent.OPTOUT


@pytest.mark.parametrize(("text", "intent"), [
    pytest.param("2", Intent.CHOOSE, id="bare-number"),
    pytest.param("yes the 2:30 one", Intent.CHOOSE, id="yes-and-a-pick"),
    pytest.param("option 3 please, thanks so much", Intent.CHOOSE, id="thanks-and-a-pick"),
    pytest.param("cancel the 2:30 one", Intent.CANCEL, id="cancel-outranks-a-pick"),
    pytest.param("can someone call me about the 2:30 one", Intent.HUMAN, id="human-outranks-a-pick"),
])
def test_a_pick_is_choose_unless_it_says_something_stronger(text: str, intent: Intent) -> None:
    assert classify(text, tokens(text), has_time=False, has_service=False, has_choice=True)[0] is intent


@pytest.mark.parametrize(("text", "has_time", "has_service", "intent"), [
    pytest.param("can I move it to friday", True, False, Intent.RESCHEDULE, id="reschedule-with-a-day"),
    pytest.param("how much for interior?", False, True, Intent.INFO, id="price-of-a-service"),
    pytest.param("cancel my friday appt", True, False, Intent.CANCEL, id="cancel-with-a-day"),
    pytest.param("thanks, see you saturday", True, False, Intent.THANKS, id="thanks-with-a-day"),
    pytest.param("sat morning?", True, False, Intent.AVAILABILITY, id="a-time-asked-about"),
    pytest.param("sat morning", True, False, Intent.BOOK, id="a-time-stated"),
    pytest.param("hey, sat morning", True, False, Intent.BOOK, id="greeting-and-a-time"),
    pytest.param("good morning", True, False, Intent.GREET, id="day-part-in-a-greeting"),
    pytest.param("full detail", False, True, Intent.BOOK, id="a-service-alone"),
    pytest.param("yes, sat morning", True, False, Intent.BOOK, id="any-other-intent-with-a-time-is-a-request"),
])
def test_a_time_or_service_makes_a_request_unless_the_intent_survives_it(text: str, has_time: bool,
                                                                          has_service: bool, intent: Intent) -> None:
    assert classify(text, tokens(text), has_time=has_time, has_service=has_service, has_choice=False)[0] is intent


@pytest.mark.parametrize("text", ["'; DROP TABLE booking;--", "booking xkcd qwzx", "cita zzqx"])
def test_a_weak_guess_that_names_a_booking_is_a_weak_book(text: str) -> None:
    intent, confidence = classify(text, tokens(text), has_time=False, has_service=False, has_choice=False)

    assert intent is Intent.BOOK
    assert confidence < 0.5


def test_same_text_same_answer_from_independently_trained_classifiers() -> None:
    texts = [p.values[0] for p in HELD_OUT]
    examples = bundled_training_data().examples
    first, second = IntentClassifier(examples), IntentClassifier(examples)

    assert [first.guess(t) for t in texts] == [second.guess(t) for t in texts]
    assert [first.guess(t, slots=["time"]) for t in texts] == [trained_classifier().guess(t, slots=["time"])
                                                               for t in texts]


def test_same_answers_under_any_hash_seed() -> None:
    # Iterating a set of strings follows the per-process hash seed; a classifier that summed scores
    # in set order would differ between processes in the last bits and flip near-ties.
    script = ("import sys; from nlu.classifier import trained_classifier as t; "
              "print([t().guess(line) for line in sys.stdin.read().splitlines()])")
    texts = "\n".join(p.values[0] for p in HELD_OUT)
    outputs = {subprocess.run([sys.executable, "-c", script], input=texts, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}

    assert len(outputs) == 1


def test_equal_scores_go_to_the_intent_listed_first() -> None:
    examples = [Example("see you then", "thanks"), Example("see you then!", "greet")]

    assert IntentClassifier(examples).guess("see you then").intent == "thanks"
    assert IntentClassifier(examples[::-1]).guess("see you then").intent == "greet"


# Messages whose bounds are loose: repeated words and n-grams, unseen words, a long text.
LOOSE_BOUNDS = ["no no no no", "ok ok ok thanks thanks", "cancelcancel cancel", "qwxz vbnm", "👍👍👍", "? ?",
                "yes please " * 40, " ".join(p.values[0] for p in HELD_OUT), "tmrw", "the the the"]


def test_scoring_the_likeliest_intents_finds_what_scoring_every_intent_finds() -> None:
    # `guess` scores intents in order of an upper bound and stops when no other can win; `exhaustive`
    # scores all of them. They must agree to the last bit, with and without slots.
    classifier = trained_classifier()
    examples = bundled_training_data().examples
    texts = [e.text for e in examples] + [p.values[0] for p in HELD_OUT] + LOOSE_BOUNDS
    messages = [(e.text, sorted({span.entity for span in e.entities})) for e in examples]
    messages += [(text, slots) for text in texts for slots in ([], ["time"], ["service", "time"])]

    disagreements = [(text, slots, classifier.guess(text, slots=slots),
                      classifier.guess(text, slots=slots, exhaustive=True)) for text, slots in messages
                     if classifier.guess(text, slots=slots) != classifier.guess(text, slots=slots, exhaustive=True)]

    assert disagreements == []
    assert len(messages) > 3000


def test_a_one_word_message_gets_the_same_guess_when_kept_as_when_scored() -> None:
    # One-word messages keep their guess per word and slots; a fresh classifier scores each the first time, the
    # trained one (warmed by the first pass) answers from what it kept: both must be what scoring every intent finds.
    fresh = IntentClassifier(bundled_training_data().examples)
    kept = trained_classifier()
    vocabulary = sorted(fresh._known_words) + ["qwxz", "detailng", "👍", "?", "please"]
    slot_sets = ([], ["time"], ["service"], ["service", "time"], ["time", "service", "time"])
    messages = [(word, slots) for word in vocabulary for slots in slot_sets]
    for word, slots in messages:
        kept.guess(word, slots=slots)

    disagreements = [(word, slots) for word, slots in messages
                     if not fresh.guess(word, slots=slots) == kept.guess(word, slots=slots)
                     == kept.guess(word, slots=slots, exhaustive=True)]

    assert disagreements == []
    assert len(messages) > 3500


@pytest.mark.parametrize(("text", "folded"), [
    ("Yesss!!", ["yes"]),
    ("OKK 👍🏼", ["ok", "👍"]),
    ("👍👍", ["👍", "👍"]),
    ("ok?? thx", ["ok", "?", "?", "thx"]),
    ("¿Cuándo?", ["?", "cuando", "?"]),
    ("can't make it", ["cant", "make", "it"]),
    ("can’t", ["cant"]),
    ("Mañana", ["manana"]),
    ("3pm works, the 2nd", ["works", "the"]),
])
def test_words_as_the_classifier_sees_them(text: str, folded: list[str]) -> None:
    assert words(text) == folded


GOOD_YAML = """\
version: "3.1"
nlu:
- intent: book
  metadata:
    language: en
  examples: |
    - [tmrw aft](time), [full detail](service)

    - [ful detial]{"entity": "service", "value": "Full Detail", "role": "main"} on [sat]{"entity": "time"}
- intent: affirm
  examples: |
    - sí
- synonym: Full Detail
  examples: |
    - full
    - detallado completo
- lookup: service
  examples: |
    - express wash
- regex: zip
  examples: |
    - \\d{5}
"""


def test_loader_reads_intents_entities_synonyms_lookups_and_regexes() -> None:
    data = training_data(GOOD_YAML)

    assert data.examples == (
        Example("tmrw aft, full detail", "book", (EntitySpan(0, 8, "time", "tmrw aft"),
                                                  EntitySpan(10, 21, "service", "full detail"))),
        Example("ful detial on sat", "book", (EntitySpan(0, 10, "service", "Full Detail"),
                                              EntitySpan(14, 17, "time", "sat"))),
        Example("sí", "affirm"),
    )
    assert data.intents() == ("book", "affirm")
    assert data.synonyms == {"Full Detail": ("full", "detallado completo")}
    assert data.lookups == {"service": ("express wash",)}
    assert data.regexes == {"zip": ("\\d{5}",)}


def _doc(examples: str, head: str = 'version: "3.1"\nnlu:\n- intent: book\n  examples: |\n') -> str:
    return head + "".join(f"    {line}\n" for line in examples.splitlines())


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("nlu: [", r"nlu\.yml: not valid YAML", id="not-yaml"),
    pytest.param("- intent: book", r"expected a mapping", id="top-level-list"),
    pytest.param('version: "2.0"\nnlu: []', r"nlu\.yml:1: version '2\.0'", id="old-version"),
    pytest.param('version: "3.1"\nstories: []\nnlu: []', r"nlu\.yml:2: unsupported top-level key 'stories'",
                 id="unsupported-section"),
    pytest.param('version: "3.1"', r"no 'nlu' section", id="no-nlu"),
    pytest.param('nlu:\n- examples: |\n    - hi', r"nlu\.yml:2: an nlu item needs exactly one of",
                 id="no-intent-key"),
    pytest.param('nlu:\n- intent: book', r"nlu\.yml:2 \(intent 'book'\): no 'examples'", id="no-examples"),
    pytest.param('nlu:\n- intent: book\n  example: |\n    - hi', r"\(intent 'book'\): unsupported key 'example'",
                 id="misspelt-key"),
    pytest.param('nlu:\n- intent: book\n  examples:\n  - hi', r"\(intent 'book'\): 'examples' must be a '\|' block",
                 id="examples-as-a-list"),
    pytest.param(_doc("- tmrw\nfull detail sat"), r"nlu\.yml:6 \(intent 'book'\): expected '- <example>'",
                 id="line-without-dash"),
    pytest.param(_doc("- tmrw\n- [full detail(service) sat"), r"nlu\.yml:6 \(intent 'book'\): unbalanced",
                 id="unclosed-bracket"),
    pytest.param(_doc("- full detail](service) sat"), r"nlu\.yml:5 \(intent 'book'\): unbalanced",
                 id="stray-bracket"),
    pytest.param(_doc('- [sat]{"entity": "time",}'), r"nlu\.yml:5 \(intent 'book'\): bad entity JSON",
                 id="bad-json"),
    pytest.param(_doc('- [sat]{"value": "Saturday"}'), r"needs an \"entity\" string", id="json-without-entity"),
    pytest.param(_doc("- [sat](two words)"), r"bad entity name 'two words'", id="bad-entity-name"),
    pytest.param(_doc("- yes") + "- intent: affirm\n  examples: |\n    - Yes\n",
                 r"nlu\.yml:8 \(intent 'affirm'\): duplicate example 'Yes', already under 'book'", id="duplicate"),
    pytest.param('nlu:\n- intent: ""\n  examples: |\n    - hi', r"empty intent name", id="empty-intent-name"),
    pytest.param('nlu:\n- intent: book\n  examples: |\n    -', r"expected '- <example>', got '-'",
                 id="empty-example"),
])
def test_loader_names_the_line_and_intent_of_a_malformed_file(text: str, message: str) -> None:
    with pytest.raises(TrainingDataError, match=message):
        training_data(text, source="nlu.yml")


def test_bundled_training_data_covers_every_intent_in_both_languages() -> None:
    data = bundled_training_data()
    counts = {intent: sum(e.intent == intent for e in data.examples) for intent in data.intents()}

    assert set(counts) == {i.value for i in Intent}
    assert min(counts.values()) >= 35
    assert {span.entity for e in data.examples for span in e.entities} == {"time", "service"}
    assert all(e.text[s.start:s.end] == s.value for e in data.examples for s in e.entities
               if s.value not in SERVICES)
    spanish_words = {"gracias", "cita", "quiero", "hola", "hablar", "cuanto"}
    spanish = [e for e in data.examples if spanish_words & set(words(e.text))]
    assert len(spanish) >= 60
