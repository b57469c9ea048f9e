"""Street addresses given in a text: "123 Oak St, Austin", "4500 W 6th St Austin TX 78703", "Calle Mayor 5".

An address is a house number, one to four street words and a street suffix (US style), or a Spanish
street word ("Calle", "Avenida", ...), the street's name and a number; then whatever follows on the
same line that reads as the rest of an address (unit, city, state, zip), up to a sentence end or a
word that starts the next thing said ("123 Oak St tomorrow at 3" is "123 Oak St"). "the 14th", "at 3"
and "2:30" have no street suffix, so they are never addresses.
"""

import re

from nlu.text import cleaned, has_digit

_SUFFIXES = ("Street|St|Avenue|Ave|Av|Road|Rd|Drive|Dr|Lane|Ln|Boulevard|Blvd|Court|Ct|Way|Place|Pl|Parkway|Pkwy|"
             "Highway|Hwy|Circle|Cir|Terrace|Ter|Trail|Trl|Square|Sq|Plaza|Plz|Freeway|Fwy|Expressway|Expy|Loop|"
             "Crescent|Cres|Alley|Cove|Cv|Row|Close|Pike")
# Words that cannot be part of a street's name: "at 3 on main st" is no address, "2 cars by the way" neither.
_NOT_STREET_WORDS = ("a|an|the|at|on|in|by|and|or|for|to|from|of|is|are|am|pm|i|im|i'm|you|we|my|your|it|its|it's|"
                     "but|no|not|more|one|any|car|cars|people|day|days|week|weeks|hour|hours|minutes|mins|hrs|"
                     "tomorrow|today|tonight|morning|afternoon|evening|please|pls|around|about|after|before|"
                     "between|this|next|that|there|other|another|same|only|just")
_US = re.compile(
    r"(?<![\w:/.$#,-])\d{1,6}[a-z]?\s+"                                          # house number: not 2:30, 3/14
    rf"(?:(?!(?:{_NOT_STREET_WORDS})\b)(?:[a-z][\w'.-]*|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,4}}?"  # street name
    rf"(?:{_SUFFIXES})\b\.?",
    re.IGNORECASE,
)
_SPANISH = re.compile(
    r"(?<![\w/])(?:calle|c/|avenida|avda\.?|av\.|paseo|plaza|pza\.?|camino|carretera|ctra\.?|ronda|traves[ií]a|"
    r"rambla|glorieta|callej[oó]n|carrera|diagonal)\s*"
    r"(?:[^\W\d_][\w'.-]*\s+){1,5}?,?\s*(?:n[º°o.]\s*|n[uú]mero\s+|#\s*)?\d{1,5}[a-z]?\b",
    re.IGNORECASE,
)
# What each kind of address cannot do without, searched for first: most texts with a digit are times and dates,
# and the full patterns cost several times more to rule out. (Non-ASCII text goes straight to the full pattern,
# whose case-insensitive matching knows more letters than str.lower.)
_HOUSE_NUMBER = re.compile(r"\d[a-z]?\s", re.IGNORECASE)
_SPANISH_STREET_WORD = re.compile(r"(?<![\w/])(?:calle|c/|av|paseo|plaza|pza|camino|carretera|ctra|ronda|traves|rambla"
                                  r"|glorieta|callej|carrera|diagonal)")
_TAIL_WORD = re.compile(r"\s*,?\s*([^\s,]+)")
# Words that end an address's tail: the customer has moved on to something else.
_TAIL_STOPS = frozenset(
    "and but at on for to from is are was be can could would will need want see please pls thanks thank thx "
    "tomorrow today tonight morning afternoon evening asap i i'm im we you my it it's its the a an this next "
    "if so then or also when what how mon monday tue tuesday wed wednesday thu thursday fri friday sat saturday "
    "sun sunday y a las el la por para de mañana manana hoy gracias".split()
)
_TIME_LIKE = re.compile(r"^\d{1,2}(?::\d{2})?(?:am|pm)$|:", re.IGNORECASE)
_MAX_TAIL_WORDS = 6
_LINE_BREAKS = re.compile(r"[\r\n]+")


def address_in(text: str) -> str | None:
    """The first street address in the text, with the unit, city, state and zip that follow it, or None."""
    if not has_digit(text):  # both kinds of address have a number
        return None
    for line in _LINE_BREAKS.split(text) if "\n" in text or "\r" in text else (text,):
        if (found := _address_on(cleaned(line))) is not None:
            return found
    return None


def address_in_cleaned(text: str) -> str | None:
    """`address_in` of a text that nlu.text.cleaned made already (one line, spaces folded)."""
    return _address_on(text) if has_digit(text) else None


def _address_on(line: str) -> str | None:
    match = (_HOUSE_NUMBER.search(line) and _US.search(line)
             or (not line.isascii() or _SPANISH_STREET_WORD.search(line.lower())) and _SPANISH.search(line))
    if match is None:
        return None
    return line[match.start():_tail_end(line, match.end())].rstrip(" ,;")


def _tail_end(line: str, start: int) -> int:
    """Where the address that ends its street part at `start` ends, with its unit, city, state and zip."""
    end = start
    if line[start:start + 1] in ("!", "?", ";", "."):
        return end
    for _ in range(_MAX_TAIL_WORDS):
        word = _TAIL_WORD.match(line, end)
        if word is None:
            break
        bare = word.group(1).rstrip(".!?;").lower()
        if not bare or bare in _TAIL_STOPS or "@" in bare or _TIME_LIKE.search(bare):
            break
        end = word.start(1) + len(word.group(1).rstrip(".!?;"))
        if word.group(1)[-1] in ".!?;":
            break  # "Austin." ends the sentence
    return end
