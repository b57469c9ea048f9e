"""Which offered option a reply picks: "2", "#2", "second", "the 2:30 one", "the later one"."""

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
             "fifth": 5, "5th": 5}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3}  # only as the whole reply: "the 2:30 one" is not 1
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?$")


def choice_in(tokens: list[str], offered: Sequence[datetime], tz: ZoneInfo) -> int | None:
    """The 1-based index of the offered option the reply picks, or None."""
    if not offered:
        return None
    count = len(offered)
    short = len(tokens) <= 4
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else ""
        if tok.isdigit() and 1 <= int(tok) <= count and (short or prev in ("#", "option", "number", "no")):
            # The bot numbers its offers and asks for 1, 2 or 3, so a bare number is an index
            # even when an offer starts at that hour; "2pm" is a time.
            if (tokens[i + 1] if i + 1 < len(tokens) else "") not in ("pm", "am", "oclock"):
                return int(tok)
        if tok in _ORDINALS and _ORDINALS[tok] <= count and (short or tokens[i + 1:i + 2] in (["one"], ["option"])):
            return _ORDINALS[tok]
    if len(tokens) == 1 and _NUMBER_WORDS.get(tokens[0], count + 1) <= count:
        return _NUMBER_WORDS[tokens[0]]
    if {"later", "last", "latest"} & set(tokens):
        return count
    if {"earlier", "earliest", "sooner", "soonest"} & set(tokens):
        return 1
    for i, tok in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        index = _matches_time(tok, following, offered, tz)
        if index:
            return index
    return None


def _matches_time(tok: str, following: str, offered: Sequence[datetime], tz: ZoneInfo) -> int | None:
    """The option whose local start time the token names ("2:30", "2pm", "14:30"), if exactly one."""
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
    return hits[0] if len(hits) == 1 else None
