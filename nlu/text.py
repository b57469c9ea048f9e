"""Cleaning and tokenising SMS text.

Tokens are lower-case and accent-folded ("Mañana" -> "manana", "sábado" -> "sabado") so that every
word list in `nlu` is plain ASCII and customers who type without accents match the same rules.
"""

import re
import unicodedata

MAX_CHARS = 1600  # Twilio's longest message; anything beyond is not a customer's text

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]")
_TOKEN = re.compile(r"\d{1,2}:\d{2}(?:am|pm|a|p)?|\d{1,2}/\d{1,2}(?:/\d{2,4})?|[^\W_]+(?:'[^\W_]+)?|[#?]")

# Spellings rewritten before tokenising, so the grammar sees one form of each. All but the last need a
# digit, so a text without one (most texts) skips them.
_DIGIT = re.compile(r"\d")
_DIGIT_REWRITES = (
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), r"\2/\3/\1"),            # 2026-03-14 -> 3/14/2026
    (re.compile(r"(\d)\s*([ap])\.\s?m\b\.?"), r"\1\2m"),                       # 3 p.m. -> 3pm
    (re.compile(r"\b(\d{1,2})\.(\d{2})\s?([ap]m)\b"), r"\1:\2\3"),             # 2.30pm -> 2:30pm
    (re.compile(r"(\d)\s*[-\u2013\u2014]\s*ish\b"), r"\1ish"),                 # 3-ish -> 3ish
    (re.compile(r"(\d(?:\s?[ap]m)?)\s*[-\u2013\u2014]\s*(?=\d)"), r"\1 to "),  # 2-4pm -> 2 to 4pm
    (re.compile(r"(?<!\w)@\s*(?=\d)"), "at "),                                  # @3 -> at 3
)
_AMPERSAND = re.compile(r"\s&\s")


def cleaned(text: str) -> str:
    """The text without control characters, with spaces folded, at most MAX_CHARS long."""
    text = text[:MAX_CHARS].translate(_APOSTROPHES)
    if not text.isprintable():  # newlines, tabs, NULs, format and surrogate characters become spaces
        text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())


def folded(text: str) -> str:
    """Lower case without accents: "Miércoles" -> "miercoles", "ñ" -> "n"."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


def tokens(text: str) -> list[str]:
    """Folded word, number, time and date tokens; "2:30pm" and "3/14" stay whole, "2-4" reads "2 to 4"."""
    text = folded(text)
    if _DIGIT.search(text):
        for pattern, replacement in _DIGIT_REWRITES:
            text = pattern.sub(replacement, text)
    if "&" in text:
        text = _AMPERSAND.sub(" and ", text)
    return _TOKEN.findall(text)


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def has_letters_or_digits(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
