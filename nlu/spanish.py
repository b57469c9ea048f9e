"""Spanish time expressions rewritten into the English words nlu/when.py's grammar reads.

One grammar with a Spanish front end, rather than two grammars: "el sábado por la mañana" becomes
"saturday morning", "entre las 2 y las 4" becomes "between 2 and 4", "pasado mañana" becomes
"overmorrow", "el próximo viernes" becomes "following friday", and the time policy (nlu/when.py) then
applies unchanged. Tokens arrive accent-folded (nlu/text.py), so "mañana" is "manana" here and accents
are optional for the customer.

"mañana" alone is tomorrow; after "la" ("por la mañana", "en la mañana", "esta mañana") it is the
morning. After a clock time ("a las 9 de la noche") a day part says how to read the time: 21:00.
"el próximo viernes" and "el viernes que viene" are the first Friday after today (said on a Tuesday,
this week's; said on a Friday, next week's), unlike the English "next friday", which the policy places
in the next calendar week: that is how they are used.
"""

WEEKDAYS = {
    "lunes": "monday", "lun": "monday", "martes": "tuesday", "miercoles": "wednesday", "mie": "wednesday",
    "jueves": "thursday", "jue": "thursday", "viernes": "friday", "vie": "friday", "sabado": "saturday",
    "sabados": "saturday", "sab": "saturday", "domingo": "sunday", "domingos": "sunday", "dom": "sunday",
}
MONTHS = {
    "enero": "january", "ene": "january", "febrero": "february", "marzo": "march", "abril": "april",
    "abr": "april", "mayo": "may", "junio": "june", "julio": "july", "agosto": "august", "ago": "august",
    "septiembre": "september", "setiembre": "september", "octubre": "october", "noviembre": "november",
    "diciembre": "december", "dic": "december",
}
NUMBERS = {"una": 1, "uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7,
           "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12}

# Whole phrases, longest first wins at each position. Values are the English tokens they stand for.
_PHRASES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("lo", "antes", "posible"): ("asap",),
    ("lo", "mas", "pronto", "posible"): ("asap",),
    ("lo", "mas", "pronto"): ("asap",),
    ("cuanto", "antes"): ("asap",),
    ("primer", "hueco"): ("asap",),
    ("pasado", "manana"): ("overmorrow",),
    ("a", "primera", "hora"): ("first", "thing"),
    ("la", "proxima", "semana"): ("next", "week"),
    ("la", "semana", "que", "viene"): ("next", "week"),
    ("la", "semana", "proxima"): ("next", "week"),
    ("proxima", "semana"): ("next", "week"),
    ("semana", "que", "viene"): ("next", "week"),
    ("esta", "semana"): ("this", "week"),
    ("la", "semana", "pasada"): ("last", "week"),
    ("semana", "pasada"): ("last", "week"),
    ("el", "proximo", "fin", "de", "semana"): ("next", "weekend"),
    ("proximo", "fin", "de", "semana"): ("next", "weekend"),
    ("el", "fin", "de", "semana", "que", "viene"): ("next", "weekend"),
    ("fin", "de", "semana", "que", "viene"): ("next", "weekend"),
    ("el", "fin", "de", "semana", "pasado"): ("last", "weekend"),
    ("este", "fin", "de", "semana"): ("this", "weekend"),
    ("el", "fin", "de", "semana"): ("this", "weekend"),
    ("fin", "de", "semana"): ("this", "weekend"),
    ("finde",): ("this", "weekend"),
    ("esta", "noche"): ("tonight",),
    ("esta", "manana"): ("this", "morning"),
    ("esta", "tarde"): ("this", "afternoon"),
    ("hoy",): ("today",),
    ("ayer",): ("yesterday",),
    ("anteayer",): ("yesterday",),
    ("mediodia",): ("noon",),
    ("despues", "de", "las"): ("after",),
    ("despues", "de", "la"): ("after",),
    ("despues", "del"): ("after",),
    ("a", "partir", "de", "las"): ("after",),
    ("a", "partir", "de", "la"): ("after",),
    ("antes", "de", "las"): ("before",),
    ("antes", "de", "la"): ("before",),
    ("antes", "del"): ("before",),
    ("entre", "las"): ("between",),
    ("entre", "la"): ("between",),
    ("hasta", "las"): ("until",),
    ("hasta", "la"): ("until",),
    ("desde", "las"): ("from",),
    ("desde", "la"): ("from",),
    ("sobre", "las"): ("around",),
    ("sobre", "la"): ("around",),
    ("alrededor", "de", "las"): ("around",),
    ("a", "eso", "de", "las"): ("around",),
    ("como", "a", "las"): ("around",),
    ("mas", "o", "menos", "a", "las"): ("around",),
    ("en", "punto"): ("oclock",),
}
_LONGEST_PHRASE = max(len(p) for p in _PHRASES)
_PHRASE_HEADS = frozenset(p[0] for p in _PHRASES)
_DAY_PART_WORDS = {"manana": "morning", "mananas": "morning", "tarde": "afternoon", "tardes": "afternoon",
                   "noche": "evening", "noches": "evening"}
_THE = frozenset({"la", "las"})  # "por la tarde", "en las mañanas", "de la noche"
_ENGLISH_MONTHS = frozenset(MONTHS.values())
_DAY_AHEAD = frozenset({"today", "tomorrow", "overmorrow", "monday", "tuesday", "wednesday", "thursday", "friday",
                        "saturday", "sunday"})


