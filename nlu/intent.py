"""The intent of a message: carrier keywords by rule, then the trained classifier weighed against what the
message structurally contains (an offered option picked, a time, a service).

Carrier rules come first: a message that is exactly STOP, CANCEL, END, QUIT, UNSUBSCRIBE, STOPALL,
REVOKE or OPTOUT is an opt-out everywhere (Twilio and US carriers act on it), so cancelling an
appointment needs more words ("cancel my appointment"). START and UNSTOP opt back in; HELP, INFO (and
our own MENU, OPTIONS, COMMANDS, "?") ask for help. These are the only answers with confidence 1.0.

Then the classifier (nlu/classifier.py, trained on nlu/data/nlu.yml) guesses, and the guess is combined
with the structural signals in this order:
1. A pick of an offered option ("2", "the 2:30 one") is CHOOSE, unless the classifier is sure the
   message cancels, asks for a person, opts out or in ("cancel the 2:30 one") or asks what else is
   free ("do you have anything later?", where "later" would pick the last offer).
2. Intents that keep their meaning when a time or service is named: "can I move it to friday" is
   RESCHEDULE, "cancel my friday appt" CANCEL, "how much for interior?" INFO, "can someone call me
   at 5" HUMAN, and "thanks, see you saturday" THANKS (only when clearly a thank-you: "tmrw at 3 pls
   ty" asks for a time). Opting out or in never names a time, so those do not take part.
3. A time or a service with no such intent is a request: BOOK or AVAILABILITY as the classifier
   clearly leans ("can I get a full detail thursday?" books, "do you have anything tmrw" asks);
   without a clear lean, a time alone asked about is AVAILABILITY ("sat morning?") and anything else
   BOOK ("tmrw aft, full detail", "interior detail wed at 1?"). A day part inside a greeting ("good
   morning") is not a time asked for.
4. Otherwise the classifier's guess stands when it is confident enough (an opt-out needs more, as it
   silences the customer); a weak one that still names a booking ("'; DROP TABLE booking") is a weak
   BOOK, anything else UNKNOWN, so that gibberish gets a re-ask rather than a wild guess.
"""

import re

from nlu.classifier import Guess, trained_classifier, words
from nlu.text import unmarked
from nlu.types import Intent

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info", "menu", "options", "commands", "?"})

WAITLIST_CONFIDENCE = 0.9
_INTENTS = {intent.value: intent for intent in Intent}  # Intent(value), without the enum machinery's call
_WAITLIST = re.compile("|".join(f"(?:{p})" for p in (
    r"\bwait\s*-?\s*list\b|\bwaiting list\b|\blista de espera\b",
    r"\b(text|tell|let|notify|message|msg|ping|call|alert|contact)\s+me\b.*\b(earlier|sooner|opens?|opening"
    r"|frees?\s+up|comes?\s+up|cancel\w*)\b",
    r"\bif\s+(anything|something|a spot|a slot|a time|an opening)\s+(earlier\s+|sooner\s+)?"
    r"(opens|frees|comes up|becomes available)\b",
    r"\b(avisame|avisenme|me avisas|me avisan|escribeme|me escribes|mandame)\b.*\b(antes|se libera|se desocupa"
    r"|se abre|cancela\w*)\b",
)))  # one pattern of four alternatives: one pass over the text
PICK_CONFIDENCE = 0.9
OUTRANK_A_PICK = frozenset({Intent.CANCEL, Intent.HUMAN, Intent.OPTOUT, Intent.OPTIN, Intent.AVAILABILITY})
OUTRANK_CONFIDENCE = 0.5       # "2 pls" must stay a pick; "cancel the 2:30 one" scores 0.6 for cancel
KEEP_WITH_TIME = frozenset({Intent.RESCHEDULE, Intent.CANCEL, Intent.INFO, Intent.HUMAN, Intent.THANKS})
KEEP_WITH_TIME_CONFIDENCE = 0.35
# "tmrw at 3 pls ty" is a polite request (thanks 0.52); "thanks, see you friday" a thank-you (0.81).
KEEP_THANKS_WITH_TIME_CONFIDENCE = 0.6
REQUEST_CONFIDENCE = 0.8       # a time or service the classifier also reads as a request
PLAIN_REQUEST_CONFIDENCE = 0.6  # a time or service alone ("sat 10am"), the classifier elsewhere
WEAK_BOOK_CONFIDENCE = 0.3
OPTOUT_CONFIDENCE = 0.5        # a guessed opt-out silences the customer: "baja el precio?" scored 0.45
LEAN_CONFIDENCE = 0.45         # "in 3 days" leans availability at 0.37 ("what days do you have"): too weak
BOOKING_WORDS = frozenset({"book", "booking", "appointment", "appt", "reserve", "reservation", "cita", "reserva",
                           "reservar", "agendar"})
