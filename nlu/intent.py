"""The intent of a message, from keyword rules (the trained classifier is a later step).

Carrier rules come first: a message that is exactly STOP, CANCEL, END, QUIT, UNSUBSCRIBE, STOPALL,
REVOKE or OPTOUT is an opt-out everywhere (Twilio and US carriers act on it), so cancelling an
appointment needs more words ("cancel my appointment").
"""

from nlu.types import Intent

OPT_OUT_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"})
OPT_IN_WORDS = frozenset({"start", "unstop"})
HELP_WORDS = frozenset({"help", "info", "menu", "options", "commands", "?"})

_AFFIRM = {"yes", "y", "yeah", "yea", "yep", "yup", "sure", "ok", "okay", "k", "confirm", "correct",
           "sounds good", "perfect", "great", "please do", "do it", "si", "👍"}
_DENY = {"no", "n", "nah", "nope", "neither", "none", "no thanks", "not really"}
_THANKS = {"thanks", "thank", "thx", "ty", "tysm", "cheers"}
_GREET = {"hi", "hello", "hey", "hiya", "yo", "howdy", "sup"}
_HUMAN = ("talk to someone", "speak to someone", "real person", "a human", "human", "call me", "agent",
          "the owner", "a person")
_INFO = ("how much", "price", "prices", "pricing", "cost", "costs", "what services", "what do you offer",
         "where are you", "how long")
_BOOK = {"book", "booking", "appointment", "appt", "schedule", "reserve", "slot", "available",
         "availability", "open", "free", "anything", "any"}


def classify(text: str, tokens: list[str], *, has_time: bool, has_service: bool,
             has_choice: bool) -> tuple[Intent, float]:
    """The intent and a confidence in [0, 1]."""
    words = " ".join(tokens)
    if len(tokens) == 1 and tokens[0] in OPT_OUT_WORDS:
        return Intent.OPTOUT, 1.0
    if len(tokens) == 1 and tokens[0] in OPT_IN_WORDS:
        return Intent.OPTIN, 1.0
    if len(tokens) == 1 and tokens[0] in HELP_WORDS or text.strip() == "?":
        return Intent.HELP, 1.0
    if "cancel" in tokens:
        return Intent.CANCEL, 0.9
    if {"reschedule", "move", "change", "push"} & set(tokens) and not has_choice:
        return Intent.RESCHEDULE, 0.85
    if any(_has_phrase(words, p) for p in _HUMAN):
        return Intent.HUMAN, 0.85
    if has_choice:
        return Intent.CHOOSE, 0.9
    if words in _AFFIRM or text.strip() in _AFFIRM:
        return Intent.AFFIRM, 0.95
    if words in _DENY:
        return Intent.DENY, 0.95
    if any(_has_phrase(words, p) for p in _INFO):
        return Intent.INFO, 0.8
    if has_time or has_service:
        question = text.rstrip().endswith("?") or bool({"any", "anything", "available", "availability"} & set(tokens))
        return (Intent.AVAILABILITY if question and not has_service else Intent.BOOK), 0.85
    if _BOOK & set(tokens):
        return Intent.BOOK, 0.7
    if set(tokens) & _THANKS:
        return Intent.THANKS, 0.9
    if tokens and tokens[0] in _GREET or words.startswith("good morning") or words.startswith("good afternoon"):
        return Intent.GREET, 0.8
    return Intent.UNKNOWN, 0.0


def _has_phrase(words: str, phrase: str) -> bool:
    return f" {phrase} " in f" {words} "
