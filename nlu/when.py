"""Days, day parts and times in SMS text -> local time windows.

Time policy (shared with the evaluation corpus: keep both consistent). All resolved in the business
zone `tz` against `now` (aware). Windows are TimeWindow(start, end), aware datetimes in `tz`, end
exclusive, in the order the customer gave them. Precise time: start == end.

- Whole day with no time: local 00:00 of that day to local 00:00 of the next day.
- Day parts (overridable per business): morning 08:00-12:00, afternoon 12:00-17:00, evening 17:00-21:00.
  Words: morning/mornin/morn, "am" only after a day word ("sat am"); afternoon/aft/arvo, "pm" only after
  a day word ("tue pm"); evening/eve/night, tonight (= today evening).
- Bare weekday ("fri", "friday", "thurs"): its next occurrence, today included. "this fri" = "fri".
  "next fri" = that weekday in the next calendar week (weeks start Monday): said on Mon 9 Mar 2026,
  "next tue" = Tue 17 Mar; said Thu 12 Mar, "next fri" = Fri 20 Mar, "fri" = Fri 13 Mar.
- today/tdy, tomorrow/tmrw/tmr/2moro..., "day after tomorrow" = today+2.
- "the 14th" = this month's 14th, or next month's once it has gone (today counts as not gone).
- Month+day without year ("3/14", "March 14", "Mar 14th", "14 march"): this year's; if it fell within
  the last 7 days it is past (Parse.past, no window); older ones roll to next year. With a year
  ("3/14/2027") exactly that; a past one is past.
- Times without am/pm: 7-11 -> a.m., 12 -> noon, 1-6 -> p.m., 0 and 13-23 -> 24-hour clock.
  "noon"/"midday" = 12:00.
- "at 3" / "3pm" / "2:30" = precise time (start == end).
- "after 5" = 17:00 to the end of that day (next local midnight).
- "before noon"/"before 11" = from 08:00 (00:00 when the time is at or before 08:00) to that time.
- "between 2 and 4" / "2-4" / "from 2 to 4" = 14:00-16:00.
- "around noon"/"about 3"/"3ish" = one hour either side in real elapsed time (11:00-13:00).
- A day part or time range given once applies to every day named: "fri or sat morning" = two windows.
- With no day named, a day part or time means today, or tomorrow once it has passed (a range: once its
  end has passed; a precise time: once it has passed).
- "this weekend" = Saturday 00:00 to Monday 00:00 of this week (said on Sat/Sun: that same weekend);
  "next weekend" = the weekend of the next calendar week. A day part applies to both days: "this weekend
  morning" = Sat morning, Sun morning.
- "next week" = Monday 00:00 to the following Monday 00:00 of the next calendar week ("next week
  sometime" too). "this week" = from the start of today to next Monday 00:00.
- "in N days" = the whole day today+N. "in N weeks"/"in a week"/"the week after next" (= in 2 weeks) =
  the calendar week (Mon-Mon) containing today + 7N days.
- "asap"/"earliest"/"soonest"/"first available": one window from `now` to now + horizon, Parse.asap.
  With a day named ("earliest on friday") it is that day's window, asap still set.
- Past: a window whose end is before now is dropped; if that leaves none, Parse.past ("yesterday",
  "last friday", "today at 9" said at 14:00). "this morning" said at 14:00 names no day, so by the
  no-day rule it is tomorrow morning.
- Windows never extend past now + horizon (60 days by default): a window is cut there, and days named
  beyond it give no window (Parse.too_far when that leaves none).
- Spanish (accents optional), rewritten to the English above by nlu/spanish.py: hoy, mañana (tomorrow,
  unless "la mañana"/"por la mañana"/"en la mañana" = morning), pasado mañana, lunes ... domingo,
  "por/en la tarde" = afternoon, "por/en la noche" = evening, "a las 3" = 15:00, "después de las 5",
  "antes de las 12", "entre las 2 y las 4", "el 14", "la próxima semana"/"la semana que viene",
  "este fin de semana", "lo antes posible"/"cuanto antes". "mañana en la tarde" = tomorrow 12:00-17:00.

Decisions beyond that policy:
- A day part with a clock time reads the time in that part and then gives way to it: "tonight at 8"
  and "a las 8 de la noche" are 20:00, "tomorrow morning at 6" is 06:00, "sat afternoon at 2" 14:00.
- Days and times pair up in the order given: "fri morning or sat afternoon" is Friday morning and
  Saturday afternoon, "tomorrow morning or afternoon" two windows on tomorrow, "tomorrow at 3 or
  friday" 15:00 on both days.
- A weekend or week with a day part or time gives one window per day from today on ("next week
  mornings": seven). Without one it is one window as the policy says, even when it began before today
  ("this weekend" said on Sunday starts on Saturday).
- Ranges take a later end's am/pm when that keeps them in order ("9-11pm" = 21:00-23:00, "10-2pm" =
  10:00-14:00) and an unmarked end that would come first is p.m. ("between 6 and 8" = 18:00-20:00).
- A bare number 1-12 is a clock time where it reads as one: right after a day ("sat 10", at the end or
  before "or", "please", ...), after "or" following a time ("tmrw at 10 or 2"), right before a day
  ("10 tomorrow") or before "ok"/"works"/"good"/"fine" ("is 3 ok", "9 works"). Elsewhere ("I have 2
  cars", "2 please") it is not; nlu.parse drops the time again when the number picks an offer ("2 works").
  After a cue word ("at", "before", ...) "0900" is 09:00.
- "from 5" alone is "after 5"; "until 4"/"till 4" is "before 4"; "first thing" is the morning;
  "noonish" is "around noon"; "good morning"/"good afternoon" are greetings, not day parts.
- "friday next week"/"next week friday" is that weekday of next week; "friday after next" is a week
  after the bare Friday. "in a couple of days" = 2, "in a few days" = 3. "a week from today" = "in a week".
  "the day after"/"the next day" is the day after the last day named ("tmrw or the day after").
- A day after "not", "except" or "can't do" is ruled out and gives no window: "thurs but not fri".
- A weekday next to a date is the date's description: "sunday 5 april", "fri 3/13" name one day, the date.
- Weekday typos within one letter (two in words of seven or more) count when only one weekday is that
  close: "frday", "satruday", "wensday". "tomorrow's", "friday's" name the day.
- A "3/14"-style date that is no month/day but is a valid day/month ("14/3") is read day-first.
- "el próximo viernes"/"el viernes que viene" are the first Friday after today (nlu/spanish.py).
- A bare "soon" is not asap ("see you soon" would otherwise restart a booking); "as soon as possible" is.
- asap with only a day part or time and no day ("earliest morning") is still the whole horizon.
- At most MAX_WINDOWS windows: a text that names more is not a customer's request.
- DST: every local time is normalised through UTC. A wall time that does not exist on a spring-forward
  day resolves to the instant it would be with the pre-transition offset, shown in the new offset:
  "2:30 am" on 8 Mar 2026 in America/Chicago is 03:30 CDT. A repeated wall time on a fall-back day is
  its first occurrence (fold=0): "1:30 am" on 1 Nov 2026 is 01:30 CDT. "around" is real elapsed time. A
  range that starts in the skipped hour and ends before its new wall time ("between 2:30 and 3am" that
  day) shrinks to its end, 03:00.
"""

