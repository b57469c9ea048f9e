"""Cleaning and tokenising SMS text."""

import re
import unicodedata

MAX_CHARS = 1600  # Twilio's longest message; anything beyond is not a customer's text
_TOKEN = re.compile(r"\d{1,2}:\d{2}(?:am|pm|a|p)?|\d{1,2}/\d{1,2}(?:/\d{2,4})?|[a-z0-9]+(?:'[a-z]+)?|[#?]",
                    re.IGNORECASE)


def cleaned(text: str) -> str:
    """The text without control characters, with spaces folded, at most MAX_CHARS long."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text[:MAX_CHARS])
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Lower-case word, number, time and date tokens; "2:30pm" and "3/14" stay whole."""
    return [t.lower() for t in _TOKEN.findall(text)]


def has_letters_or_digits(text: str) -> bool:
    return any(ch.isalnum() for ch in text)