def english_tokens(tokens: list[str]) -> list[str]:
    """The tokens with Spanish time expressions replaced by the English the grammar reads."""
    if _SPANISH_TRIGGERS.isdisjoint(tokens):
        return tokens  # most texts: nothing to do
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok not in _READ:  # no rule below reads it: as it is
            out.append(tok)
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < n else ""
        before = tokens[i - 1] if i else ""
        phrase = _phrase_at(tokens, i) if tok in _PHRASE_HEADS else None
        if phrase is not None:
            words, i = phrase
            out.extend(words)
            continue
        if tok in ("a", "al") and nxt in ("las", "la", "mediodia"):  # "a las 3", "a la una", "al mediodía"
            out.append("to" if _after_from(out) else "at")
            i += 1 if nxt == "mediodia" else 2
            continue
        if tok in ("de", "y") and nxt in ("las", "la") and _is_hour(tokens, i + 2):
            # "de las 2 a las 4" is a range; in "entre las 2 y las 4" the "y" is the range's "and"
            out.append("from" if tok == "de" else "and")
            i += 2
            continue
        if tok == "de" and _is_hour(tokens, i + 1) and "a" in tokens[i + 2:i + 4]:  # "de 2 a 4"
            out.append("from")
        elif tok == "a" and _after_from(out) and _is_hour(tokens, i + 1):
            out.append("to")
        elif tok in NUMBERS and before in ("las", "la", "de", "a", "y", "en"):
            out.append(str(NUMBERS[tok]))  # "a las dos", "en dos semanas"; not the English "at once"
        elif tok == "y" and nxt in ("media", "cuarto") and out and out[-1].isdecimal():  # "a las 3 y media"
            out[-1] = f"{out[-1]}:{30 if nxt == 'media' else 15}"
            i += 1
        elif tok in _DAY_PART_WORDS and (before in _THE or out[-1:] and out[-1] in _DAY_AHEAD):
            out.append(_DAY_PART_WORDS[tok])  # "por la tarde", "a las 9 de la noche", "mañana tarde"
        elif tok == "manana":
            out.append("tomorrow")
        elif tok in WEEKDAYS:
            if nxt == "pasado":  # "el viernes pasado"
                out.extend(("last", WEEKDAYS[tok]))
                i += 1
            elif tokens[i + 1:i + 3] == ["que", "viene"]:  # "el viernes que viene"
                out.extend(("following", WEEKDAYS[tok]))
                i += 2
            else:
                out.append(WEEKDAYS[tok])
        elif tok in ("proximo", "proxima") and nxt in WEEKDAYS:
            out.append("following")  # "el próximo viernes": the first Friday after today
        elif tok == "este" and nxt in WEEKDAYS:
            pass  # "este viernes" is the bare weekday
        elif tok == "el" and nxt == "dia" and i + 2 < n and _is_day_of_month(tokens[i + 2]):
            if tokens[i + 3:i + 4] != ["de"]:  # "el día 14"
                out.extend(("the", f"{int(tokens[i + 2])}th"))
                i += 2
            else:
                i += 1  # "el día 14 de marzo": the date follows
        elif tok == "el" and _is_day_of_month(nxt) and tokens[i + 2:i + 3] != ["de"]:
            out.extend(("the", f"{int(nxt)}th"))  # "el 14"
            i += 1
        elif tok == "de" and (nxt in MONTHS and out[-1:] and out[-1].isdecimal()
                              or len(nxt) == 4 and nxt.isdecimal() and out[-1:] and out[-1] in _ENGLISH_MONTHS):
            pass  # "14 de marzo de 2027" reads "14 march 2027"
        elif tok in MONTHS:
            out.append(MONTHS[tok])
        elif tok in ("dia", "dias"):
            out.append("days")
        elif tok in ("semana", "semanas"):
            out.append("weeks")
        elif tok == "en" and (nxt.isdecimal() or nxt in NUMBERS) and tokens[i + 2:i + 3] in (["dias"], ["dia"],
                                                                                           ["semana"], ["semanas"]):
            out.append("in")
        elif tok == "dentro" and nxt == "de":
            out.append("in")
            i += 1
        elif tok == "o":
            out.append("or")
        elif tok == "y":
            out.append("and")
        else:
            out.append(tok)
        i += 1
    return out


_SPANISH_TRIGGERS = frozenset(
    {w for phrase in _PHRASES for w in phrase} | set(WEEKDAYS) | set(MONTHS) | set(_DAY_PART_WORDS)
    | {"a", "al", "de", "el", "en", "dentro", "dia", "dias", "semana", "semanas", "las", "la"}
)


# Every word a rule in english_tokens starts with (the others are kept as they are).
_READ = frozenset(
    _PHRASE_HEADS | set(NUMBERS) | set(_DAY_PART_WORDS) | set(WEEKDAYS) | set(MONTHS)
    | {"a", "al", "de", "y", "o", "el", "en", "dentro", "este", "proximo", "proxima", "manana", "dia", "dias", "semana",
       "semanas"}
)


def _phrase_at(tokens: list[str], i: int) -> tuple[tuple[str, ...], int] | None:
    for width in range(min(_LONGEST_PHRASE, len(tokens) - i), 0, -1):
        words = _PHRASES.get(tuple(tokens[i:i + width]))
        if words is not None:
            return words, i + width
    return None


def _is_hour(tokens: list[str], i: int) -> bool:
    tok = tokens[i] if i < len(tokens) else ""
    return tok in NUMBERS or _ends_in_clock(tok)


def _ends_in_clock(tok: str) -> bool:
    return bool(tok) and tok[0].isdecimal() and (tok.isdecimal() or ":" in tok) and len(tok) <= 5


def _is_day_of_month(tok: str) -> bool:
    return tok.isdecimal() and 1 <= int(tok) <= 31


def _after_from(out: list[str]) -> bool:
    """Whether the last words were "from <time>", so that "a" is "to": "de 2 a 4", "desde las 2 a las 4"."""
    return len(out) >= 2 and out[-2] == "from" and _ends_in_clock(out[-1])
