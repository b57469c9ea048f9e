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
# The same tokens of lower-case ASCII text (most texts), found sooner: explicit ranges instead of Unicode classes,
# and a word starting with a letter (which no date or time does) tried first.
_ASCII_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:'[a-z0-9]+)?|\d{1,2}:\d{2}(?:am|pm|a|p)?|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
                          r"|[0-9][a-z0-9]*(?:'[a-z0-9]+)?|[#?]")

# Spellings rewritten before tokenising, so the grammar sees one form of each. All need a digit, so a text
# without one (most texts) skips them; and each needs a dash, a dot or an "@", which no rewrite adds, so a text
# without that character skips the rewrite.
_DIGIT = re.compile(r"\d")
_DASH = re.compile(r"[-\u2013\u2014]")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")                 # 2026-03-14 -> 3/14/2026
_DOTTED_MERIDIEM = re.compile(r"(\d)\s*([ap])\.\s?m\b\.?")               # 3 p.m. -> 3pm
_DOTTED_CLOCK = re.compile(r"\b(\d{1,2})\.(\d{2})\s?([ap]m)\b")          # 2.30pm -> 2:30pm
_DASH_ISH = re.compile(r"(\d)\s*[-\u2013\u2014]\s*ish\b")                # 3-ish -> 3ish
_DASH_RANGE = re.compile(r"(\d(?:\s?[ap]m)?)\s*[-\u2013\u2014]\s*(?=\d)")  # 2-4pm -> 2 to 4pm
_AT_SIGN = re.compile(r"(?<!\w)@\s*(?=\d)")                               # @3 -> at 3
_AMPERSAND = re.compile(r"\s&\s")


def cleaned(text: str) -> str:
    """The text without control characters, with spaces folded, at most MAX_CHARS long."""
    text = text[:MAX_CHARS]
    if not text.isascii() or "`" in text:  # (the other apostrophes are not ASCII)
        text = text.translate(_APOSTROPHES)
    if not text.isprintable():  # newlines, tabs, NULs, format and surrogate characters become spaces
        text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    return " ".join(text.split())


def folded(text: str) -> str:
    """Lower case without accents: "Miércoles" -> "miercoles", "ñ" -> "n"."""
    text = text.lower()
    if text.isascii():
        return text
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


def unmarked(text: str) -> str:
    """The text decomposed (NFKD) without its combining marks: "mañana" -> "manana"."""
    return unicodedata.normalize("NFKD", text).translate(_MARKS)


class _Marks(dict):
    """A str.translate table that drops combining marks, filled in as characters turn up."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        if len(self) < _MAX_MARKS:
            self[code] = kept
        return kept


_MARKS = _Marks()
_MAX_MARKS = 4096  # characters remembered: far more than SMS text uses


def tokens(text: str) -> list[str]:
    """Folded word, number, time and date tokens; "2:30pm" and "3/14" stay whole, "2-4" reads "2 to 4"."""
    text = folded(text)
    if _DIGIT.search(text):
        if "-" in text:
            text = _ISO_DATE.sub(r"\2/\3/\1", text)
        if "." in text:
            text = _DOTTED_MERIDIEM.sub(r"\1\2m", text)
            text = _DOTTED_CLOCK.sub(r"\1:\2\3", text)
        if _DASH.search(text):
            text = _DASH_ISH.sub(r"\1ish", text)
            text = _DASH_RANGE.sub(r"\1 to ", text)
        if "@" in text:
            text = _AT_SIGN.sub("at ", text)
    if "&" in text:
        text = _AMPERSAND.sub(" and ", text)
    return (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def has_letters_or_digits(text: str) -> bool:
    return _ALNUM.search(text) is not None


_ALNUM = re.compile(r"[^\W_]")  # str.isalnum, character by character: \w is that and "_"
