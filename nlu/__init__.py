"""Text in, meaning out: `parse` turns one customer message into a `Parse`.

Pure: no database, network or clock; `now` and `tz` come from the caller.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from nlu.choice import choice_in
from nlu.intent import classify
from nlu.person import email_in, introduces_name, name_in
from nlu.service import matched_service
from nlu.text import cleaned, has_letters_or_digits, tokens
from nlu.types import Intent, Parse, TimeWindow
from nlu.when import when

__all__ = ["Intent", "Parse", "TimeWindow", "parse", "name_in"]


def parse(text: str, *, now: datetime, tz: str, services: Sequence[str] = (), offered: Sequence[datetime] = (),
          aliases: Mapping[str, Sequence[str]] | None = None,
          day_parts: Mapping[str, tuple[time, time]] | None = None,
          horizon: timedelta = timedelta(days=60)) -> Parse:
    """The meaning of `text`, resolved in zone `tz` against `now`; never raises on any text."""
    zone = ZoneInfo(tz)
    text = cleaned(text)
    if not has_letters_or_digits(text) and text.strip() != "?":
        return Parse(Intent.UNKNOWN)
    words = tokens(text)
    found = when(words, now=now, tz=zone, day_parts=dict(day_parts) if day_parts else None, horizon=horizon)
    service = matched_service(words, services, aliases)
    choice = choice_in(words, offered, zone)
    if choice is not None and found.days_named and found.windows:
        # "friday at 3" while Wednesday's 3:00 is on offer asks for Friday, not for option 3.
        named_dates = {w.start.date() for w in found.windows}
        if offered[choice - 1].astimezone(zone).date() not in named_dates:
            choice = None
    intent, confidence = classify(text, words, has_time=bool(found.windows) or found.past,
                                  has_service=service is not None, has_choice=choice is not None)
    return Parse(
        intent=intent,
        confidence=confidence,
        windows=found.windows,
        service=service,
        choice=choice,
        name=name_in(text) if introduces_name(text) else None,
        email=email_in(text),
        asap=found.asap,
        past=found.past,
    )