import re
from calendar import monthrange
from collections.abc import Mapping
from functools import lru_cache
from itertools import compress
from typing import NamedTuple
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rapidfuzz.distance import OSA

from nlu.spanish import WEEKDAYS as SPANISH_WEEKDAYS
from nlu.spanish import english_tokens
from nlu.types import TimeWindow

DAY_PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(21)),
}
HORIZON = timedelta(days=60)  # the booking horizon: nobody is offered a slot further out
AROUND = timedelta(hours=1)
LATE_SLIP = timedelta(days=7)  # "3/9" said on 3/12 is a slip for a day that has gone, not next year's
MAX_WINDOWS = 31  # a month of daily windows is the most a customer's text means
_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)
_NOON = time(12)
_MAX_ITEMS = 64  # days and times read from one text; past this it is not a request, and reading stops

_WEEKDAY_NAMES = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}
_FULL_WEEKDAYS = {name: day for name, day in _WEEKDAY_NAMES.items() if name.endswith("day")}
_NEAR_MISSES = frozenset({"sundae", "sundaes", "sundry"})  # real words one letter from a weekday
WEEKDAYS = {**_WEEKDAY_NAMES, **{f"{name}s": day for name, day in _WEEKDAY_NAMES.items() if len(name) > 3}}
_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_PART_WORDS = {
    "morning": "morning", "mornings": "morning", "mornin": "morning", "morn": "morning",
    "afternoon": "afternoon", "afternoons": "afternoon", "aft": "afternoon", "arvo": "afternoon",
    "evening": "evening", "evenings": "evening", "eve": "evening", "night": "evening", "nights": "evening",
    "nite": "evening",
}
_TODAY = frozenset({"today", "tdy", "2day", "tday", "tonight", "tonite", "2nite"})
_TONIGHT = frozenset({"tonight", "tonite", "2nite"})
_TOMORROW = frozenset({"tomorrow", "tmrw", "tmr", "tmw", "tmrow", "tomorow", "tommorow", "tommorrow", "tomorrw",
                       "2morrow", "2moro", "2mrw", "2morow", "tomoz"})
_ASAP_WORDS = frozenset({"asap", "earliest", "soonest"})
_ASAP_PHRASES = (("first", "available"), ("next", "available"), ("as", "soon", "as", "possible"),
                 ("as", "soon", "as", "you", "can"), ("as", "soon", "as", "u", "can"), ("first", "opening"),
                 ("next", "opening"))
_ASAP_PHRASE_HEADS = frozenset(phrase[0] for phrase in _ASAP_PHRASES)
_PAST_AFTER_LAST = frozenset({"week", "weekend", "night", "month", "year"})
_AROUND_WORDS = frozenset({"around", "about", "abt", "approx", "approximately", "roughly", "circa", "ish"})
_RANGE_TO = frozenset({"to", "till", "til", "until", "and", "-"})
# A number followed by one of these is a count, not a clock time: "after 2 days", "at 3 cars".
_UNITS = frozenset({"day", "days", "week", "weeks", "wk", "wks", "month", "months", "year", "years", "yr", "yrs",
                    "hour", "hours", "hr", "hrs", "min", "mins", "minute", "minutes", "car", "cars", "vehicle",
                    "vehicles", "people", "person", "persons", "dog", "dogs", "cat", "cats", "kids", "rooms",
                    "bedrooms", "dollars", "bucks", "usd", "percent", "times", "x"})
# Words that may follow a clock time said without "at" or am/pm ("sat 10 or sun 11", "at two please").
_TIME_FOLLOWERS = frozenset({"", "or", "and", "please", "pls", "plz", "ok", "okay", "works", "if", "then", "?",
                             "is", "would", "could", "for", "thanks", "thx", "work", "good", "fine", "on", "this",
                             "next", "tomorrow", "today", "tonight", "with"} | set(WEEKDAYS))
_WORDED_TIME_FOLLOWERS = _TIME_FOLLOWERS | {"am", "pm", "oclock", "o'clock"}
_AFTER_LEADS = (("after",), ("later", "than"), ("no", "earlier", "than"))
_BEFORE_LEADS = (("before",), ("until",), ("till",), ("til",), ("earlier", "than"), ("no", "later", "than"))
_LEAD_HEADS = frozenset(lead[0] for lead in (*_AFTER_LEADS, *_BEFORE_LEADS))
_ACCEPTING = frozenset({"ok", "okay", "works", "work", "good", "fine"})  # "9 works", "is 3 ok"
_NOT_A_DATE_AFTER = frozenset({"one", "option", "choice", "slot", "time", "opening", "pick"})  # "the 2nd one"
_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "couple": 2, "few": 3}
_CLOCK_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12}
_STARTERS = frozenset(
    {"yesterday", "ago", "last", "the", "day", "overmorrow", "week", "this", "next", "coming", "weekend", "weekends",
     "in", "on", "for", "between", "btw", "btwn", "from", "after", "later", "no", "earlier", "before", "until",
     "till", "til", "at", "@", "noon", "midday", "noonish", "middayish", "am", "pm", "first", "following"}
    | _ASAP_WORDS | {p[0] for p in _ASAP_PHRASES} | _TODAY | _TOMORROW | set(WEEKDAYS) | set(_MONTHS)
    | set(_PART_WORDS) | _AROUND_WORDS | set(_COUNT_WORDS)
)
# The words each reader below can start with, besides a digit (and, for days, a weekday however spelt).
_FLAG_HEADS = _ASAP_WORDS | _ASAP_PHRASE_HEADS | {"ago", "yesterday", "last"}
_DAY_HEADS = frozenset({"the", "day", "overmorrow", "week", "this", "next", "coming", "following", "weekend",
                        "weekends", "in", "on", "for"} | _TODAY | _TOMORROW | set(_COUNT_WORDS) | set(_MONTHS))
