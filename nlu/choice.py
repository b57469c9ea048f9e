"""Which offered option a reply picks: "2", "#2", "second", "the 2:30 one", "the later one", "friday's",
"la primera", "el de las 2:30"."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from nlu.types import TimeWindow
from nlu.when import weekday_in

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5, "primera": 1, "primero": 1, "primer": 1, "segunda": 2, "segundo": 2,
             "tercera": 3, "tercero": 3, "cuarta": 4, "quinta": 5}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "uno": 1, "una": 1, "dos": 2, "tres": 3}  # only as the whole reply
_OPTION_WORDS = ("one", "option", "opcion")
_INDEX_CUES = ("#", "option", "number", "no", "opcion", "numero")
_TIME_CUES = ("at", "las", "la", "around", "about", "@")  # "at 3", "el de las 3": a time, not option 3
# Words of a reply that asks for other times rather than taking one: "anything later?", "tuesday instead?"
_ASKS_FOR_MORE = frozenset({"?", "any", "anything", "else", "other", "another", "more", "instead", "available",
                            "availability", "free", "open", "besides", "algo", "otra", "otro", "alguna", "hay"})
_MAX_PICK_WORDS = 6  # "yes tuesday works for me thanks": longer texts say more than which option
_LATER = frozenset({"later", "last", "latest", "ultima", "ultimo"})
_EARLIER = frozenset({"earlier", "earliest", "sooner", "soonest"})
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?$")


@dataclass(frozen=True)
class Pick:
    index: int               # 1-based index into the offered options
    by: str                  # "number", "ordinal", "relative", "time", "weekday" or "window": what picked it
    token: int | None = None  # for "number": the token that is the option's number, not a time


def choice_in(tokens: list[str], offered: Sequence[datetime], tz: ZoneInfo) -> int | None:
    """The 1-based index of the offered option the reply picks, or None."""
    pick = pick_in(tokens, offered, tz)
    return pick.index if pick else None


def pick_in(tokens: list[str], offered: Sequence[datetime], tz: ZoneInfo,
            windows: Sequence[TimeWindow] = ()) -> Pick | None:
    """The offered option the reply picks and how it named it, or None.

    `windows` are the times the reply names (nlu.when): "tuesday", "the afternoon one" or "the 10am on
    monday" pick the one offer inside them, unless the reply asks for something else ("anything tuesday?").
    """
    if not offered:
        return None
    count = len(offered)
    short = len(tokens) <= 4
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if (tok.isdecimal() and 1 <= int(tok) <= count and prev not in _TIME_CUES
                and (short or prev in _INDEX_CUES) and following not in ("pm", "am", "oclock", "o'clock")):
            # The bot numbers its offers and asks for 1, 2 or 3, so a bare number is an index
            # even when an offer starts at that hour; "2pm" and "at 2" are times.
            return Pick(int(tok), "number", i)
        if tok in _NUMBER_WORDS and _NUMBER_WORDS[tok] <= count and prev in _INDEX_CUES:  # "option two"
            return Pick(_NUMBER_WORDS[tok], "number", i)
        if tok in _ORDINALS and _ORDINALS[tok] <= count and (short or following in _OPTION_WORDS):
            return Pick(_ORDINALS[tok], "ordinal")
    if len(tokens) == 1 and _NUMBER_WORDS.get(tokens[0], count + 1) <= count:
        return Pick(_NUMBER_WORDS[tokens[0]], "number", 0)
    words = set(tokens)
    asks_for_more = bool(words & _ASKS_FOR_MORE)
    if not asks_for_more and ("one" in words or len(tokens) <= 3):  # "the later one", not "anything later?"
        if words & _LATER or {"mas", "tarde"} <= words:
            return Pick(count, "relative")
        if words & _EARLIER or {"mas", "temprano"} <= words:
            return Pick(1, "relative")
    pointed, index = _on_weekday(tokens, offered, tz)
    if pointed:  # "the wednesday one" with two Wednesdays on offer picks neither
        return Pick(index, "weekday") if index is not None else None
    for i, tok in enumerate(tokens):
        if not tok[:1].isdecimal():  # a clock time starts with a digit (see _TIME)
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if (index := _matches_time(tok, following, offered, tz, windows)) is not None:
            return Pick(index, "time")
    if windows and not asks_for_more and len(tokens) <= _MAX_PICK_WORDS:
        inside = [n for n, start in enumerate(offered, 1) if any(_holds(w, start) for w in windows)]
        if len(inside) == 1:
            return Pick(inside[0], "window")
    return None


def _on_weekday(tokens: list[str], offered: Sequence[datetime], tz: ZoneInfo) -> tuple[bool, int | None]:
    """Whether the reply points at an option by weekday ("friday's", "the friday one", "the one on friday",
    "el del viernes"), and the only option on that weekday."""
    for i, tok in enumerate(tokens):
        weekday = weekday_in(tok)
        if weekday is None:
            continue
        before, after = tokens[max(0, i - 2):i], tokens[i + 1:i + 2]
        pointed = (tok.endswith("'s") or after in (["one"], ["option"]) or before[-2:] == ["one", "on"]
                   or before[-1:] == ["del"])
        if not pointed:
            continue
        hits = [n for n, start in enumerate(offered, 1) if start.astimezone(tz).weekday() == weekday]
        return True, hits[0] if len(hits) == 1 else None
    return False, None


def _matches_time(tok: str, following: str, offered: Sequence[datetime], tz: ZoneInfo,
                  windows: Sequence[TimeWindow] = ()) -> int | None:
    """The option whose local start time the token names ("2:30", "2pm", "14:30"), if exactly one (or
    exactly one inside the days the reply names: "the 10am on monday")."""
    m = _TIME.match(tok)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    meridiem = m.group(3) or (following if following in ("am", "pm") else "")
    hits = []
    for index, start in enumerate(offered, 1):
        local = start.astimezone(tz)
        hours = {local.hour} if meridiem or hour > 12 else {local.hour, local.hour % 12 or 12}
        wanted = hour + 12 if meridiem.startswith("p") and hour < 12 else hour
        if meridiem.startswith("a") and hour == 12:
            wanted = 0
        if (wanted if meridiem else hour) in hours and local.minute == minute:
            hits.append(index)
    if len(hits) > 1 and windows:
        named_days = {w.start.astimezone(tz).date() for w in windows}
        hits = [n for n in hits if offered[n - 1].astimezone(tz).date() in named_days]
    return hits[0] if len(hits) == 1 else None


def _holds(window: TimeWindow, start: datetime) -> bool:
    if window.is_precise:
        return window.start == start
    return window.start <= start < window.end
