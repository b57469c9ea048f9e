"""Days, day parts and times in SMS text -> local time windows.

Policy (all relative to `now` in the business's zone):
- A bare weekday is its next occurrence, today included ("sat" on a Saturday is today).
- "this <weekday>" is the same as the bare weekday; "next <weekday>" is that weekday in the next
  calendar week (weeks start on Monday): said on Monday 9 March, "next tue" is 17 March, and said on
  Thursday 12 March, "next fri" is 20 March while "fri" is 13 March.
- A month and day without a year ("3/14", "Mar 14th") is this year's; when that fell within the last
  7 days it is reported as past (almost always a slip), older ones roll to next year. "the 14th"
  is this month's, or next month's once it has gone.
- A time without am/pm is read as business hours: 7-11 morning, 12 noon, 1-6 afternoon.
- A day part or time range given once applies to every day named: "fri or sat morning" gives two
  morning windows.
- With no day, a day part or time means today, or tomorrow once it has passed.
- "around noon" is an hour either side; "after 5" runs to the end of that day; "before noon" from
  the start of the day part or day.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from nlu.types import TimeWindow

DAY_PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
}
AROUND = timedelta(hours=1)
AROUND_MARK = "around"  # _time_of_day's end for "around <time>": the window is built from real elapsed time
LATE_SLIP = timedelta(days=7)

_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_PART_WORDS = {
    "morning": "morning", "mornin": "morning", "morn": "morning", "am": "morning",
    "afternoon": "afternoon", "aft": "afternoon", "arvo": "afternoon", "afternoons": "afternoon",
    "evening": "evening", "eve": "evening", "tonight": "evening", "night": "evening",
}
_TODAY = {"today", "tdy", "2day", "tonight"}
_TOMORROW = {"tomorrow", "tmrw", "tmr", "tmw", "tomorow", "tommorow", "tommorrow", "2morrow", "2moro", "tomoz"}
_ASAP = {"asap", "earliest", "soonest", "soon"}
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?$")


@dataclass(frozen=True)
class When:
    windows: tuple[TimeWindow, ...]
    asap: bool = False
    past: bool = False
    days_named: bool = False           # the text named a day, not only a time


def when(tokens: list[str], *, now: datetime, tz: ZoneInfo, day_parts: dict[str, tuple[time, time]] | None = None,
         horizon: timedelta = timedelta(days=60)) -> When:
    """The windows named in `tokens`, in the order given."""
    parts = day_parts or DAY_PARTS
    local_now = now.astimezone(tz)
    today = local_now.date()
    days, past = _days(tokens, today)
    named = bool(days)
    if any(t in _ASAP for t in tokens) and not days:
        return When((TimeWindow(local_now, local_now + horizon),), asap=True)
    span = _time_of_day(tokens, parts)
    if not days and (span is None or past):
        return When((), past=past)
    if not days:
        last_moment = span[0] if span[1] == AROUND_MARK else (span[1] or time(23, 59))
        days = [today if _local(today, last_moment, tz) > local_now else today + timedelta(days=1)]
    windows: list[TimeWindow] = []
    for day in days:
        if span is None:
            start, end = _local(day, time(0), tz), _local(day + timedelta(days=1), time(0), tz)
        elif span[1] == AROUND_MARK:  # an hour either side, across midnight if need be
            centre = _local(day, span[0], tz).astimezone(UTC)
            start, end = (centre - AROUND).astimezone(tz), (centre + AROUND).astimezone(tz)
        else:
            start = _local(day, span[0], tz)
            end = _local(day + timedelta(days=1), time(0), tz) if span[1] is None else _local(day, span[1], tz)
        if end < local_now or (start == end and start < local_now):
            past = True
            continue
        windows.append(TimeWindow(start, end))
    return When(tuple(windows), past=past and not windows, days_named=named)


def _days(tokens: list[str], today: date) -> tuple[list[date], bool]:
    """The local dates named, in order, and whether one of them had already gone."""
    days: list[date] = []
    past = False
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        found: date | None = None
        if tok in _TODAY:
            found = today
        elif tok in _TOMORROW:
            found = today + timedelta(days=1)
        elif tok == "yesterday":
            past = True
        elif tok in ("next", "this") and nxt in _WEEKDAYS:
            found = _weekday(today, _WEEKDAYS[nxt], next_week=tok == "next")
            i += 1
        elif tok == "last" and nxt in _WEEKDAYS:
            past = True
            i += 1
        elif tok in _WEEKDAYS and not (tok == "sun" and nxt in ("up", "down")):
            found = _weekday(today, _WEEKDAYS[tok], next_week=False)
        elif tok in _MONTHS and _ORDINAL.match(nxt):
            found, gone = _month_day(today, _MONTHS[tok], int(_ORDINAL.match(nxt).group(1)), None)
            past |= gone
            i += 1
        elif (m := _SLASH_DATE.match(tok)) is not None:
            year = int(m.group(3)) if m.group(3) else None
            if year is not None and year < 100:
                year += 2000
            found, gone = _month_day(today, int(m.group(1)), int(m.group(2)), year)
            past |= gone
        elif tok == "the" and (m := _ORDINAL.match(nxt)) and nxt[-2:] in ("st", "nd", "rd", "th"):
            found = _day_of_month(today, int(m.group(1)))
            i += 1
        if found is not None and found not in days:
            days.append(found)
        i += 1
    return days, past


def _time_of_day(tokens: list[str], parts: dict[str, tuple[time, time]]) -> tuple[time, time | None] | None:
    """The part of the day asked for: (start, end), end None for "to the end of the day"."""
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        after = tokens[i + 2] if i + 2 < len(tokens) else ""
        if tok == "between" and (a := _clock(nxt, after)) and "and" in tokens[i + 1:i + 4]:
            j = tokens.index("and", i + 1)
            b = _clock(tokens[j + 1] if j + 1 < len(tokens) else "", tokens[j + 2] if j + 2 < len(tokens) else "")
            if b:
                return (a, b) if a < b else (a, a)
        if tok == "after" and (a := _clock(nxt, after)):
            return a, None
        if tok == "before" and (b := _clock(nxt, after)):
            start = time(8) if b > time(8) else time(0)
            return start, b
        if tok in ("around", "about", "abt", "ish", "approx") and (a := _clock(nxt, after)):
            return a, AROUND_MARK
        if tok == "at" and (a := _clock(nxt, after)):
            return a, a
    for tok in tokens:
        if tok in _PART_WORDS and tok != "am":
            return parts[_PART_WORDS[tok]]
        if tok == "noon":
            return time(12), time(12)
    for i, tok in enumerate(tokens):
        if (m := _CLOCK.match(tok)) and (m.group(2) or m.group(3)):
            a = _clock(tok, tokens[i + 1] if i + 1 < len(tokens) else "")
            if a:
                return a, a
        if tok.isdigit() and i + 1 < len(tokens) and tokens[i + 1] in ("am", "pm", "oclock"):
            a = _clock(tok, tokens[i + 1])
            if a:
                return a, a
    return None


def _clock(tok: str, following: str = "") -> time | None:
    """A clock time from "3", "3pm", "3:30", "15:00", "noon" (plus a following "am"/"pm")."""
    if tok == "noon" or tok == "midday":
        return time(12)
    m = _CLOCK.match(tok)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    meridiem = m.group(3) or (following if following in ("am", "pm") else "")
    if minute > 59 or hour > 23:
        return None
    if meridiem.startswith("p") and hour < 12:
        hour += 12
    elif meridiem.startswith("a") and hour == 12:
        hour = 0
    elif not meridiem and 1 <= hour <= 6:
        hour += 12  # "at 3" to a business means the afternoon
    return time(hour, minute)


def _weekday(today: date, weekday: int, *, next_week: bool) -> date:
    if next_week:
        monday_next = today + timedelta(days=7 - today.weekday())
        return monday_next + timedelta(days=weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _month_day(today: date, month: int, day: int, year: int | None) -> tuple[date | None, bool]:
    """The date, and whether it has already gone (see the module's policy)."""
    if not 1 <= month <= 12:
        return None, False
    target_year = year or today.year
    if not 1 <= day <= monthrange(target_year, month)[1]:
        return None, False
    found = date(target_year, month, day)
    if found >= today:
        return found, False
    if year is not None or today - found <= LATE_SLIP:
        return None, True
    rolled_year = today.year + 1
    if day > monthrange(rolled_year, month)[1]:
        return None, True
    return date(rolled_year, month, day), False


def _day_of_month(today: date, day: int) -> date | None:
    year, month = today.year, today.month
    for _ in range(3):
        if day <= monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _local(day: date, wall_time: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, wall_time, tzinfo=tz)