_DATE_HEADS = frozenset({"the", "on", "for"} | set(_MONTHS))  # and digits: what _date_at can start with
_ASK_HEADS = frozenset({"between", "btw", "btwn", "from", "at", "@", "noon", "midday", "noonish", "middayish", "am",
                        "pm", "first"} | _LEAD_HEADS | _AROUND_WORDS | set(_PART_WORDS))
_HHMM = re.compile(r"^([01]\d|2[0-3])([0-5]\d)$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?(ish)?$")
_ORDINAL = re.compile(r"^(\d{1,2})(st|nd|rd|th)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?$")


class When(NamedTuple):
    """What a text says about when: made once or twice per message, so a named tuple, not a dataclass."""

    windows: tuple[TimeWindow, ...]
    asap: bool = False
    past: bool = False
    days_named: bool = False           # the text named a day, not only a time
    too_far: bool = False              # a day was named, but beyond the horizon, and no window is left


_NOTHING = When(())
_PAST = When((), past=True)


def when(tokens: list[str], *, now: datetime, tz: ZoneInfo, day_parts: Mapping[str, tuple[time, time]] | None = None,
         horizon: timedelta = HORIZON) -> When:
    """The windows named in `tokens` (from nlu.text.tokens), in the order given; see the module's policy."""
    if "'" in "".join(tokens):  # "tomorrow's appointment", "friday's": the possessive names the day
        tokens = [t.removesuffix("'s") for t in tokens]
    toks = english_tokens(tokens)
    readers_at = _readers_at(toks)
    if readers_at is None:  # most texts that name no time: no word is read (and no zone need be asked)
        return _NOTHING
    local_now = now.astimezone(tz)
    heard = _heard(toks, readers_at, local_now.date())
    if not heard.items and not heard.asap:  # nothing to resolve
        return _PAST if heard.past else _NOTHING
    parts = {**DAY_PARTS, **day_parts} if day_parts else DAY_PARTS
    named = False
    for item in heard.items:
        if isinstance(item, _Days) and item is not _GONE:
            named = True
            break
    if heard.asap and not named:
        return When((TimeWindow(local_now, _normal(local_now + horizon, tz)),), asap=True)
    kept: list[TimeWindow] = []
    seen: set[tuple[datetime, datetime]] = set()
    gone = too_far = False
    now_at = now.astimezone(UTC)
    # The limit is `horizon` ahead on the wall clock, which is within a day of `horizon` ahead in real time (no zone
    # moves its offset by more), so a window ending by `inside` is inside; the limit itself is only worked out for a
    # window that ends later (converting between zones is the costly step here).
    inside = now_at + horizon - _TWO_DAYS
    ahead = limit_at = None
    for window, start, end in _windows(heard.items, parts, local_now, now_at):  # instants in UTC
        if end < now_at:
            gone = True
        elif end <= inside:
            if (start, end) not in seen:
                seen.add((start, end))
                kept.append(window)
        else:
            if limit_at is None:
                ahead = local_now + horizon
                limit_at = ahead.astimezone(UTC)  # the instant of the limit, which is `ahead` normalised
            if start > limit_at or (start == limit_at and end > start):
                too_far = True
            elif (start, min(end, limit_at)) not in seen:
                seen.add((start, min(end, limit_at)))
                kept.append(window if end <= limit_at else TimeWindow(window.start, _normal(ahead, tz)))
        if len(kept) == MAX_WINDOWS:
            break
    # (tuple.__new__: the named tuple's own __new__ with keywords took as long as the loop above for one window)
    return _new_when(When, (tuple(kept), heard.asap, (heard.past or gone) and not kept, named,
                            too_far and not kept))


_new_when = tuple.__new__
_TWO_DAYS = timedelta(days=2)


def weekday_in(token: str) -> int | None:
    """The weekday (Monday 0) a word names, English or Spanish, possessive, plural or misspelt: "friday's",
    "sábado", "satruday"."""
    found = _WEEKDAY_OF.get(token, -1)
    if found == -1:
        found = _weekday_of(token)
        if len(_WEEKDAY_OF) < _MAX_READERS:
            _WEEKDAY_OF[token] = found
    return found


_WEEKDAY_OF: dict[str, int | None] = {}  # word -> weekday_in(word), worked out once per word


def _weekday_of(token: str) -> int | None:
    token = token.removesuffix("'s")
    found = WEEKDAYS.get(token)
    if found is None and token in SPANISH_WEEKDAYS:
        found = WEEKDAYS[SPANISH_WEEKDAYS[token]]
    if found is None and 5 <= len(token) <= 10 and token[0] in "mtwfs" and token.isalpha():
        found = _misspelt_weekday(token)
    return found


@lru_cache(maxsize=4096)
def _misspelt_weekday(token: str) -> int | None:
    """ "frday", "satruday", "wensday": one slip in a short word, two in a long one, and only one weekday that close.

    Transposed letters count as one slip; "monkey" (two from "monday") and "sundae" stay themselves.
    """
    if token in _NEAR_MISSES:
        return None
    allowed = 1 if len(token) <= 6 else 2
    close = {day for name, day in _FULL_WEEKDAYS.items() if OSA.distance(token, name, score_cutoff=allowed) <= allowed}
    return close.pop() if len(close) == 1 else None


# --- What was said: days and times, in order --------------------------------------------------------------

# The parts of what was said are named tuples rather than frozen dataclasses: they are made several times per
# message, and a tuple is made in a fraction of the time. None is compared with a tuple of another kind.
class _Days(NamedTuple):
    """Local dates [first, end) named together: one day, a weekend or a week."""

    first: date
    end: date


class _Clock(NamedTuple):
    hour: int
    minute: int = 0
    meridiem: str = ""  # "am", "pm", "noon", or "" when the customer did not say


class _Ask(NamedTuple):
    """A time of day asked for, not yet placed on a day."""

    kind: str  # "part", "at", "range", "after", "before", "around"
    start: _Clock | None = None
    end: _Clock | None = None
    part: str = ""


