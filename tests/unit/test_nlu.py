"""`nlu.parse` against the policy in nlu/when.py, the carrier keywords in nlu/intent.py, offered choices
and names. "Now" is Tue 2026-03-10 09:15 America/Chicago unless a row says otherwise."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import Intent, TimeWindow, parse
from nlu.person import name_in
from nlu.service import matched_service

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


def ask(text: str, *, now: datetime = NOW, offered: tuple[datetime, ...] = (), horizon: timedelta = timedelta(days=60)):
    return parse(text, now=now, tz=ZONE, services=SERVICES, offered=offered, aliases=ALIASES, horizon=horizon)


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
    # Rolled to next year, 3/1/2027 lies beyond the 60-day horizon (nlu_policy.md): no window, too_far.
    pytest.param("3/1", Intent.BOOK, None, (), False, id="over-a-week-ago-rolls-beyond-the-horizon"),
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
        pytest.param("12/31", local(2026, 12, 31, 10), whole_day(2026, 12, 31), id="new-years-eve-on-the-day"),
        pytest.param("tomorrow", local(2026, 12, 31, 10), whole_day(2027, 1, 1), id="tomorrow-over-new-year"),
    ],
)
def test_day_policy_relative_to_now(text: str, now: datetime, expected: TimeWindow) -> None:
    p = ask(text, now=now)

    assert p.windows == (expected,)
    assert p.past is False


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        pytest.param("3/1", NOW, whole_day(2027, 3, 1), id="over-a-week-ago-rolls-to-next-year"),
        pytest.param("3/14", local(2026, 3, 22, 10), whole_day(2027, 3, 14), id="eight-days-ago-rolls"),
    ],
)
def test_old_dates_roll_to_next_year_within_a_long_horizon(text: str, now: datetime, expected: TimeWindow) -> None:
    # The default 60-day horizon would drop next year's date (too_far); a year-long horizon shows the roll.
    p = ask(text, now=now, horizon=timedelta(days=400))

    assert p.windows == (expected,)
    assert (p.past, p.too_far) == (False, False)


def test_old_dates_roll_beyond_the_default_horizon() -> None:
    p = ask("3/14", now=local(2026, 3, 22, 10))

    assert p.windows == ()
    assert (p.past, p.too_far) == (False, True)


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


# --- Picking an offer by weekday, and in Spanish --------------------------------------------------------

SPREAD = (
    datetime(2026, 3, 11, 12, 0, tzinfo=CHICAGO),   # Wed
    datetime(2026, 3, 13, 14, 30, tzinfo=CHICAGO),  # Fri
    datetime(2026, 3, 14, 15, 0, tzinfo=CHICAGO),   # Sat
    datetime(2026, 3, 18, 10, 0, tzinfo=CHICAGO),   # next Wed
)


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        pytest.param("friday's", 2, id="possessive"),
        pytest.param("Friday’s good", 2, id="curly-apostrophe"),
        pytest.param("the friday one", 2, id="the-friday-one"),
        pytest.param("the one on saturday please", 3, id="the-one-on-saturday"),
        pytest.param("friday", 2, id="a-bare-weekday-with-one-offer-that-day"),
        pytest.param("sat works", 3, id="weekday-works"),
        pytest.param("the friday afternoon one", 2, id="the-only-offer-in-that-day-part"),
        pytest.param("el del viernes", 2, id="es-el-del-viernes"),
        pytest.param("la del sábado", 3, id="es-la-del-sabado"),
        pytest.param("la primera", 1, id="es-la-primera"),
        pytest.param("la segunda", 2, id="es-la-segunda"),
        pytest.param("la tercera opción", 3, id="es-la-tercera-opcion"),
        pytest.param("el de las 2:30", 2, id="es-el-de-las-230"),
        pytest.param("la de las 3", 3, id="es-la-de-las-3-is-a-time"),
    ],
)
def test_picking_by_weekday_and_in_spanish(text: str, choice: int) -> None:
    p = ask(text, offered=SPREAD)

    assert p.choice == choice
    assert p.intent is Intent.CHOOSE


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the wednesday one", id="two-offers-on-wednesday"),
        pytest.param("the monday one", id="no-offer-on-monday"),
        pytest.param("anything friday?", id="asks-about-friday"),
        pytest.param("thursday", id="no-offer-on-the-day-asked"),
    ],
)
def test_weekday_picks_need_exactly_one_offer_that_day(text: str) -> None:
    assert ask(text, offered=SPREAD).choice is None


def test_a_day_tells_apart_two_offers_at_the_same_time() -> None:
    offered = (datetime(2026, 3, 16, 10, 0, tzinfo=CHICAGO), datetime(2026, 3, 17, 10, 0, tzinfo=CHICAGO))

    assert ask("the 10am on tuesday", now=local(2026, 3, 14, 10, 30), offered=offered).choice == 2
    assert ask("the 10am", now=local(2026, 3, 14, 10, 30), offered=offered).choice is None


def test_a_number_that_picks_is_not_also_a_time() -> None:
    p = ask("2 works", offered=OFFERED)

    assert (p.choice, p.windows) == (2, ())


def test_a_number_beyond_the_options_is_a_time() -> None:
    offered = (datetime(2026, 3, 11, 9, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 11, 30, tzinfo=CHICAGO))
    p = ask("9 works", offered=offered)

    assert (p.choice, p.windows) == (1, (window(local(2026, 3, 11, 9)),))


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        pytest.param("the later one", 3, id="later-one"),
        pytest.param("do you have anything later?", None, id="asking-for-later-times-is-not-a-pick"),
        pytest.param("option two please", 2, id="option-number-word"),
        pytest.param("la más tarde", 3, id="es-la-mas-tarde"),
    ],
)
def test_relative_and_worded_picks(text: str, choice: int | None) -> None:
    assert ask(text, offered=OFFERED).choice == choice


def test_at_3_is_a_time_not_option_3() -> None:
    offered = (datetime(2026, 3, 11, 15, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 16, 0, tzinfo=CHICAGO),
               datetime(2026, 3, 11, 17, 0, tzinfo=CHICAGO))

    assert ask("at 3", offered=offered).choice == 1


def test_the_2nd_is_option_two_even_though_it_is_also_a_date() -> None:
    assert ask("the 2nd", offered=OFFERED).choice == 2


# --- Addresses ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "address"),
    [
        pytest.param("123 Oak St, Austin", "123 Oak St, Austin", id="street-and-city"),
        pytest.param("it's 45 Elm Avenue apt 2", "45 Elm Avenue apt 2", id="introduced-with-unit"),
        pytest.param("4500 W 6th St Austin TX 78703", "4500 W 6th St Austin TX 78703", id="direction-ordinal-zip"),
        pytest.param("Calle Mayor 5", "Calle Mayor 5", id="es-calle"),
        pytest.param("estoy en Avenida de la Constitución 12, Sevilla", "Avenida de la Constitución 12, Sevilla",
                     id="es-avenida-city"),
        pytest.param("123 oak st tomorrow at 3", "123 oak st", id="stops-at-the-time"),
        pytest.param("1200 Barton Springs Rd. See you then", "1200 Barton Springs Rd.", id="stops-at-sentence"),
        pytest.param("full detail\n77 Sunset Blvd\nthanks", "77 Sunset Blvd", id="own-line"),
        pytest.param("5 Oak Ln, Round Rock TX, dana@example.com", "5 Oak Ln, Round Rock TX", id="stops-at-email"),
    ],
)
def test_address(text: str, address: str) -> None:
    assert ask(text).address == address


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the 14th", id="ordinal-day"),
        pytest.param("at 3", id="time"),
        pytest.param("2:30", id="clock"),
        pytest.param("I have 2 cars by the way", id="count-and-way"),
        pytest.param("in 2 weeks", id="weeks"),
        pytest.param("at 3 on main", id="no-suffix"),
    ],
)
def test_not_an_address(text: str) -> None:
    assert ask(text).address is None


def test_an_address_number_is_not_a_time() -> None:
    p = ask("I'm at 5 Oak St")

    assert p.address == "5 Oak St"
    assert p.windows == ()
    assert p.name is None


def test_address_with_a_time_keeps_both() -> None:
    p = ask("123 Oak St, Austin. Tomorrow at 3 works")

    assert p.address == "123 Oak St, Austin"
    assert p.windows == (window(local(2026, 3, 11, 15)),)


def test_name_and_address_in_one_text() -> None:
    p = ask("my name is Dana, 123 Oak St")

    assert (p.name, p.address) == ("Dana", "123 Oak St")


# --- Language -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "language"),
    [
        pytest.param("¿tienen algo el sábado?", "es", id="es-question"),
        pytest.param("mañana en la tarde", "es", id="es-time"),
        pytest.param("manana en la tarde", "es", id="es-without-accents"),
        pytest.param("quiero una cita para el viernes", "es", id="es-sentence"),
        pytest.param("hola", "es", id="es-greeting"),
        pytest.param("Sí", "es", id="es-yes"),
        pytest.param("el sábado at 3pm", "es", id="mostly-spanish"),
        pytest.param("tomorrow afternoon, full detail", "en", id="en"),
        pytest.param("hola, can I book tomorrow?", "en", id="mixed-is-en"),
        pytest.param("ok", "en", id="unclear-is-en"),
        pytest.param("2", "en", id="digits-are-en"),
        pytest.param("Jose", "en", id="a-name-is-en"),
        pytest.param("", "en", id="empty"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert ask(text).language == language


# --- More bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        pytest.param("\u200b\u200d\ufeff", id="zero-width"),
        pytest.param("\ud800 tomorrow", id="lone-surrogate"),
        pytest.param("𐹠 ٣ ²", id="odd-digits"),
        pytest.param("tomorrow at 3 " * 200, id="long-repeated-time"),
        pytest.param("next week morning " * 150, id="long-repeated-span"),
        pytest.param("<b>tmrw</b> at 3", id="html-around-a-time"),
        pytest.param("SELECT * FROM bookings WHERE day = 'friday'", id="sql-with-a-weekday"),
        pytest.param("mañana tomorrow demain 明天", id="mixed-languages"),
        pytest.param("the 0th", id="zeroth"),
        pytest.param("99/99/9999 25:61 at 99", id="impossible-date-and-times"),
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    p = ask(text, offered=OFFERED)

    assert isinstance(p.intent, Intent)
    assert len(p.windows) <= 31
    assert all(w.start <= w.end for w in p.windows)


CONTRACT_INTENTS = {"book", "availability", "choose", "affirm", "deny", "reschedule", "cancel", "info", "human",
                    "greet", "thanks", "optout", "optin", "help", "unknown"}


@pytest.mark.parametrize("text", ["text me if anything earlier opens", "put me on the waitlist",
                                  "avísame si se libera algo antes"])
def test_a_waitlist_request_is_an_availability_question_flagged_for_the_waitlist(text: str) -> None:
    p = ask(text)
    assert (p.intent, p.waitlist) == (Intent.AVAILABILITY, True)
    assert p.intent.value in CONTRACT_INTENTS


@pytest.mark.parametrize(("words", "expected"), [
    (["interior", "detail", "fri"], "Interior Detail"),   # the longest exact phrase wins
    (["detail", "fri"], "Full Detail"),                   # the alias "detail"
    (["interior", "detial"], "Interior Detail"),          # "interior" exact beats any fuzzy phrase
    (["full", "detial", "please"], "Full Detail"),        # "full" exact; "full detial" (fuzzy 91) would agree
    (["intreior", "detail"], "Full Detail"),              # exact "detail" beats "interior detail" at fuzzy 93
    (["ful", "detial"], "Full Detail"),                   # no exact phrase: "full detail" at fuzzy 86
    (["retail"], None),                                   # 83 against "detail": too far
    (["was", "it"], None),                                # short words match only exactly
    ([], None),
])
def test_matched_service_prefers_exact_phrases_then_the_closest(words: list[str], expected: str | None) -> None:
    assert matched_service(words, SERVICES, ALIASES) == expected
