"""Properties of `nlu.parse` over generated texts, zones and "now"s (hypothesis).

- Any text: no exception, a sane Parse.
- Windows: start <= end; never over (end >= now), never earlier than the day before now's day;
  never past now + horizon (plus a day of slack for whole-day windows, though the parser cuts at the
  horizon exactly); real local times, also on DST days.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import Intent, Parse, parse

ZONES = ("America/Chicago", "America/New_York", "Europe/London", "Australia/Sydney")
HORIZON = timedelta(days=60)
# Clock changes in 2026: spring-forward and fall-back dates in each zone.
DST_DAYS = {
    "America/Chicago": ((2026, 3, 8), (2026, 11, 1)),
    "America/New_York": ((2026, 3, 8), (2026, 11, 1)),
    "Europe/London": ((2026, 3, 29), (2026, 10, 25)),
    "Australia/Sydney": ((2026, 10, 4), (2026, 4, 5)),
}
WORDS = [
    # English days, dates, times
    "tomorrow", "tmrw", "today", "tonight", "yesterday", "next", "this", "last", "coming", "the", "day", "after",
    "week", "weekend", "in", "a", "couple", "of", "days", "weeks", "from", "now", "14th", "31st", "1st", "0th", "3/14",
    "2/30", "13/1", "12/31/25", "3/8", "11/1", "fri", "sat", "sun", "monday", "friday's", "mar", "march", "nov",
    "feb", "29th", "2027", "morning", "aft", "evening", "night", "am", "pm", "at", "@", "around", "about", "ish",
    "3ish", "after", "before", "until", "between", "and", "to", "-", "or", "3", "12", "1", "2", "6", "7", "11",
    "23", "0", "2:30", "1:30am", "2:30am", "11:30pm", "0:00", "noon", "midday", "asap", "earliest", "first",
    "available", "one", "two", "o'clock", "first", "thing", "60", "90",
    # Spanish
    "mañana", "manana", "por", "la", "las", "en", "tarde", "noche", "el", "sábado", "lunes", "pasado", "hoy",
    "a", "después", "de", "antes", "entre", "y", "próxima", "semana", "que", "viene", "fin", "este", "lo",
    "posible", "cuanto", "media", "una", "dos",
    # noise
    "St", "Oak", "123", "cars", "please", "?", ",",
]


def _local_now(zone: str, day: datetime, minutes: int) -> datetime:
    """A real local instant `minutes` after local midnight of `day` (through UTC, so DST days are fine)."""
    tz = ZoneInfo(zone)
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    return (midnight + timedelta(minutes=minutes)).astimezone(tz)


def _assert_sane(p: Parse, now: datetime, zone: str, horizon: timedelta = HORIZON) -> None:
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    limit = (local_now + horizon).astimezone(UTC)
    assert isinstance(p.intent, Intent)
    assert p.language in ("en", "es")
    assert not (p.windows and p.past)
    for w in p.windows:
        assert w.start.tzinfo is tz and w.end.tzinfo is tz
        assert w.start <= w.end
        assert w.end.astimezone(UTC) >= now.astimezone(UTC)  # nothing that is already over
        # "Now minus one day", to the day: "today" starts at today's midnight (up to 25 real hours back on a
        # fall-back day) and "this weekend" said on Sunday at Saturday's, so the bound is yesterday's midnight.
        yesterday = (local_now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        assert w.start.replace(tzinfo=None) >= yesterday.replace(tzinfo=None)
        slack = timedelta(days=1) if not w.is_precise else timedelta(0)
        assert w.end.astimezone(UTC) <= limit + slack
        for moment in (w.start, w.end):  # a local time that exists: UTC and back gives the same wall time
            assert moment.astimezone(UTC).astimezone(tz).timetuple()[:6] == moment.timetuple()[:6]


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=300))
def test_any_text_parses(text: str) -> None:
    now = datetime(2026, 3, 10, 9, 15, tzinfo=ZoneInfo("America/Chicago"))
    p = parse(text, now=now, tz="America/Chicago", services=["Full Detail"], offered=(now + timedelta(days=1),))

    _assert_sane(p, now, "America/Chicago")
    assert p.choice in (None, 1)


@settings(max_examples=50, deadline=None)
@given(text=st.text(min_size=1600, max_size=2400))
def test_very_long_text_parses(text: str) -> None:
    now = datetime(2026, 3, 10, 9, 15, tzinfo=ZoneInfo("America/Chicago"))

    _assert_sane(parse(text, now=now, tz="America/Chicago"), now, "America/Chicago")


@settings(max_examples=600, deadline=None)
@given(words=st.lists(st.sampled_from(WORDS), max_size=10), zone=st.sampled_from(ZONES),
       day=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
       minutes=st.integers(min_value=0, max_value=24 * 60 - 1))
def test_time_words_give_sane_windows(words: list[str], zone: str, day: datetime, minutes: int) -> None:
    now = _local_now(zone, day, minutes)

    _assert_sane(parse(" ".join(words), now=now, tz=zone), now, zone)


@settings(max_examples=400, deadline=None)
@given(zone=st.sampled_from(ZONES), which=st.integers(min_value=0, max_value=1),
       days_before=st.integers(min_value=0, max_value=2), minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
       hour=st.integers(min_value=0, max_value=23), minute=st.sampled_from([0, 15, 30, 45]),
       template=st.sampled_from(["{day} at {clock}", "{day} around {clock}", "{day} after {clock}",
                                 "{day} before {clock}", "{day} between {clock} and 11pm", "{day} between {clock} and 3am",
                                 "{day} from 1:30am to {clock}", "{day}", "{day} morning",
                                 "{day} evening", "at {clock}", "this weekend", "next week", "in {n} days"]))
def test_dst_days_give_real_local_times(zone: str, which: int, days_before: int, minutes: int, hour: int,
                                        minute: int, template: str) -> None:
    year, month, day = DST_DAYS[zone][which]
    clock_day = datetime(year, month, day)
    now = _local_now(zone, clock_day - timedelta(days=days_before), minutes)
    spoken_day = f"{clock_day.month}/{clock_day.day}"
    text = template.format(day=spoken_day, clock=f"{hour}:{minute:02d}", n=days_before)

    _assert_sane(parse(text, now=now, tz=zone), now, zone)


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), horizon_days=st.integers(min_value=1, max_value=120),
       words=st.lists(st.sampled_from(WORDS), max_size=6))
def test_windows_respect_any_horizon(zone: str, horizon_days: int, words: list[str]) -> None:
    now = datetime(2026, 3, 10, 9, 15, tzinfo=ZoneInfo(zone))
    horizon = timedelta(days=horizon_days)

    _assert_sane(parse(" ".join(words), now=now, tz=zone, horizon=horizon), now, zone, horizon)