_TONIGHT_ASK = _Ask("part", part="evening")
# One ask per day part, shared: named tuples are immutable, and making one with keywords costs more than a lookup.
_PART_ASKS = {part: _Ask("part", part=part) for part in ("morning", "afternoon", "evening")}
_GONE = _Days(date.min, date.min)  # a day named that has already gone: its times go with it
_OR = "or"  # "sat morning, or before 10 on sunday": a time after "or" starts afresh
_DAY_AFTER = _Days(date.max, date.max)  # "the day after": the day after the last one named


class _Heard:
    __slots__ = ("items", "asap", "past")

    def __init__(self) -> None:
        self.items: list[_Days | _Ask | str] = []  # str: _OR
        self.asap = False
        self.past = False


def _readers_at(toks: list[str]) -> list[int] | None:
    """Which readers can start at each token (see _readers_of); None when none can start anywhere."""
    readers_at = list(map(_READERS.get, toks))
    if None in readers_at:
        readers_at = [_readers_of(tok) if readers is None else readers for tok, readers in zip(toks, readers_at)]
    return readers_at if any(readers_at) else None


def _heard(toks: list[str], readers_at: list[int], today: date) -> _Heard:
    heard = _Heard()
    items = heard.items
    # `before`: what the words just before toks[i] named (a day, a clock time), which says whether a bare number
    # at i is a clock time ("sat 10"); None after any other word.
    i, before = 0, None
    # Only the words some rule starts with, or "or"/"and", are visited; a word skipped is one no rule reads.
    for j in compress(range(len(toks)), readers_at):
        if j < i:
            continue  # read already, as part of what an earlier word started
        if j > i:
            before = None
        readers = readers_at[j]
        if readers == _JOIN:  # "tmrw at 10 or 2": the 2 is a time too, but "fri or 10" does not read 10 as 10:00
            i = j + 1
            if type(before) is _Days:
                before = None
            if toks[j] == "or":
                items.append(_OR)
                if len(items) >= _MAX_ITEMS:
                    break
            continue
        step = None
        if readers & _FLAG:
            step = _flag_at(toks, j, heard)
        if step is None and readers & _DAY:
            step = _days_at(toks, j, today)
        if step is None and readers & _ASK:
            step = _ask_at(toks, j, before)
        if step is None:
            i, before = j + 1, None
            continue
        found, i = step
        if j and toks[j - 1] in _RULING_OUT_ENDS and _is_ruled_out(toks, j):
            # "thurs but not fri": Friday is not asked for
            found = [item for item in found if type(item) is not _Days]
        if not found:
            before = None
            continue
        if found[0] is _DAY_AFTER:  # "tmrw or the day after" (_days_at gives it alone)
            named = [d for d in items if type(d) is _Days and d is not _GONE]
            if not named:
                before = None
                continue
            found = [_day(named[-1].end)]
        items += found
        before = found[-1]
        if len(items) >= _MAX_ITEMS:
            break
    return heard


def _is_ruled_out(toks: list[str], i: int) -> bool:
    """Whether the day at toks[i] follows "not", "except", "can't do": it is ruled out, not asked for."""
    before = toks[max(0, i - 2):i]
    return (before[-1:] in (["not"], ["except"], ["excepto"])
            or before in (["not", "on"], ["except", "on"], ["can't", "do"], ["cant", "do"], ["cannot", "do"]))


_MISSPELT_INITIALS = frozenset("mtwfs")  # weekday initials: "frday", "satruday", "wensday"
_RULING_OUT_ENDS = frozenset({"not", "except", "excepto", "on", "do"})  # the last words of what _is_ruled_out reads


_FLAG, _DAY, _ASK = 1, 2, 4  # which of _flag_at, _days_at and _ask_at can read something starting at a word
_JOIN = 8  # "or" and "and", which no rule starts with but which join times
_READERS: dict[str, int] = {}  # word -> its readers, worked out once per word (up to _MAX_READERS words)
_MAX_READERS = 8192


def _readers_of(tok: str) -> int:
    """Which readers can start at `tok` (a bit for each): none for the many words no rule starts with."""
    readers = 0
    if tok == "or" or tok == "and":
        readers = _JOIN
    elif _may_start_a_time(tok):
        digit = tok[:1].isdecimal()
        if tok in _FLAG_HEADS:
            readers |= _FLAG
        # A word starting with a digit starts a day only as a count ("3 days from now"), a date ("3/14",
        # "14th") or a word such as "2moro"; and a time only as a clock time ("3pm", "2:30").
        if (tok in _DAY_HEADS or weekday_in(tok) is not None
                or digit and (tok.isdecimal() or "/" in tok or tok[-2:] in ("st", "nd", "rd", "th"))):
            readers |= _DAY
        if tok in _ASK_HEADS or digit and _CLOCK.match(tok):
            readers |= _ASK
    if len(_READERS) < _MAX_READERS:
        _READERS[tok] = readers
    return readers


def _may_start_a_time(tok: str) -> bool:
    """A cheap test that skips the many words no rule starts with (a misspelt weekday may start one)."""
    return tok[:1].isdecimal() or tok in _STARTERS or (tok[:1] in _MISSPELT_INITIALS and 5 <= len(tok) <= 10)


def _flag_at(toks: list[str], i: int, heard: _Heard) -> tuple[list, int] | None:
    """asap and past words, which set a flag rather than name a time."""
    tok, nxt = toks[i], _at(toks, i + 1)
    if tok in _ASAP_WORDS:
        heard.asap = True
        return [], i + 1
    if tok in _ASAP_PHRASE_HEADS:
        for phrase in _ASAP_PHRASES:
            if tuple(toks[i:i + len(phrase)]) == phrase:
                heard.asap = True
                return [], i + len(phrase)
    if tok == "ago":
        heard.past = True
        return [], i + 1
    if tok == "yesterday":
        return [_GONE], i + 1
    if tok == "last" and (nxt in _PAST_AFTER_LAST or weekday_in(nxt) is not None):
        return [_GONE], i + 2
    return None


