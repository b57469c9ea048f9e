"""`nlu.parse` against the policy in nlu/when.py, the carrier keywords in nlu/intent.py, offered choices
and names. "Now" is Tue 2026-03-10 09:15 America/Chicago unless a row says otherwise."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import Intent, TimeWindow, parse
from nlu.person import name_in

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)  # a Tuesday
SERVICES = ["Express Wash", "Full Detail", "Interior Detail"]
ALIASES = {
    "Full Detail": ["full detail", "full", "detail"],
    "Interior Detail": ["interior", "inside", "inside only"],
    "Express Wash": ["express", "wash", "quick wash"],
}
OFFERED = (
    datetime(2026, 3, 11, 12, 0, tzinfo=CHICAGO),
    datetime(2026, 3, 11, 14, 30, tzinfo=CHICAGO),
    datetime(2026, 3, 11, 15, 0, tzinfo=CHICAGO),
)


def ask(text: str, *, now: datetime = NOW, offered: tuple[datetime, ...] = ()):
    return parse(text, now=now, tz=ZONE, services=SERVICES, offered=offered, aliases=ALIASES)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def window(start: datetime, end: datetime | None = None) -> TimeWindow:
    return TimeWindow(start, start if end is None else end)


def whole_day(year: int, month: int, day: int) -> TimeWindow:
    start = local(year, month, day)
    return TimeWindow(start, local(*(start + timedelta(days=1)).timetuple()[:3]))


# text, intent, service, windows, past
WHEN_AND_WHAT = [
    pytest.param("tomorrow afternoon, full detail", Intent.BOOK, "Full Detail",
                 (window(local(2026, 3, 11, 12), local(2026, 3, 11, 17)),), False, id="tomorrow-afternoon-service"),
    pytest.param("tmrw aft, full detial", Intent.BOOK, "Full Detail",
                 (window(local(2026, 3, 11, 12), local(2026, 3, 11, 17)),), False, id="abbreviations-and-typo"),
    pytest.param("sat morning?", Intent.AVAILABILITY, None,
                 (window(local(2026, 3, 14, 8), local(2026, 3, 14, 12)),), False, id="question-is-availability"),
    pytest.param("any time after 5 on thurs", Intent.AVAILABILITY, None,
                 (window(local(2026, 3, 12, 17), local(2026, 3, 13, 0)),), False, id="after-5-to-end-of-day"),
    pytest.param("the 14th around noon", Intent.BOOK, None,
                 (window(local(2026, 3, 14, 11), local(2026, 3, 14, 13)),), False, id="around-noon-an-hour-each-side"),
    pytest.param("fri or sat morning", Intent.BOOK, None,
                 (window(local(2026, 3, 13, 8), local(2026, 3, 13, 12)),
                  window(local(2026, 3, 14, 8), local(2026, 3, 14, 12))), False, id="day-part-applies-to-both-days"),
    pytest.param("sat or fri morning", Intent.BOOK, None,
                 (window(local(2026, 3, 14, 8), local(2026, 3, 14, 12)),
                  window(local(2026, 3, 13, 8), local(2026, 3, 13, 12))), False, id="windows-in-order-given"),
    pytest.param("3/14 at 2:30pm", Intent.BOOK, None, (window(local(2026, 3, 14, 14, 30)),), False,
                 id="slash-date-precise-time"),
    pytest.param("next tue", Intent.BOOK, None, (whole_day(2026, 3, 17),), False, id="next-weekday-is-next-week"),
    pytest.param("this sat", Intent.BOOK, None, (whole_day(2026, 3, 14),), False, id="this-weekday-is-bare-weekday"),
    pytest.param("tue", Intent.BOOK, None, (whole_day(2026, 3, 10),), False, id="bare-weekday-today-included"),
    pytest.param("Mar 14th", Intent.BOOK, None, (whole_day(2026, 3, 14),), False, id="month-name-and-ordinal"),
    pytest.param("3/1", Intent.BOOK, None, (whole_day(2027, 3, 1),), False, id="over-a-week-ago-rolls-to-next-year"),
    pytest.param("the 9th", Intent.BOOK, None, (whole_day(2026, 4, 9),), False, id="gone-day-of-month-is-next-month"),
    pytest.param("yesterday", Intent.BOOK, None, (), True, id="yesterday-is-past"),
    pytest.param("3/9 morning", Intent.BOOK, None, (), True, id="within-last-week-is-past"),
    pytest.param("3/9/26", Intent.BOOK, None, (), True, id="explicit-year-in-the-past"),
    pytest.param("today at 8am", Intent.BOOK, None, (), True, id="earlier-today-is-past"),
    pytest.param("at 8am", Intent.BOOK, None, (window(local(2026, 3, 11, 8)),), False,
                 id="gone-time-without-day-is-tomorrow"),
    pytest.param("morning", Intent.BOOK, None, (window(local(2026, 3, 10, 8), local(2026, 3, 10, 12)),), False,
                 id="day-part-not-over-is-today"),
    pytest.param("tonight", Intent.BOOK, None, (window(local(2026, 3, 10, 17), local(2026, 3, 10, 21)),), False,
                 id="tonight-is-this-evening"),
    pytest.param("at 3", Intent.BOOK, None, (window(local(2026, 3, 10, 15)),), False, id="bare-3-is-afternoon"),
    pytest.param("at 7", Intent.BOOK, None, (window(local(2026, 3, 11, 7)),), False, id="bare-7-is-morning"),
    pytest.param("at 12", Intent.BOOK, None, (window(local(2026, 3, 10, 12)),), False, id="bare-12-is-noon"),
    pytest.param("before noon", Intent.BOOK, None, (window(local(2026, 3, 10, 8), local(2026, 3, 10, 12)),), False,
                 id="before-noon-from-start-of-day-part"),
    pytest.param("between 1 and 3 on friday", Intent.BOOK, None,
                 (window(local(2026, 3, 13, 13), local(2026, 3, 13, 15)),), False, id="between-range"),
    pytest.param("2/29", Intent.UNKNOWN, None, (), False, id="no-such-date-in-2026"),
    pytest.param("interior detail friday at 3", Intent.BOOK, "Interior Detail", (window(local(2026, 3, 13, 15)),),
                 False, id="longer-service-phrase-wins"),
    pytest.param("quick wash sat", Intent.BOOK, "Express Wash", (whole_day(2026, 3, 14),), False, id="alias-phrase"),
    pytest.param("retail", Intent.UNKNOWN, None, (), False, id="near-miss-is-no-service"),
]


@pytest.mark.parametrize(("text", "intent", "service", "windows", "past"), WHEN_AND_WHAT)
def test_when_and_what(text: str, intent: Intent, service: str | None, windows: tuple[TimeWindow, ...],
                       past: bool) -> None:
    p = ask(text)

    assert p.intent is intent
    assert p.service == service
    assert p.windows == windows
    assert p.past is past
    assert p.asap is False
    assert p.choice is None


def test_windows_are_in_the_business_zone() -> None:
    p = ask("tomorrow afternoon")

    assert [(w.start.tzinfo, w.end.tzinfo) for w in p.windows] == [(CHICAGO, CHICAGO)]
    assert p.windows[0].start.utcoffset() == timedelta(hours=-5)


def test_asap_runs_from_now_to_the_horizon() -> None:
    p = ask("asap")

    assert p.asap is True
    assert p.windows == (window(NOW, local(2026, 5, 9, 9, 15)),)
    assert p.past is False


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        pytest.param("next tue", local(2026, 3, 9, 10), whole_day(2026, 3, 17), id="next-tue-said-monday"),
        pytest.param("next fri", local(2026, 3, 12, 10), whole_day(2026, 3, 20), id="next-fri-said-thursday"),
        pytest.param("fri", local(2026, 3, 12, 10), whole_day(2026, 3, 13), id="fri-said-thursday"),
        pytest.param("sat", local(2026, 3, 14, 10), whole_day(2026, 3, 14), id="sat-said-saturday-is-today"),
        pytest.param("next sun", local(2026, 3, 15, 10), whole_day(2026, 3, 22), id="next-sun-said-sunday"),
        pytest.param("the 14th", local(2026, 3, 15, 10), whole_day(2026, 4, 14), id="the-14th-after-it-went"),
        pytest.param("the 14th", local(2026, 3, 14, 10), whole_day(2026, 3, 14), id="the-14th-on-the-day"),
        pytest.param("3/14", local(2026, 3, 22, 10), whole_day(2027, 3, 14), id="eight-days-ago-rolls"),
        pytest.param("12/31", local(2026, 12, 31, 10), whole_day(2026, 12, 31), id="new-years-eve-on-the-day"),
        pytest.param("tomorrow", local(2026, 12, 31, 10), whole_day(2027, 1, 1), id="tomorrow-over-new-year"),
    ],
)
def test_day_policy_relative_to_now(text: str, now: datetime, expected: TimeWindow) -> None:
    p = ask(text, now=now)

    assert p.windows == (expected,)
    assert p.past is False


@pytest.mark.parametrize(
    ("text", "now"),
    [
        pytest.param("3/14", local(2026, 3, 21, 10), id="exactly-seven-days-ago"),
        pytest.param("last fri", local(2026, 3, 12, 10), id="last-weekday"),
    ],
)
def test_recent_days_are_past(text: str, now: datetime) -> None:
    p = ask(text, now=now)

    assert p.windows == ()
    assert p.past is True


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        pytest.param("help", Intent.HELP, id="help"),
        pytest.param("menu", Intent.HELP, id="menu"),
        pytest.param("?", Intent.HELP, id="question-mark"),
        pytest.param("STOP", Intent.OPTOUT, id="STOP"),
        pytest.param("cancel", Intent.OPTOUT, id="single-word-cancel-is-carrier-optout"),
        pytest.param("end", Intent.OPTOUT, id="end"),
        pytest.param("Unsubscribe", Intent.OPTOUT, id="unsubscribe"),
        pytest.param("START", Intent.OPTIN, id="START"),
        pytest.param("cancel my appointment", Intent.CANCEL, id="cancel-appointment"),
        pytest.param("can I talk to someone", Intent.HUMAN, id="human"),
        pytest.param("yes", Intent.AFFIRM, id="yes"),
        pytest.param("Sounds good", Intent.AFFIRM, id="sounds-good"),
        pytest.param("nah", Intent.DENY, id="nah"),
        pytest.param("thanks!", Intent.THANKS, id="thanks"),
        pytest.param("hi there", Intent.GREET, id="greet"),
        pytest.param("can I reschedule", Intent.RESCHEDULE, id="reschedule"),
    ],
)
def test_intents(text: str, intent: Intent) -> None:
    p = ask(text)

    assert p.intent is intent
    assert p.windows == ()
    assert p.choice is None


def test_price_question_names_the_service() -> None:
    p = ask("how much for interior?")

    assert p.intent is Intent.INFO
    assert p.service == "Interior Detail"


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        pytest.param("2", 2, id="bare-number"),
        pytest.param("#2", 2, id="hash-number"),
        pytest.param("second", 2, id="ordinal-word"),
        pytest.param("2nd one", 2, id="ordinal-one"),
        pytest.param("the 2:30 one", 2, id="time-one"),
        pytest.param("2:30", 2, id="bare-time"),
        pytest.param("3pm", 3, id="hour-with-pm"),
        pytest.param("12", 1, id="number-too-big-for-index-is-a-time"),
        pytest.param("the later one", 3, id="later-is-last"),
        pytest.param("the earlier one", 1, id="earlier-is-first"),
        pytest.param("one", 1, id="number-word-alone"),
        pytest.param("option 3 please, thanks so much", 3, id="option-number-in-longer-text"),
    ],
)
def test_choosing_an_offered_time(text: str, choice: int) -> None:
    p = ask(text, offered=OFFERED)

    assert p.choice == choice
    assert p.intent is Intent.CHOOSE


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2pm", id="time-not-offered"),
        pytest.param("4", id="index-out-of-range"),
        pytest.param("fourth", id="ordinal-out-of-range"),
        pytest.param("I have 2 cars to do", id="number-in-a-sentence"),
    ],
)
def test_replies_that_pick_nothing(text: str) -> None:
    assert ask(text, offered=OFFERED).choice is None


def test_no_choice_without_offers() -> None:
    assert ask("2").choice is None


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        pytest.param("friday at 3", window(local(2026, 3, 13, 15)), id="friday-at-3-is-not-wed-15"),
        pytest.param("3/14 at 2:30pm", window(local(2026, 3, 14, 14, 30)), id="sat-1430-is-not-wed-1430"),
    ],
)
def test_naming_another_day_does_not_pick_an_offer(text: str, asked: TimeWindow) -> None:
    p = ask(text, offered=OFFERED)

    assert p.windows == (asked,)
    assert p.choice is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("it's dana k", "Dana K", id="introduced"),
        pytest.param("Dana", "Dana", id="bare-name"),
        pytest.param("my name is mary-jane o'neil", "Mary-jane O'neil", id="hyphen-apostrophe"),
        pytest.param("hi, im bob.", "Bob", id="greeting-and-period"),
        pytest.param("yes", None, id="yes-is-not-a-name"),
        pytest.param("Stop", None, id="stop-is-not-a-name"),
        pytest.param("12345", None, id="digits"),
        pytest.param("", None, id="empty"),
        pytest.param("a b c d e", None, id="too-many-words"),
        pytest.param("x" * 61, None, id="too-long"),
    ],
)
def test_name_in(text: str, expected: str | None) -> None:
    assert name_in(text) == expected


def test_parse_fills_the_name_only_when_introduced() -> None:
    assert ask("it's dana k").name == "Dana K"
    assert ask("Dana").name is None


def test_parse_finds_an_email() -> None:
    assert ask("sure, dana.k+cars@example.co.uk").email == "dana.k+cars@example.co.uk"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        pytest.param("", Intent.UNKNOWN, id="empty"),
        pytest.param("   ", Intent.UNKNOWN, id="spaces"),
        pytest.param("😀😀", Intent.UNKNOWN, id="emoji-only"),
        pytest.param("\x00\x07", Intent.UNKNOWN, id="control-chars"),
        pytest.param("x" * 5000, Intent.UNKNOWN, id="very-long"),
        pytest.param("<script>alert(1)</script>", Intent.UNKNOWN, id="html"),
        # "booking" is one of the classifier's booking keywords, so this reads as a (weak) request to book.
        pytest.param("'; DROP TABLE booking;--", Intent.BOOK, id="sql-has-booking-keyword"),
    ],
)
def test_bad_input_never_raises(text: str, intent: Intent) -> None:
    p = ask(text)

    assert p.intent is intent
    assert p.windows == ()
    assert p.service is None
    assert p.choice is None
    assert p.name is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("fri around 11pm", window(local(2026, 3, 13, 22), local(2026, 3, 14, 0)), id="around-11pm"),
        pytest.param("fri around 11:30pm", window(local(2026, 3, 13, 22, 30), local(2026, 3, 14, 0, 30)),
                     id="around-1130pm"),
        pytest.param("sat around 12am", window(local(2026, 3, 13, 23), local(2026, 3, 14, 1)), id="around-midnight"),
    ],
)
def test_around_a_time_near_midnight_spans_midnight(text: str, expected: TimeWindow) -> None:
    p = ask(text)

    assert p.windows == (expected,)
    assert p.windows[0].start <= p.windows[0].end


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_parse_never_raises_and_windows_are_sane(text: str) -> None:
    p = ask(text, offered=OFFERED)

    assert isinstance(p.intent, Intent)
    assert p.choice is None or 1 <= p.choice <= len(OFFERED)
    for w in p.windows:
        assert w.start <= w.end
        assert w.start >= NOW - timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(
    ["tomorrow", "tmrw", "next", "this", "last", "the", "14th", "31st", "3/14", "2/30", "13/1", "12/31/25", "fri",
     "sat", "sun", "morning", "aft", "evening", "at", "around", "after", "before", "between", "and", "3", "12",
     "11:30pm", "0:00", "noon", "asap", "today", "yesterday", "or", "mar", "feb", "29th", "pm", "am"]), max_size=8))
def test_date_like_word_soup_never_raises_and_windows_are_sane(words: list[str]) -> None:
    p = ask(" ".join(words), offered=OFFERED)

    for w in p.windows:
        assert w.start <= w.end
        assert w.start >= NOW - timedelta(days=1)
