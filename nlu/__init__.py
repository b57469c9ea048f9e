"""Text in, meaning out: `parse` turns one customer message into a `Parse`.

Pure: no database, network or clock; `now` and `tz` come from the caller.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from nlu.address import address_in, address_in_cleaned
from nlu.choice import pick_in
from nlu.intent import classify
from nlu.language import language_of
from nlu.person import email_in, introduces_name, name_in
from nlu.service import matched_service
from nlu.text import MAX_CHARS, cleaned, has_letters_or_digits, tokens
from nlu.types import Intent, Parse, TimeWindow, parse_of, public_intent
from nlu.when import HORIZON, when

__all__ = ["Intent", "Parse", "TimeWindow", "parse", "name_in"]

# "the 2nd", "friday's", "tuesday": the day named is the pick's own, not a request for another day.
_DAY_CARRYING_PICKS = frozenset({"ordinal", "weekday", "window"})

# ZoneInfo keeps only the last 8 zones it made alive unless something holds them; a business's zone is asked
# for on every message, and reading it again from the zone files takes far longer than the parse.
_zone = lru_cache(maxsize=256)(ZoneInfo)


def parse(text: str, *, now: datetime, tz: str, services: Sequence[str] = (), offered: Sequence[datetime] = (),
          aliases: Mapping[str, Sequence[str]] | None = None,
          day_parts: Mapping[str, tuple[time, time]] | None = None,
          horizon: timedelta = HORIZON) -> Parse:
    """The meaning of `text`, resolved in zone `tz` against `now`; never raises on any text."""
    zone = _zone(tz)
    raw = text[:MAX_CHARS]
    text = cleaned(raw)
    if not has_letters_or_digits(text) and text.strip() != "?":
        return Parse(Intent.UNKNOWN)
    words = tokens(text)
    # (a text of one line is the cleaned text's line: not cleaned again)
    address = address_in(raw) if "\n" in raw or "\r" in raw else address_in_cleaned(text)
    # The address's numbers are not times or picks: "I'm at 5 Oak St" does not ask for 17:00.
    timed = tokens(text.replace(address, " ")) if address else words
    found = when(timed, now=now, tz=zone, day_parts=day_parts, horizon=horizon)
    service = matched_service(words, services, aliases)
    pick = pick_in(timed, offered, zone, found.windows)
    if pick is not None and pick.token is not None and found.windows:
        # "2 works" picks option 2; the 2 is not also 14:00.
        found = when([*timed[:pick.token], *timed[pick.token + 1:]], now=now, tz=zone, day_parts=day_parts,
                     horizon=horizon)
    if pick is not None and pick.by not in _DAY_CARRYING_PICKS and found.days_named and found.windows:
        # "friday at 3" while Wednesday's 3:00 is on offer asks for Friday, not for option 3.
        named_dates = {w.start.date() for w in found.windows}
        if offered[pick.index - 1].astimezone(zone).date() not in named_dates:
            pick = None
    intent, confidence = classify(text, words, has_time=bool(found.windows) or found.past or found.too_far,
                                  has_service=service is not None, has_choice=pick is not None)
    intent, waitlist = public_intent(intent)
    return parse_of(
        intent,
        confidence,
        found.windows,
        service,
        pick.index if pick else None,
        name_in(text) if introduces_name(text) else None,
        email_in(text),
        address,
        found.asap,
        found.past,
        found.too_far,
        waitlist,
        language_of(text, words),
    )