# "can I book for monday" asks to book, so "can" and "could" do not open a question here; "?" still does.
# Compared with nlu.classifier.words (accent-folded, so "cuándo" is "cuando"); none has a doubled letter.
QUESTION_OPENERS = frozenset({"any", "anything", "do", "does", "are", "r", "is", "when", "what", "whats", "got",
                              "hay", "tienes", "tienen", "tiene", "cuando"})
# Matched against nlu.classifier.words, which squeezes repeated letters: "good" is "god", "hello" "helo".
_DAY_PART_GREETING = re.compile(r"^(?:(?:hi|hey|helo|hola|oh)\s+)?(?:(?:very\s+)?(?:god|gd)\s+"
                                r"(?:mornin|morning|afternon|evening|night)|(?:muy\s+)?(?:buenos dias|buen dia"
                                r"|buenas tardes|buenas noches))\b")


def classify(text: str, tokens: list[str], *, has_time: bool, has_service: bool,
             has_choice: bool) -> tuple[Intent, float]:
    """The intent and a confidence in [0, 1]."""
    carrier = carrier_intent(text, tokens)
    if carrier is not None:
        return carrier, 1.0
    if is_waitlist_request(text):
        return Intent.WAITLIST, WAITLIST_CONFIDENCE
    slots = (["service", "time"] if has_time else ["service"]) if has_service else ["time"] if has_time else []
    folded = words(text)
    guess = trained_classifier().guess(text, slots=slots, folded=folded)
    intent, confidence = _INTENTS[guess.intent], guess.confidence
    if has_choice:
        if intent in OUTRANK_A_PICK and confidence >= OUTRANK_CONFIDENCE:
            return intent, confidence
        return Intent.CHOOSE, PICK_CONFIDENCE
    if has_time and intent is Intent.GREET and _DAY_PART_GREETING.match(" ".join(folded)):
        has_time = False  # "good morning" greets; it does not ask for this morning
    if has_time or has_service:
        needed = KEEP_THANKS_WITH_TIME_CONFIDENCE if intent is Intent.THANKS else KEEP_WITH_TIME_CONFIDENCE
        if intent in KEEP_WITH_TIME and confidence >= needed:
            return intent, confidence
        request_confidence = REQUEST_CONFIDENCE if intent in (Intent.BOOK, Intent.AVAILABILITY) else \
            PLAIN_REQUEST_CONFIDENCE
        return _book_or_availability(folded, guess, has_service=has_service), request_confidence
    if intent is Intent.OPTOUT and confidence < OPTOUT_CONFIDENCE:
        return Intent.UNKNOWN, 0.0
    if intent is not Intent.UNKNOWN:
        return intent, confidence
    if BOOKING_WORDS.intersection(tokens):
        return Intent.BOOK, WEAK_BOOK_CONFIDENCE
    return Intent.UNKNOWN, confidence


def is_waitlist_request(text: str) -> bool:
    """"text me if anything earlier opens", "put me on the waitlist", "avísame si se libera algo antes".

    A rule, not the classifier: it needs both halves (tell me + earlier/opens), so "anything earlier?"
    while picking stays a question about other times (AVAILABILITY).
    """
    folded = text.lower()
    if not folded.isascii():
        folded = unmarked(folded)
    # Each half of each pattern needs one of these words; most texts have none, and skip the search.
    if not ("wait" in folded or "lista de espera" in folded
            or ("me" in folded or "if" in folded)
            and ("open" in folded or "free" in folded or "come" in folded or "earlier" in folded or "sooner" in folded
                 or "cancel" in folded)
            or ("avis" in folded or "escrib" in folded or "mandame" in folded)
            and ("antes" in folded or "se libera" in folded or "se desocupa" in folded or "se abre" in folded
                 or "cancela" in folded)):
        return False
    return _WAITLIST.search(folded) is not None


def carrier_intent(text: str, tokens: list[str]) -> Intent | None:
    """OPTOUT, OPTIN or HELP when the whole message is one carrier keyword, else None."""
    if text.strip() == "?":
        return Intent.HELP
    if len(tokens) != 1:
        return None
    word = tokens[0]
    if word in OPT_OUT_WORDS:
        return Intent.OPTOUT
    if word in OPT_IN_WORDS:
        return Intent.OPTIN
    if word in HELP_WORDS:
        return Intent.HELP
    return None


def _book_or_availability(folded: list[str], guess: Guess, *, has_service: bool) -> Intent:
    """AVAILABILITY for a question about open times, BOOK for a request: both start the same flow.

    The classifier's lean decides ("can I get a full detail thursday?" asks to book); without a clear
    one, a bare time asked about is about availability ("sat morning?"), while a service and a time
    are a request even with a question mark ("interior detail wed at 1?"), as is a statement ("after 5").
    """
    if guess.intent in (Intent.BOOK, Intent.AVAILABILITY) and guess.confidence >= LEAN_CONFIDENCE:
        return _INTENTS[guess.intent]
    is_question = bool(folded) and (folded[-1] == "?" or folded[0] in QUESTION_OPENERS)
    return Intent.AVAILABILITY if is_question and not has_service else Intent.BOOK
