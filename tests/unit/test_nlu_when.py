"""The time policy (nlu/when.py's docstring, /work/notes/nlu_policy.md) through `nlu.parse`, rule by rule.

Every "now" is literal and zone-qualified. March 2026 in America/Chicago: Sun 1, Mon 2, ... Mon 9,
Tue 10, Wed 11, Thu 12, Fri 13, Sat 14, Sun 15, Mon 16, ... Sat 21, Sun 22, Mon 23, ... Mon 30.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nlu import TimeWindow, parse

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
TUE = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)
MON = datetime(2026, 3, 9, 10, 0, tzinfo=CHICAGO)
SAT = datetime(2026, 3, 14, 14, 0, tzinfo=CHICAGO)
SUN = datetime(2026, 3, 15, 10, 0, tzinfo=CHICAGO)


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def precise(day: int, hour: int, minute: int = 0, month: int = 3) -> TimeWindow:
    return TimeWindow(at(day, hour, minute, month), at(day, hour, minute, month))


def hours(day: int, start: int, end: int) -> TimeWindow:
    """Same-day window from `start` o'clock to `end` o'clock (24 = next midnight)."""
    end_at = at(day + 1) if end == 24 else at(day, end)
    return TimeWindow(at(day, start), end_at)


def days(first: int, end: int) -> TimeWindow:
    """Whole days of March from `first` 00:00 to `end` 00:00."""
    return TimeWindow(at(first), at(end))


def ask(text: str, now: datetime = TUE):
    return parse(text, now=now, tz=ZONE)


# text, now, windows
RULES = [
    # whole days, weekdays, this/next
    pytest.param("fri", TUE, (days(13, 14),), id="bare-weekday"),
    pytest.param("this fri", TUE, (days(13, 14),), id="this-weekday"),
    pytest.param("next fri", TUE, (days(20, 21),), id="next-weekday-is-next-calendar-week"),
    pytest.param("mon", MON, (days(9, 10),), id="bare-weekday-today-included"),
    pytest.param("next tue", MON, (days(17, 18),), id="next-tue-said-monday"),
    pytest.param("next sat", SAT, (days(21, 22),), id="next-sat-said-saturday"),
    pytest.param("friday next week", TUE, (days(20, 21),), id="weekday-next-week"),
    pytest.param("next week friday", TUE, (days(20, 21),), id="next-week-weekday"),
    pytest.param("this coming friday", TUE, (days(13, 14),), id="this-coming-weekday"),
    pytest.param("friday after next", TUE, (days(20, 21),), id="weekday-after-next"),
    pytest.param("day after tomorrow", TUE, (days(12, 13),), id="day-after-tomorrow"),
    pytest.param("the day after tomorrow at 3", TUE, (precise(12, 15),), id="the-day-after-tomorrow-at-3"),
    pytest.param("tmrw", SAT, (days(15, 16),), id="tomorrow-said-saturday"),
    # weekends and weeks
    pytest.param("this weekend", TUE, (days(14, 16),), id="this-weekend"),
    pytest.param("the weekend", TUE, (days(14, 16),), id="the-weekend"),
    pytest.param("next weekend", TUE, (days(21, 23),), id="next-weekend"),
    pytest.param("this weekend", MON, (days(14, 16),), id="this-weekend-said-monday"),
    pytest.param("this weekend", SAT, (days(14, 16),), id="this-weekend-said-saturday-is-this-one"),
    pytest.param("next weekend", SAT, (days(21, 23),), id="next-weekend-said-saturday"),
    pytest.param("this weekend", SUN, (days(14, 16),), id="this-weekend-said-sunday-is-still-the-whole-weekend"),
    pytest.param("this weekend morning", TUE, (hours(14, 8, 12), hours(15, 8, 12)), id="weekend-morning-two-windows"),
    pytest.param("this weekend morning", SAT, (hours(15, 8, 12),), id="weekend-morning-saturdays-gone"),
    pytest.param("next week", TUE, (days(16, 23),), id="next-week"),
    pytest.param("next week sometime", TUE, (days(16, 23),), id="next-week-sometime"),
    pytest.param("next week", SAT, (days(16, 23),), id="next-week-said-saturday"),
    pytest.param("this week", TUE, (days(10, 16),), id="this-week-from-today"),
    pytest.param("this week", MON, (days(9, 16),), id="this-week-said-monday"),
    pytest.param("this week", SUN, (days(15, 16),), id="this-week-said-sunday"),
    pytest.param("in 3 days", TUE, (days(13, 14),), id="in-n-days"),
    pytest.param("in a couple of days", TUE, (days(12, 13),), id="in-a-couple-of-days"),
    pytest.param("in 2 days", SAT, (days(16, 17),), id="in-2-days-said-saturday"),
    pytest.param("in a week", TUE, (days(16, 23),), id="in-a-week-is-that-calendar-week"),
    pytest.param("in 2 weeks", TUE, (days(23, 30),), id="in-2-weeks"),
    pytest.param("in two weeks", TUE, (days(23, 30),), id="in-two-weeks-words"),
    pytest.param("the week after next", TUE, (days(23, 30),), id="week-after-next"),
    pytest.param("in a week", MON, (days(16, 23),), id="in-a-week-said-monday"),
    pytest.param("the week after next", MON, (days(23, 30),), id="week-after-next-said-monday"),
    # dates
    pytest.param("the 14th", TUE, (days(14, 15),), id="day-of-month"),
    pytest.param("14 march", TUE, (days(14, 15),), id="day-month"),
    pytest.param("14th of march", TUE, (days(14, 15),), id="day-of-month-name"),
    pytest.param("March 14, 2026", TUE, (days(14, 15),), id="month-day-year"),
    pytest.param("march 14 at 10am", TUE, (precise(14, 10),), id="month-day-time"),
    pytest.param("14/3", TUE, (days(14, 15),), id="day-first-when-month-first-is-impossible"),
    pytest.param("2026-03-14", TUE, (days(14, 15),), id="iso-date"),
    # day parts
    pytest.param("tue pm", TUE, (hours(10, 12, 17),), id="pm-after-a-day-is-afternoon"),
    pytest.param("sat am", TUE, (hours(14, 8, 12),), id="am-after-a-day-is-morning"),
    pytest.param("fri night", TUE, (hours(13, 17, 21),), id="night-is-evening"),
    pytest.param("tomorrow arvo", TUE, (hours(11, 12, 17),), id="arvo"),
    pytest.param("this morning", TUE, (hours(10, 8, 12),), id="this-morning-not-over"),
    pytest.param("this morning", SAT, (hours(15, 8, 12),), id="this-morning-after-it-is-tomorrow-morning"),
    pytest.param("morning", SAT, (hours(15, 8, 12),), id="gone-day-part-is-tomorrow"),
    pytest.param("fri morning or sat afternoon", TUE, (hours(13, 8, 12), hours(14, 12, 17)),
                 id="each-day-its-own-part"),
    pytest.param("tomorrow morning or afternoon", TUE, (hours(11, 8, 12), hours(11, 12, 17)),
                 id="two-parts-one-day"),
    pytest.param("first thing tomorrow", TUE, (hours(11, 8, 12),), id="first-thing-is-morning"),
    # clock times
    pytest.param("at 9", TUE, (precise(11, 9),), id="gone-precise-time-is-tomorrow"),
    pytest.param("at 9:15", TUE, (precise(10, 9, 15),), id="precise-time-now-is-not-gone"),
    pytest.param("2:30", TUE, (precise(10, 14, 30),), id="bare-clock-afternoon"),
    pytest.param("3 pm tomorrow", TUE, (precise(11, 15),), id="pm-as-a-word"),
    pytest.param("3 p.m. tomorrow", TUE, (precise(11, 15),), id="pm-with-dots"),
    pytest.param("tomorrow @ 2", TUE, (precise(11, 14),), id="at-sign"),
    pytest.param("3 o'clock", TUE, (precise(10, 15),), id="oclock"),
    pytest.param("at 0:30 on friday", TUE, (precise(13, 0, 30),), id="zero-hour-is-24h"),
    pytest.param("at 18:00 sat", TUE, (precise(14, 18),), id="24h-clock"),
    pytest.param("noon tomorrow", TUE, (precise(11, 12),), id="noon"),
    pytest.param("sat 10", TUE, (precise(14, 10),), id="number-after-a-day-is-a-time"),
    pytest.param("fri 10 or sat 11", TUE, (precise(13, 10), precise(14, 11)), id="two-day-times"),
    pytest.param("tomorrow at 3 or friday", TUE, (precise(11, 15), precise(13, 15)), id="time-carries-to-next-day"),
    pytest.param("tonight at 8", TUE, (precise(10, 20),), id="evening-reads-8-as-pm"),
    pytest.param("tomorrow morning at 6", TUE, (precise(11, 6),), id="morning-reads-6-as-am"),
    pytest.param("at two tomorrow", TUE, (precise(11, 14),), id="number-word"),
    # ranges, after, before, around
    pytest.param("2-4", TUE, (hours(10, 14, 16),), id="dash-range"),
    pytest.param("from 2 to 4", TUE, (hours(10, 14, 16),), id="from-to-range"),
    pytest.param("between 2 and 4 tomorrow", TUE, (hours(11, 14, 16),), id="between-range"),
    pytest.param("10am-2pm tomorrow", TUE, (hours(11, 10, 14),), id="marked-range"),
    pytest.param("9-11pm", TUE, (hours(10, 21, 23),), id="range-takes-the-ends-pm"),
    pytest.param("10-2pm", TUE, (hours(10, 10, 14),), id="range-keeps-its-order"),
    pytest.param("between 6 and 8", TUE, (hours(10, 18, 20),), id="unmarked-early-end-is-pm"),
    pytest.param("between 9 and 11", TUE, (hours(10, 9, 11),), id="range-not-over-is-today"),
    pytest.param("between 7 and 9", TUE, (hours(11, 7, 9),), id="range-over-is-tomorrow"),
    pytest.param("after 5", TUE, (hours(10, 17, 24),), id="after-runs-to-midnight"),
    pytest.param("after 5", SAT, (hours(14, 17, 24),), id="after-5-said-saturday"),
    pytest.param("from 5", TUE, (hours(10, 17, 24),), id="from-alone-is-after"),
    pytest.param("before 11", TUE, (hours(10, 8, 11),), id="before-from-8"),
    pytest.param("before 8", TUE, (hours(11, 0, 8),), id="before-8-from-midnight-tomorrow"),
    pytest.param("until 4", TUE, (hours(10, 8, 16),), id="until-is-before"),
    pytest.param("around noon", TUE, (hours(10, 11, 13),), id="around-noon"),
    pytest.param("about 3pm", TUE, (hours(10, 14, 16),), id="about"),
    pytest.param("3ish", TUE, (hours(10, 14, 16),), id="ish-suffix"),
    pytest.param("fri 3-ish", TUE, (hours(13, 14, 16),), id="dash-ish"),
    # Spanish, with and without accents
    pytest.param("mañana en la tarde", TUE, (hours(11, 12, 17),), id="es-manana-en-la-tarde"),
    pytest.param("manana en la tarde", TUE, (hours(11, 12, 17),), id="es-without-accents"),
    pytest.param("mañana por la mañana", TUE, (hours(11, 8, 12),), id="es-tomorrow-morning"),
    pytest.param("el sábado por la mañana", TUE, (hours(14, 8, 12),), id="es-sabado-por-la-manana"),
    pytest.param("el sabado por la manana", TUE, (hours(14, 8, 12),), id="es-sabado-without-accents"),
    pytest.param("el viernes en la tarde", TUE, (hours(13, 12, 17),), id="es-viernes-en-la-tarde"),
    pytest.param("el miércoles en la noche", TUE, (hours(11, 17, 21),), id="es-miercoles-noche"),
    pytest.param("por la noche", TUE, (hours(10, 17, 21),), id="es-por-la-noche"),
    pytest.param("hoy", TUE, (days(10, 11),), id="es-hoy"),
    pytest.param("mañana", TUE, (days(11, 12),), id="es-manana-alone-is-tomorrow"),
    pytest.param("pasado mañana", TUE, (days(12, 13),), id="es-pasado-manana"),
    pytest.param("a las 3", TUE, (precise(10, 15),), id="es-a-las-3"),
    pytest.param("a la una", TUE, (precise(10, 13),), id="es-a-la-una"),
    pytest.param("mañana a las 10", TUE, (precise(11, 10),), id="es-manana-a-las-10"),
    pytest.param("a las 9 de la noche", TUE, (precise(10, 21),), id="es-de-la-noche-is-pm"),
    pytest.param("el viernes a las 10 y media", TUE, (precise(13, 10, 30),), id="es-y-media"),
    pytest.param("después de las 5", TUE, (hours(10, 17, 24),), id="es-despues-de-las"),
    pytest.param("antes de las 12", TUE, (hours(10, 8, 12),), id="es-antes-de-las"),
    pytest.param("entre las 2 y las 4", TUE, (hours(10, 14, 16),), id="es-entre-las"),
    pytest.param("de 2 a 4", TUE, (hours(10, 14, 16),), id="es-de-a"),
    pytest.param("sobre las 5", TUE, (hours(10, 16, 18),), id="es-sobre-las-is-around"),
    pytest.param("el 14", TUE, (days(14, 15),), id="es-el-14"),
    pytest.param("el 14 de marzo", TUE, (days(14, 15),), id="es-14-de-marzo"),
    pytest.param("la próxima semana", TUE, (days(16, 23),), id="es-la-proxima-semana"),
    pytest.param("la semana que viene", TUE, (days(16, 23),), id="es-la-semana-que-viene"),
    pytest.param("este fin de semana", TUE, (days(14, 16),), id="es-este-fin-de-semana"),
    pytest.param("el próximo viernes", TUE, (days(13, 14),), id="es-proximo-viernes-is-the-coming-one"),
    pytest.param("en 3 días", TUE, (days(13, 14),), id="es-en-3-dias"),
    pytest.param("dentro de dos semanas", TUE, (days(23, 30),), id="es-dentro-de-dos-semanas"),
    pytest.param("el próximo viernes", datetime(2026, 3, 13, 10, tzinfo=CHICAGO), (days(20, 21),),
                 id="es-proximo-viernes-said-friday-is-next-weeks"),
    pytest.param("el viernes que viene", TUE, (days(13, 14),), id="es-viernes-que-viene"),
    # beyond the policy file (see the module docstring of nlu/when.py)
    pytest.param("frday morning", TUE, (hours(13, 8, 12),), id="weekday-typo"),
    pytest.param("satruday at 10", TUE, (precise(14, 10),), id="weekday-transposed-letters"),
    pytest.param("wensday at 1", TUE, (precise(11, 13),), id="weekday-two-slips-in-a-long-word"),
    pytest.param("is 3 ok tomorrow?", TUE, (precise(11, 15),), id="number-before-ok-is-a-time"),
    pytest.param("10 tomorrow", TUE, (precise(11, 10),), id="number-before-a-day-is-a-time"),
    pytest.param("tmrw at 10 or 2", TUE, (precise(11, 10), precise(11, 14)), id="number-after-or-a-time"),
    pytest.param("tmrw or the day after", TUE, (days(11, 12), days(12, 13)), id="the-day-after"),
    pytest.param("noonish sat", TUE, (hours(14, 11, 13),), id="noonish"),
    pytest.param("at 0900 tmrw", TUE, (precise(11, 9),), id="military-time"),
    pytest.param("please cancel tomorrow's appointment", TUE, (days(11, 12),), id="possessive-day"),
    pytest.param("sunday 5 april", TUE, (TimeWindow(at(5, month=4), at(6, month=4)),), id="weekday-and-date-one-day"),
    pytest.param("3/13 fri", TUE, (days(13, 14),), id="date-then-weekday-one-day"),
    pytest.param("good afternoon, can i get a wash tmrw", TUE, (days(11, 12),), id="greeting-is-no-day-part"),
    pytest.param("im free after 5 thurs but not fri", TUE, (hours(12, 17, 24),), id="not-rules-a-day-out"),
    pytest.param("not sat, sunday works", TUE, (days(15, 16),), id="not-first"),
    pytest.param("sat morning, or before 10 on sunday", TUE, (hours(14, 8, 12), hours(15, 8, 10)),
                 id="or-starts-a-new-time"),
]


@pytest.mark.parametrize(("text", "now", "windows"), RULES)
def test_time_rule(text: str, now: datetime, windows: tuple[TimeWindow, ...]) -> None:
    p = ask(text, now)

    assert p.windows == windows
    assert (p.asap, p.past, p.too_far) == (False, False, False)


@pytest.mark.parametrize(
    ("text", "now", "windows"),
    [
        pytest.param("asap", TUE, (TimeWindow(TUE, datetime(2026, 5, 9, 9, 15, tzinfo=CHICAGO)),), id="asap"),
        pytest.param("first available", TUE, (TimeWindow(TUE, datetime(2026, 5, 9, 9, 15, tzinfo=CHICAGO)),),
                     id="first-available"),
        pytest.param("as soon as possible", SAT, (TimeWindow(SAT, datetime(2026, 5, 13, 14, tzinfo=CHICAGO)),),
                     id="as-soon-as-possible"),
        pytest.param("lo antes posible", TUE, (TimeWindow(TUE, datetime(2026, 5, 9, 9, 15, tzinfo=CHICAGO)),),
                     id="es-lo-antes-posible"),
        pytest.param("cuanto antes", TUE, (TimeWindow(TUE, datetime(2026, 5, 9, 9, 15, tzinfo=CHICAGO)),),
                     id="es-cuanto-antes"),
        pytest.param("earliest on friday", TUE, (days(13, 14),), id="asap-with-a-day-is-that-day"),
        pytest.param("soonest next week", TUE, (days(16, 23),), id="asap-with-next-week"),
    ],
)
def test_asap(text: str, now: datetime, windows: tuple[TimeWindow, ...]) -> None:
    p = ask(text, now)

    assert p.windows == windows
    assert p.asap is True


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("see you soon", id="bare-soon-is-not-asap"),
        pytest.param("I have 2 cars by the way", id="count-is-not-a-time"),
        pytest.param("at one point", id="number-word-before-a-noun"),
        pytest.param("after 2 days", id="after-a-count"),
        pytest.param("next month", id="next-month-is-too-vague"),
        pytest.param("the 2nd one", id="ordinal-one-is-a-pick-not-a-date"),
        pytest.param("good morning", id="greeting"),
        pytest.param("2 please", id="number-please"),
        pytest.param("a sundae on monkey island", id="near-miss-words-are-not-weekdays"),
    ],
)
def test_no_time(text: str) -> None:
    p = ask(text)

    assert p.windows == ()
    assert (p.asap, p.past, p.too_far) == (False, False, False)


@pytest.mark.parametrize(
    ("text", "now"),
    [
        pytest.param("yesterday", TUE, id="yesterday"),
        pytest.param("yesterday at 3", TUE, id="yesterday-with-a-time"),
        pytest.param("last friday", TUE, id="last-weekday"),
        pytest.param("last week", TUE, id="last-week"),
        pytest.param("today at 9", datetime(2026, 3, 10, 14, 0, tzinfo=CHICAGO), id="today-at-9-said-at-14"),
        pytest.param("3/9", TUE, id="yesterday-by-date"),
        pytest.param("3/9 morning", TUE, id="a-gone-date-takes-its-time-along"),
        pytest.param("tonight", datetime(2026, 3, 10, 22, 0, tzinfo=CHICAGO), id="tonight-said-at-22"),
        pytest.param("ayer", TUE, id="es-ayer"),
        pytest.param("el viernes pasado", TUE, id="es-viernes-pasado"),
    ],
)
def test_past(text: str, now: datetime) -> None:
    p = ask(text, now)

    assert p.windows == ()
    assert p.past is True


def test_a_gone_day_does_not_hide_a_good_one() -> None:
    p = ask("yesterday or tomorrow")

    assert p.windows == (days(11, 12),)
    assert p.past is False


@pytest.mark.parametrize(
    ("text", "windows", "too_far"),
    [
        # now + 60 days is Sat 9 May 09:15 (wall clock): that day is cut there.
        pytest.param("in 60 days", (TimeWindow(at(9, month=5), at(9, 9, 15, month=5)),), False, id="cut-at-horizon"),
        pytest.param("may 9", (TimeWindow(at(9, month=5), at(9, 9, 15, month=5)),), False, id="date-cut-at-horizon"),
        pytest.param("may 10", (), True, id="day-beyond-horizon"),
        pytest.param("in 90 days", (), True, id="in-90-days"),
        pytest.param("3/14/2027", (), True, id="next-year"),
        pytest.param("tomorrow or june 1", (days(11, 12),), False, id="too-far-day-dropped-others-kept"),
    ],
)
def test_horizon(text: str, windows: tuple[TimeWindow, ...], too_far: bool) -> None:
    p = ask(text)

    assert p.windows == windows
    assert p.too_far is too_far
    assert p.past is False


def test_a_custom_horizon() -> None:
    p = parse("in 90 days", now=TUE, tz=ZONE, horizon=timedelta(days=120))

    assert p.windows == (TimeWindow(at(8, month=6), at(9, month=6)),)


def test_business_day_parts() -> None:
    early = {"morning": (datetime(2026, 1, 1, 7).time(), datetime(2026, 1, 1, 11).time())}
    p = parse("sat morning, or before 10 on sunday", now=TUE, tz=ZONE, day_parts=early)

    assert p.windows == (hours(14, 7, 11), hours(15, 7, 10))


def test_windows_are_capped() -> None:
    p = ask("this week and next week mornings and afternoons and evenings")

    assert len(p.windows) == 31


# --- DST -------------------------------------------------------------------------------------------------

def _wall(moment: datetime) -> tuple:
    return moment.timetuple()[:6]


@pytest.mark.parametrize(
    ("zone", "now", "text", "start_utc", "end_utc"),
    [
        # Chicago springs forward at 02:00 CST on Sun 8 Mar 2026: 02:30 does not exist and reads as 03:30 CDT.
        pytest.param("America/Chicago", datetime(2026, 3, 7, 10), "tomorrow at 2:30am",
                     datetime(2026, 3, 8, 8, 30, tzinfo=UTC), None, id="chicago-spring-2-30-is-3-30-cdt"),
        pytest.param("America/Chicago", datetime(2026, 3, 7, 10), "tomorrow",
                     datetime(2026, 3, 8, 6, tzinfo=UTC), datetime(2026, 3, 9, 5, tzinfo=UTC),
                     id="chicago-23-hour-day"),
        pytest.param("America/Chicago", datetime(2026, 3, 7, 10), "tomorrow around 2am",
                     datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 3, 8, 9, tzinfo=UTC),
                     id="chicago-around-is-real-time"),
        # Chicago falls back at 02:00 CDT on Sun 1 Nov 2026: 01:30 happens twice; the first one is meant.
        pytest.param("America/Chicago", datetime(2026, 10, 31, 10), "tomorrow at 1:30am",
                     datetime(2026, 11, 1, 6, 30, tzinfo=UTC), None, id="chicago-fall-1-30-first"),
        pytest.param("America/Chicago", datetime(2026, 10, 31, 10), "tomorrow",
                     datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 11, 2, 6, tzinfo=UTC),
                     id="chicago-25-hour-day"),
        pytest.param("America/New_York", datetime(2026, 3, 7, 10), "tomorrow at 2am",
                     datetime(2026, 3, 8, 7, tzinfo=UTC), None, id="new-york-spring-2am-is-3am-edt"),
        pytest.param("America/New_York", datetime(2026, 10, 31, 10), "tomorrow after 5",
                     datetime(2026, 11, 1, 22, tzinfo=UTC), datetime(2026, 11, 2, 5, tzinfo=UTC), id="new-york-fall"),
        # London springs forward at 01:00 GMT on Sun 29 Mar 2026 and falls back at 02:00 BST on 25 Oct.
        pytest.param("Europe/London", datetime(2026, 3, 28, 10), "tomorrow at 1:30am",
                     datetime(2026, 3, 29, 1, 30, tzinfo=UTC), None, id="london-spring-1-30-is-2-30-bst"),
        pytest.param("Europe/London", datetime(2026, 10, 24, 10), "tomorrow at 1:30am",
                     datetime(2026, 10, 25, 0, 30, tzinfo=UTC), None, id="london-fall-1-30-first"),
        # Sydney springs forward at 02:00 AEST on Sun 4 Oct 2026 and falls back at 03:00 AEDT on 5 Apr.
        pytest.param("Australia/Sydney", datetime(2026, 10, 3, 10), "tomorrow at 2:30am",
                     datetime(2026, 10, 3, 16, 30, tzinfo=UTC), None, id="sydney-spring-2-30-is-3-30-aedt"),
        pytest.param("Australia/Sydney", datetime(2026, 4, 4, 10), "tomorrow",
                     datetime(2026, 4, 4, 13, tzinfo=UTC), datetime(2026, 4, 5, 14, tzinfo=UTC),
                     id="sydney-25-hour-day"),
    ],
)
def test_dst_days(zone: str, now: datetime, text: str, start_utc: datetime, end_utc: datetime | None) -> None:
    tz = ZoneInfo(zone)
    p = parse(text, now=now.replace(tzinfo=tz), tz=zone)

    (window,) = p.windows
    assert window.start.astimezone(UTC) == start_utc
    assert window.end.astimezone(UTC) == (end_utc or start_utc)
    for moment in (window.start, window.end):  # a real local time: UTC and back gives the same wall time
        assert _wall(moment.astimezone(UTC).astimezone(tz)) == _wall(moment)


def test_a_weekday_with_a_bare_ordinal_is_that_date() -> None:
    now = datetime(2026, 3, 10, 9, 15, tzinfo=ZoneInfo("America/Chicago"))
    p = parse("tuesday 17th", now=now, tz="America/Chicago")
    assert [(w.start, w.end) for w in p.windows] == [
        (datetime(2026, 3, 17, 0, 0, tzinfo=ZoneInfo("America/Chicago")),
         datetime(2026, 3, 18, 0, 0, tzinfo=ZoneInfo("America/Chicago")))]