def _days_at(toks: list[str], i: int, today: date) -> tuple[list, int] | None:
    """The day, weekend or week named at toks[i], and where the words after it start."""
    tok = toks[i]
    if tok[:1].isdecimal() and tok not in _DAY_HEADS:  # "3 days from now", "3/14": not "2moro"
        return _counted_or_dated(toks, i, today)
    if tok in _TOMORROW:  # (checked first: no other rule starts with these words, nor with today's)
        return [_day(today + _ONE_DAY)], i + 1
    if tok in _TODAY:
        return ([_day(today), _TONIGHT_ASK] if tok in _TONIGHT else [_day(today)]), i + 1
    nxt = toks[i + 1] if i + 1 < len(toks) else ""
    if (weekday := weekday_in(tok)) is not None:  # (no word the rules below start with is a weekday)
        if tok == "sun" and nxt in ("up", "down", "is", "shine"):
            return None
        if (nxt[:1].isdecimal() or nxt in _DATE_HEADS) and (dated := _date_at(toks, i + 1, today)) is not None:
            return dated  # "sunday 5 april", "friday the 13th": the date says which
        if (nxt[:1].isdecimal() and (m := _ORDINAL.match(nxt)) is not None and m.group(2)
                and (found := _day_of_month(today, int(m.group(1))))):
            return [_day(found)], i + 2  # "tuesday 17th" (a suffix makes it a date, not a time)
        if nxt in ("next", "after", "this"):
            if toks[i + 1:i + 3] == ["next", "week"]:
                return [_day(_weekday(today, weekday, next_week=True))], i + 3
            if toks[i + 1:i + 3] == ["after", "next"]:
                return [_day(_weekday(today, weekday, next_week=False) + timedelta(days=7))], i + 3
            if toks[i + 1:i + 3] == ["this", "week"]:  # "friday this week" is the bare friday
                return [_day(_weekday(today, weekday, next_week=False))], i + 3
        return [_weekday_day(today, weekday)], i + 1
    if tok not in _DAY_HEADS:
        return None  # no rule below starts with this word
    if tok == "the" and toks[i:i + 4] == ["the", "day", "after", "tomorrow"]:
        return [_day(today + timedelta(days=2))], i + 4
    if (tok == "day" and toks[i:i + 3] == ["day", "after", "tomorrow"]) or tok == "overmorrow":
        return [_day(today + timedelta(days=2))], i + (1 if tok == "overmorrow" else 3)
    if tok in ("the", "week") and (toks[i:i + 4] == ["the", "week", "after", "next"]
                                   or toks[i:i + 3] == ["week", "after", "next"]):
        return [_week_of(today + timedelta(days=14))], i + (4 if tok == "the" else 3)
    if tok == "the" and toks[i:i + 3] in (["the", "day", "after"], ["the", "next", "day"], ["the", "following", "day"]):
        return [_DAY_AFTER], i + 3
    if tok in ("this", "next", "coming", "following"):
        return _this_or_next_at(toks, i, today)
    if tok in ("weekend", "weekends"):
        return [_weekend(today, next_week=False)], i + 1
    if tok == "in" and (ahead := _ahead_at(toks, i + 1, today)) is not None:
        return ahead
    return _counted_or_dated(toks, i, today)


def _counted_or_dated(toks: list[str], i: int, today: date) -> tuple[list, int] | None:
    """"3 days from now", "a week from today"; a date ("3/14 sat", "march 14")."""
    if (count := _count_at(toks, i)) and toks[count[1] + 1:count[1] + 3] in (["from", "now"], ["from", "today"]):
        ahead = _ahead_at(toks, i, today)  # "a week from today", "3 days from now"
        return (ahead[0], ahead[1] + 2) if ahead else None
    if (dated := _date_at(toks, i, today)) is not None:
        found, j = dated
        return found, j + (1 if weekday_in(_at(toks, j)) is not None else 0)  # "3/14 sat"
    return None


def _this_or_next_at(toks: list[str], i: int, today: date) -> tuple[list, int] | None:
    """"this fri", "next fri", "this coming weekend", "next week", "next week friday", "following friday"."""
    j = i + 2 if toks[i:i + 2] == ["this", "coming"] else i + 1
    word = _at(toks, j)
    next_week = toks[i] in ("next", "following")
    if toks[i] == "following" and (weekday := weekday_in(word)) is not None:  # the first one after today
        return [_day(today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1))], j + 1
    if word in ("weekend", "weekends"):
        return [_weekend(today, next_week=next_week)], j + 1
    if word == "week":
        k = j + 2 if _at(toks, j + 1) == "on" else j + 1
        if (weekday := weekday_in(_at(toks, k))) is not None:
            return [_day(_weekday(today, weekday, next_week=next_week))], k + 1
        return [_week(today, next_week=next_week)], j + 1
    if (weekday := weekday_in(word)) is not None:
        return [_day(_weekday(today, weekday, next_week=next_week))], j + 1
    return None  # "this morning": the day part follows, and names no day


def _ahead_at(toks: list[str], i: int, today: date) -> tuple[list, int] | None:
    """"(in) 3 days", "(in) a couple of weeks": a day or a calendar week ahead of today."""
    count = _count_at(toks, i)
    if count is None:
        return None
    n, j = count
    unit = _at(toks, j)
    if unit in ("day", "days"):
        return [_day(today + timedelta(days=n))], j + 1
    if unit in ("week", "weeks", "wk", "wks"):
        return [_week_of(today + timedelta(days=7 * n))], j + 1
    return None


def _count_at(toks: list[str], i: int) -> tuple[int, int] | None:
    """A small count: "3", "three", "a", "a couple of", "a few"."""
    tok = toks[i] if i < len(toks) else ""
    if tok.isdecimal() and len(tok) <= 3:
        return int(tok), i + 1
    if tok in ("a", "an") and _at(toks, i + 1) in ("couple", "few"):
        i += 1
        tok = toks[i]
    if tok not in _COUNT_WORDS:
        return None
    return _COUNT_WORDS[tok], i + (2 if tok == "couple" and _at(toks, i + 1) == "of" else 1)


def _date_at(toks: list[str], i: int, today: date) -> tuple[list, int] | None:
    """"the 14th", "march 14", "14 march", "14th of march 2027", "3/14", "3/14/27"."""
    tok = toks[i] if i < len(toks) else ""
    if (m := _SLASH_DATE.match(tok)) is not None:
        first, second, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        month, day = (first, second) if first <= 12 else (second, first)  # "14/3" is day-first
        return _dated(_month_day(today, month, day, year)), i + 1
    if tok in _MONTHS:
        j = i + 2 if _at(toks, i + 1) == "the" else i + 1
        if (m := _ORDINAL.match(_at(toks, j))) is not None:
            year, after = _year_at(toks, j + 1)
            return _dated(_month_day(today, _MONTHS[tok], int(m.group(1)), year)), after
        return None
    j = i + 1 if tok in ("the", "on", "for") else i
    m = _ORDINAL.match(_at(toks, j))
    if m is None:
        return None
    k = j + 2 if _at(toks, j + 1) == "of" else j + 1
    if _at(toks, k) in _MONTHS:
        year, after = _year_at(toks, k + 1)
        return _dated(_month_day(today, _MONTHS[toks[k]], int(m.group(1)), year)), after
    if j > i and m.group(2) and _at(toks, j + 1) not in _NOT_A_DATE_AFTER:
        found = _day_of_month(today, int(m.group(1)))
        return ([_day(found)] if found else []), j + 1
    return None


def _dated(found: tuple[date | None, bool]) -> list:
    day, gone = found
    return [_day(day)] if day else [_GONE] if gone else []


def _year_at(toks: list[str], i: int) -> tuple[int | None, int]:
    tok = _at(toks, i)
    if tok.isdecimal() and len(tok) == 4 and 1900 <= int(tok) <= 2100:
        return int(tok), i + 1
    return None, i


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    year = int(text)
    return year + 2000 if year < 100 else year if 1900 <= year <= 2100 else None


def _ask_at(toks: list[str], i: int, before: "_Days | _Ask | None") -> tuple[list, int] | None:
    """The time of day asked for at toks[i]: a day part, a clock time, a range, before/after/around.

    A bare number is a clock time only where it reads as one: right after a day or after "or" following
    a time ("sat 10", "at 10 or 2"), right before a day ("10 tomorrow"), or before "ok"/"works" ("9 works").
    """
    tok = toks[i]
    if not tok[:1].isdecimal():  # a word: of the rules below only the clock time starts with a digit
        if tok not in _ASK_HEADS:
            return None  # no rule below starts with this word
        if tok in ("between", "btw", "btwn", "from") and (a := _clock_at(toks, i + 1, words=True)):
            if _at(toks, a.after) in _RANGE_TO and (b := _clock_at(toks, a.after + 1, words=True)):
                return [_Ask("range", a.clock, b.clock)], b.after
            if tok == "from":  # "from 5 (on)"
                return [_Ask("after", a.clock)], a.after + (1 if _at(toks, a.after) in ("on", "onwards", "onward")
                                                            else 0)
            return None
        if tok in _LEAD_HEADS:
            if lead := _lead_in(toks, i, _AFTER_LEADS):
                a = _clock_at(toks, i + lead, words=True)
                return ([_Ask("after", a.clock)], a.after) if a else None
            if lead := _lead_in(toks, i, _BEFORE_LEADS):
                b = _clock_at(toks, i + lead, words=True)
                return ([_Ask("before", end=b.clock)], b.after) if b else None
        if tok in _AROUND_WORDS or tok in ("at", "@"):
            a = _clock_at(toks, i + 1, words=True)
            if a is None:
                return None
            return [_Ask("around" if tok in _AROUND_WORDS or a.ish else "at", a.clock)], a.after
    if (tok[:1].isdecimal() or tok in _NOON_WORDS) and (a := _clock_at(toks, i, words=False)) is not None:
        # (without `words`, only these can be clock times)
        if _at(toks, a.after) in ("to", "till", "til", "until") and (b := _clock_at(toks, a.after + 1, words=True)):
            return [_Ask("range", a.clock, b.clock)], b.after  # "2 to 4", "10am-2pm"
        if a.ish:
            return [_Ask("around", a.clock)], a.after
        following = _at(toks, a.after)
        after_day_or_clock = type(before) is _Days or type(before) is _Ask and before.kind != "part"
        bare_time = 1 <= a.clock.hour <= 12 and (
            after_day_or_clock and following in _TIME_FOLLOWERS
            or following in _ACCEPTING or following in _TODAY or following in _TOMORROW
            or following in _WEEKDAY_NAMES)
        if a.said or bare_time:
            return [_Ask("at", a.clock)], a.after
        return None
    if tok in _PART_WORDS and (toks[i - 1] if i else "") != "good":  # "good morning" is a greeting
        return [_PART_ASKS[_PART_WORDS[tok]]], i + 1
    if tok in ("am", "pm") and type(before) is _Days:  # "sat am", "tue pm"
        return [_PART_ASKS["morning" if tok == "am" else "afternoon"]], i + 1
    if tok == "first" and _at(toks, i + 1) == "thing":
        return [_PART_ASKS["morning"]], i + 2
    return None


class _ClockFound(NamedTuple):
    clock: _Clock
    after: int          # index of the token after the clock time
    said: bool          # it had minutes, am/pm or "o'clock", or was "noon": a time on its own
    ish: bool = False   # "3ish", "3 ish"


def _clock_at(toks: list[str], i: int, *, words: bool) -> _ClockFound | None:
    """A clock time at toks[i]: "3", "3pm", "3 pm", "15:30", "3 o'clock", "noon", "3ish" (and "three" if `words`)."""
    n = len(toks)
    tok = toks[i] if i < n else ""
    said, ish = False, False
    if tok in _NOON_WORDS:
        clock, said, ish = _NOON_CLOCK, True, tok.endswith("ish")
    elif (read := _CLOCK_TOKENS.get(tok) or _clock_token(tok)) is not _NOT_A_CLOCK:
        clock, said, ish = read
    elif words and (m := _HHMM.match(tok)) is not None:  # "at 0900"
        clock, said = _Clock(int(m.group(1)), int(m.group(2))), True
    elif words and tok in _CLOCK_WORDS and _at(toks, i + 1) in _WORDED_TIME_FOLLOWERS:  # "at two", "at two pm"
        clock = _Clock(_CLOCK_WORDS[tok])
    else:
        return None
    j = i + 1
    nxt = toks[j] if j < n else ""
    if not clock.meridiem and nxt in ("am", "pm"):
        clock, said, j = _Clock(clock.hour, clock.minute, nxt), True, j + 1
        nxt = toks[j] if j < n else ""
    if nxt in ("oclock", "o'clock"):
        said, j = True, j + 1
        nxt = toks[j] if j < n else ""
    if nxt == "ish":
        ish, j = True, j + 1
        nxt = toks[j] if j < n else ""
    if nxt in _UNITS or clock.minute > 59 or clock.hour > 23:
        return None
    if clock.meridiem in ("am", "pm") and not 1 <= clock.hour <= 12:
        return None
    return _ClockFound(clock, j, said, ish)


_NOT_A_CLOCK = (None, False, False)
_CLOCK_TOKENS: dict[str, tuple] = {}  # token -> (clock, said, ish) as _clock_token reads it
_MAX_CLOCK_TOKENS = 4096


def _clock_token(tok: str) -> tuple:
    """A token that is a clock time on its own ("3", "3pm", "15:30", "3ish") read as (clock, said, ish), else
    _NOT_A_CLOCK; kept per token, since the same few times are texted over and over."""
    read = _NOT_A_CLOCK
    if (m := _CLOCK.match(tok)) is not None:
        hour, minutes, meridiem, suffix = m.groups()
        meridiem = _MERIDIEMS.get(meridiem, meridiem) if meridiem else ""
        read = (_Clock(int(hour), int(minutes or 0), meridiem), bool(minutes or meridiem), bool(suffix))
    if len(_CLOCK_TOKENS) < _MAX_CLOCK_TOKENS:
        _CLOCK_TOKENS[tok] = read
    return read


_NOON_WORDS = frozenset({"noon", "midday", "noonish", "middayish"})
_NOON_CLOCK = _Clock(12, 0, "noon")
_MERIDIEMS = {"a": "am", "p": "pm"}


def _at(toks: list[str], i: int) -> str:
    return toks[i] if i < len(toks) else ""


def _lead_in(toks: list[str], i: int, leads: tuple[tuple[str, ...], ...]) -> int:
    """How many words of one of `leads` start at toks[i] ("no later than" is 3), or 0."""
    if toks[i] not in _LEAD_HEADS:
        return 0
    return next((len(lead) for lead in leads if tuple(toks[i:i + len(lead)]) == lead), 0)


# --- Days and times -> windows ----------------------------------------------------------------------------

class _Spec(NamedTuple):
    """A time of day resolved against the business's day parts: start..end, end None = midnight."""

    kind: str  # "at", "around", "span"
    start: time
    end: time | None = None


_LONG_AGO = datetime.min.replace(tzinfo=UTC)
_GONE_WINDOW = (TimeWindow(_LONG_AGO, _LONG_AGO), _LONG_AGO, _LONG_AGO)

# A window with its start and end as instants in UTC: comparing those is cheaper than comparing timestamps.
_Placed = tuple[TimeWindow, datetime, datetime]


def _windows(items: list, parts: Mapping[str, tuple[time, time]], local_now: datetime,
             now_at: datetime) -> list[_Placed]:
    """Every window the days and times name (a gone day gives _GONE_WINDOW), before past and horizon rules."""
    tz = local_now.tzinfo
    today = local_now.date()
    out: list[_Placed] = []
    for days, asks in _groups(items):
        specs = _specs(asks, parts)
        if not days:
            for spec in specs:
                placed = _window_on(today, spec, tz)
                if placed[2] < now_at:
                    placed = _window_on(today + _ONE_DAY, spec, tz)
                out.append(placed)
            continue
        for named in days:
            if named is _GONE:
                out.append(_GONE_WINDOW)
                continue
            if not specs:  # "this weekend" said on Sunday is still Saturday 00:00 to Monday 00:00
                out.append(_whole_days(named.first, named.end, tz))
                continue
            day = max(named.first, today)
            while day < named.end and len(out) < 4 * MAX_WINDOWS:
                for spec in specs:
                    out.append(_window_on(day, spec, tz))
                day += _ONE_DAY
        if len(out) >= 4 * MAX_WINDOWS:  # enough to fill MAX_WINDOWS after dropping gone ones
            break
    return out


def _groups(items: list) -> list[tuple[list[_Days], list[_Ask]]]:
    """Days with the times that go with them, in order; a group missing either borrows its neighbour's.

    A new group starts when a day follows a group that has days and times ("fri morning, sat ..."), when
    a time follows days that already have that kind of time ("tomorrow at 3 5pm"), and at an "or" after a
    time ("morning or afternoon", but "fri or sat morning" is one group); a day part and a clock time in
    one group go together ("tomorrow morning at 10").
    """
    if len(items) == 1:  # the commonest texts: "tomorrow", "at 3"
        return [([], items)] if type(items[0]) is _Ask else [(items, [])] if items[0] is not _OR else []
    if len(items) == 2 and _OR not in items:  # "tomorrow morning", "at 3 tomorrow": one group, as below
        first, second = items
        if type(first) is type(second):
            return [([], items)] if type(first) is _Ask else [(items if first != second else [first], [])]
        return [([first], [second])] if type(first) is _Days else [([second], [first])]
    days: list[_Days] = []
    asks: list[_Ask] = []
    groups: list[tuple[list[_Days], list[_Ask]]] = [(days, asks)]
    for item in items:
        if item is _OR:
            if asks:
                days, asks = [], []
                groups.append((days, asks))
        elif isinstance(item, _Days):
            if days and asks:
                days, asks = [item], []
                groups.append((days, asks))
            elif item not in days:
                days.append(item)
        elif days and _has_kind_of(asks, item):
            days, asks = [], [item]
            groups.append((days, asks))
        else:
            asks.append(item)
    own = [g for g in groups if g[0] or g[1]]
    if len(own) < 2:  # nothing to borrow from
        return own
    own_days, own_asks = [g[0] for g in own], [g[1] for g in own]
    return [(days or _nearest(own_days, k), asks or _nearest(own_asks, k)) for k, (days, asks) in enumerate(own)]


def _has_kind_of(asks: list[_Ask], ask: _Ask) -> bool:
    """Whether `asks` has a time of the same kind as `ask`: both day parts, or both clock times."""
    is_part = ask.kind == "part"
    for other in asks:
        if (other.kind == "part") == is_part:
            return True
    return False


def _nearest(lists: list[list], k: int) -> list:
    """The nearest non-empty list before index k, else after it."""
    for j in [*range(k - 1, -1, -1), *range(k + 1, len(lists))]:
        if lists[j]:
            return lists[j]
    return []


def _specs(asks: list[_Ask], parts: dict[str, tuple[time, time]]) -> list[_Spec]:
    """The asks as times of day; a day part with clock times only says how to read them ("tonight at 8")."""
    if len(asks) == 1:
        spec = _usual_spec(asks[0]) if parts is DAY_PARTS else _spec(asks[0], parts, "")
        return [spec] if spec else []
    day_parts = [a for a in asks if a.kind == "part"]
    clocks = [a for a in asks if a.kind != "part"]
    if day_parts and clocks:
        start, end = parts[day_parts[0].part]
        hint = "pm" if start >= _NOON else "am" if end <= _NOON and end != _MIDNIGHT else ""
        return [s for a in clocks if (s := _spec(a, parts, hint))]
    return [s for a in asks if (s := _spec(a, parts, ""))]


@lru_cache(maxsize=1024)  # asks are immutable, and the same few are made message after message
def _usual_spec(ask: _Ask) -> _Spec | None:
    """`_spec` of an ask alone, with the usual day parts (most businesses keep them)."""
    return _spec(ask, DAY_PARTS, "")


def _spec(ask: _Ask, parts: dict[str, tuple[time, time]], hint: str) -> _Spec | None:
    if ask.kind == "part":
        start, end = parts[ask.part]
        return _Spec("span", start, end if end > start else None)  # a part that ends at midnight or later
    if ask.kind == "range":
        return _range(ask.start, ask.end, hint)
    if ask.kind == "before":
        end = _time(ask.end, hint)
        morning = parts["morning"][0]
        return _Spec("span", morning if end > morning else _MIDNIGHT, end) if end != _MIDNIGHT else None
    if ask.kind == "after":
        return _Spec("span", _time(ask.start, hint), None)
    return _Spec(ask.kind, _time(ask.start, hint))  # "at", "around"


def _range(a: _Clock, b: _Clock, hint: str) -> _Spec | None:
    """ "2-4" is 14:00-16:00, "9-11pm" 21:00-23:00, "10-2pm" 10:00-14:00, "between 6 and 8" 18:00-20:00."""
    end = _time(b, hint)
    start = _time(a, hint)
    if not a.meridiem and b.meridiem in ("am", "pm"):
        same_half = _time(_Clock(a.hour, a.minute, b.meridiem))
        if same_half < end:
            start = same_half
    if end <= start and not b.meridiem and end.hour < 12:
        end = end.replace(hour=end.hour + 12)
    return _Spec("span", start, end) if start < end else None


def _time(clock: _Clock, hint: str = "") -> time:
    """The clock time as read by the policy: unmarked 7-11 a.m., 12 noon, 1-6 p.m., unless a day part says."""
    hour = clock.hour
    if clock.meridiem == "pm" and hour < 12 or not clock.meridiem and hint == "pm" and 1 <= hour <= 11:
        hour += 12
    elif clock.meridiem == "am" and hour == 12:
        hour = 0
    elif not clock.meridiem and not hint and 1 <= hour <= 6:
        hour += 12  # "at 3" to a business means the afternoon
    return time(hour, clock.minute)


# Placing a wall time is a few zone conversions, the most costly step of most texts that name a time; the same
# days and times come up message after message (the next two weeks, the day parts), and the results are immutable,
# so the placed windows are kept: about 600 bytes each.
_PLACED_KEPT = 4096


@lru_cache(maxsize=_PLACED_KEPT)
def _whole_days(first: date, end: date, tz) -> _Placed:
    """Local midnight of `first` to local midnight of `end`."""
    start_at = datetime.combine(first, _MIDNIGHT, tzinfo=tz).astimezone(UTC)
    end_at = datetime.combine(end, _MIDNIGHT, tzinfo=tz).astimezone(UTC)
    return TimeWindow(start_at.astimezone(tz), end_at.astimezone(tz)), start_at, end_at


@lru_cache(maxsize=_PLACED_KEPT)
def _window_on(day: date, spec: _Spec, tz) -> _Placed:
    # Each wall time on the day is made a real instant through UTC (see DST in the module's policy), and the
    # instant is kept too.
    start_at = datetime.combine(day, spec.start, tzinfo=tz).astimezone(UTC)
    start = start_at.astimezone(tz)
    if spec.kind == "at":
        return TimeWindow(start, start), start_at, start_at
    if spec.kind == "around":  # an hour either side in real time, across midnight if need be
        low, high = start_at - AROUND, start_at + AROUND
        return TimeWindow(low.astimezone(tz), high.astimezone(tz)), low, high
    end_at = datetime.combine(day + _ONE_DAY if spec.end is None else day, _MIDNIGHT if spec.end is None else spec.end,
                              tzinfo=tz).astimezone(UTC)
    end = end_at.astimezone(tz)
    if end_at < start_at:  # "between 2:30 and 3am" on a spring-forward day: 03:30 > 03:00
        start, start_at = end, end_at
    return TimeWindow(start, end), start_at, end_at


# --- Calendar arithmetic ------------------------------------------------------------------------------------

@lru_cache(maxsize=1024)  # the same few days are named message after message; _Days is immutable
def _day(day: date) -> _Days:
    return _Days(day, day + _ONE_DAY)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week(today: date, *, next_week: bool) -> _Days:
    """This week from today, or all of next week."""
    monday_next = _monday(today) + timedelta(days=7)
    return _Days(monday_next, monday_next + timedelta(days=7)) if next_week else _Days(today, monday_next)


def _week_of(day: date) -> _Days:
    return _Days(_monday(day), _monday(day) + timedelta(days=7))


def _weekend(today: date, *, next_week: bool) -> _Days:
    saturday = _monday(today) + timedelta(days=5 + (7 if next_week else 0))
    return _Days(saturday, saturday + timedelta(days=2))


@lru_cache(maxsize=1024)  # (today, weekday): the same few are asked for all day
def _weekday_day(today: date, weekday: int) -> "_Days":
    """The day of the weekday named bare ("friday"): today or the next one."""
    return _day(_weekday(today, weekday, next_week=False))


def _weekday(today: date, weekday: int, *, next_week: bool) -> date:
    if next_week:
        return _monday(today) + timedelta(days=7 + weekday)
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _month_day(today: date, month: int, day: int, year: int | None) -> tuple[date | None, bool]:
    """The date, and whether it has already gone (see the module's policy)."""
    if not 1 <= month <= 12 or (year is not None and not 1900 <= year <= 2100):
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
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(3):
        if day <= monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _normal(moment: datetime, tz) -> datetime:
    return moment.astimezone(UTC).astimezone(tz)
