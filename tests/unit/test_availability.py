"""Free slots from weekly hours, busy time, buffers, notice, horizon and DST.

The demo-like business: open Mon-Sat 08:00-18:00 America/Chicago, a 180-minute job on a 30-minute
grid, 15 minutes of buffer either side of a job and 60 minutes of notice. "Now" is Tue 2026-03-10
09:15 local (CDT, two days after the spring-forward change).
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.availability import (
    Slot,
    SlotRules,
    StaffCalendar,
    WeeklyRule,
    distinct_starts,
    free_slots,
    nearest_slots,
    opening_ranges,
    spread_offers,
)
from bot.domain.span import Span

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)  # a Tuesday
MON_SAT_8_TO_6 = tuple(WeeklyRule(weekday, time(8), time(18)) for weekday in range(6))
DEMO = SlotRules(duration=timedelta(minutes=180), buffer=timedelta(minutes=15), grid=timedelta(minutes=30),
                 notice=timedelta(minutes=60))
WED_AFTERNOON = Span(datetime(2026, 3, 11, 12, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 17, 0, tzinfo=CHICAGO))
WED_ALL_DAY = Span(datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 12, 0, 0, tzinfo=CHICAGO))


def wed(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 11, hour, minute, tzinfo=CHICAGO)


def staff(staff_id: int = 1, *, busy: tuple[Span, ...] = (), time_off: tuple[Span, ...] = (),
          rules: tuple[WeeklyRule, ...] = MON_SAT_8_TO_6) -> StaffCalendar:
    return StaffCalendar(staff_id, rules, time_off=time_off, busy=busy)


def local_starts(slots: list[Slot], tz: ZoneInfo = CHICAGO) -> list[str]:
    """Slot starts as local wall-clock text with the zone abbreviation, e.g. "Wed 11 12:00 CDT"."""
    return [slot.start.astimezone(tz).strftime("%a %d %H:%M %Z") for slot in slots]


def starts_with_staff(slots: list[Slot]) -> list[tuple[str, int]]:
    return [(slot.start.astimezone(CHICAGO).strftime("%a %H:%M"), slot.staff_id) for slot in slots]


# --- the demo business ---------------------------------------------------------------------------------


def test_tomorrow_afternoon_offers_every_half_hour_until_the_last_job_fits() -> None:
    slots = free_slots([staff()], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)

    assert local_starts(slots) == ["Wed 11 12:00 CDT", "Wed 11 12:30 CDT", "Wed 11 13:00 CDT", "Wed 11 13:30 CDT",
                                   "Wed 11 14:00 CDT", "Wed 11 14:30 CDT", "Wed 11 15:00 CDT"]
    assert all(slot.end - slot.start == timedelta(minutes=180) for slot in slots)
    assert {slot.staff_id for slot in slots} == {1}


def test_first_start_after_a_booking_clears_the_buffer_and_lands_on_the_grid() -> None:
    # Busy 10:00-11:30 plus 15 min buffer frees at 11:45, which is off the 30-minute grid.
    calendar = staff(busy=(Span(wed(10), wed(11, 30)),))
    window = Span(wed(10), wed(17))

    slots = free_slots([calendar], DEMO, window, now=NOW, tz=CHICAGO)

    assert local_starts(slots)[0] == "Wed 11 12:00 CDT"
    assert wed(11, 45) not in [slot.start for slot in slots]
    assert len(slots) == 7  # 12:00 .. 15:00


@pytest.mark.parametrize(
    ("buffer_minutes", "expected"),
    [
        # Booking 12:00-14:00. A 3 h job starting 09:00 ends at 12:00, touching the booking.
        pytest.param(0, ["08:00", "08:30", "09:00", "14:00", "14:30", "15:00"], id="no-buffer-touching-is-fine"),
        # 11:45-14:15 blocked: 08:30 ends 11:30 (fits), 09:00 ends 12:00 (no); 14:00 is too early, 14:30 fits.
        pytest.param(15, ["08:00", "08:30", "14:30", "15:00"], id="15-min-buffer"),
        # 11:30-14:30 blocked: 08:30 ends exactly at 11:30 (fits), 14:30 starts exactly at the end (fits).
        pytest.param(30, ["08:00", "08:30", "14:30", "15:00"], id="30-min-buffer-exact-edges"),
        # 11:15-14:45 blocked: 08:30 ends 11:30 (no), next grid start after 14:45 is 15:00.
        pytest.param(45, ["08:00", "15:00"], id="45-min-buffer"),
    ],
)
def test_buffer_is_kept_before_and_after_every_booking(buffer_minutes: int, expected: list[str]) -> None:
    rules = SlotRules(duration=timedelta(minutes=180), buffer=timedelta(minutes=buffer_minutes),
                      grid=timedelta(minutes=30), notice=timedelta(minutes=60))
    calendar = staff(busy=(Span(wed(12), wed(14)),))

    slots = free_slots([calendar], rules, WED_ALL_DAY, now=NOW, tz=CHICAGO)

    assert [slot.start.astimezone(CHICAGO).strftime("%H:%M") for slot in slots] == expected


def test_a_start_busy_for_one_technician_is_offered_through_the_other() -> None:
    busy_one = staff(1, busy=(Span(wed(13), wed(14)),))  # blocks 12:45-14:15 with buffers
    free_two = staff(2)

    slots = free_slots([busy_one, free_two], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)

    assert starts_with_staff(slots) == [
        ("Wed 12:00", 2), ("Wed 12:30", 2), ("Wed 13:00", 2), ("Wed 13:30", 2), ("Wed 14:00", 2),
        ("Wed 14:30", 1), ("Wed 14:30", 2), ("Wed 15:00", 1), ("Wed 15:00", 2),
    ]
    assert starts_with_staff(distinct_starts(slots)) == [
        ("Wed 12:00", 2), ("Wed 12:30", 2), ("Wed 13:00", 2), ("Wed 13:30", 2), ("Wed 14:00", 2),
        ("Wed 14:30", 1), ("Wed 15:00", 1),
    ]


def test_time_off_removes_slots_without_a_buffer() -> None:
    calendar = staff(time_off=(Span(wed(12), wed(14)),))

    slots = free_slots([calendar], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)

    assert local_starts(slots) == ["Wed 11 14:00 CDT", "Wed 11 14:30 CDT", "Wed 11 15:00 CDT"]


def test_a_whole_day_off_leaves_nothing() -> None:
    calendar = staff(time_off=(WED_ALL_DAY,))

    assert free_slots([calendar], DEMO, WED_ALL_DAY, now=NOW, tz=CHICAGO) == []


@pytest.mark.parametrize(
    ("notice_minutes", "first_start"),
    [
        pytest.param(0, "Tue 10 09:30 CDT", id="no-notice-next-grid-start"),
        pytest.param(15, "Tue 10 09:30 CDT", id="15-min-notice-lands-on-grid"),
        pytest.param(60, "Tue 10 10:30 CDT", id="one-hour-notice"),
        pytest.param(180, "Tue 10 12:30 CDT", id="three-hour-notice"),
    ],
)
def test_minimum_notice_removes_starts_before_now_plus_notice(notice_minutes: int, first_start: str) -> None:
    rules = SlotRules(duration=timedelta(minutes=180), buffer=timedelta(minutes=15), grid=timedelta(minutes=30),
                      notice=timedelta(minutes=notice_minutes))
    today = Span(datetime(2026, 3, 10, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO))

    slots = free_slots([staff()], rules, today, now=NOW, tz=CHICAGO)

    assert local_starts(slots)[0] == first_start
    assert local_starts(slots)[-1] == "Tue 10 15:00 CDT"


def test_no_start_beyond_the_horizon() -> None:
    rules = SlotRules(duration=timedelta(minutes=180), buffer=timedelta(minutes=15), grid=timedelta(minutes=30),
                      notice=timedelta(minutes=60), horizon=timedelta(days=2))
    thursday = Span(datetime(2026, 3, 12, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 13, 0, 0, tzinfo=CHICAGO))

    slots = free_slots([staff()], rules, thursday, now=NOW, tz=CHICAGO)

    # The horizon ends Thu 09:15: the last start is 09:00, its job may run past the horizon.
    assert local_starts(slots) == ["Thu 12 08:00 CDT", "Thu 12 08:30 CDT", "Thu 12 09:00 CDT"]


def test_a_window_wholly_beyond_the_horizon_is_empty() -> None:
    friday = Span(datetime(2026, 3, 13, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 14, 0, 0, tzinfo=CHICAGO))
    rules = SlotRules(duration=timedelta(minutes=180), horizon=timedelta(days=2))

    assert free_slots([staff()], rules, friday, now=NOW, tz=CHICAGO) == []


@pytest.mark.parametrize(
    ("start", "busy", "expected"),
    [
        pytest.param(wed(13), (), ["Wed 11 13:00 CDT"], id="free-on-grid"),
        pytest.param(wed(15), (), ["Wed 11 15:00 CDT"], id="last-start-of-day"),
        pytest.param(wed(15, 30), (), [], id="job-would-run-past-closing"),
        pytest.param(wed(13, 15), (), [], id="off-grid"),
        pytest.param(wed(7, 30), (), [], id="before-opening"),
        pytest.param(wed(13), (Span(wed(16), wed(17)),), [], id="buffer-of-later-booking"),
        pytest.param(wed(12), (Span(wed(10), wed(11, 45)),), ["Wed 11 12:00 CDT"], id="buffer-just-cleared"),
        pytest.param(datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO), (), [], id="inside-notice"),
        pytest.param(datetime(2026, 3, 10, 10, 30, tzinfo=CHICAGO), (), ["Tue 10 10:30 CDT"], id="just-after-notice"),
        pytest.param(datetime(2026, 5, 11, 9, 0, tzinfo=CHICAGO), (), [], id="beyond-60-day-horizon"),
    ],
)
def test_a_precise_window_gives_that_start_or_nothing(start: datetime, busy: tuple[Span, ...],
                                                       expected: list[str]) -> None:
    slots = free_slots([staff(busy=busy)], DEMO, Span(start, start), now=NOW, tz=CHICAGO)

    assert local_starts(slots) == expected


def test_a_closed_sunday_gives_nothing() -> None:
    sunday = Span(datetime(2026, 3, 15, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 16, 0, 0, tzinfo=CHICAGO))

    assert free_slots([staff()], DEMO, sunday, now=NOW, tz=CHICAGO) == []


def test_slots_are_sorted_by_start_then_technician() -> None:
    slots = free_slots([staff(2), staff(1)], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)

    assert slots[:3] == [
        Slot(datetime(2026, 3, 11, 17, 0, tzinfo=UTC), datetime(2026, 3, 11, 20, 0, tzinfo=UTC), 1),
        Slot(datetime(2026, 3, 11, 17, 0, tzinfo=UTC), datetime(2026, 3, 11, 20, 0, tzinfo=UTC), 2),
        Slot(datetime(2026, 3, 11, 17, 30, tzinfo=UTC), datetime(2026, 3, 11, 20, 30, tzinfo=UTC), 1),
    ]
    assert len(slots) == 14


def test_a_window_in_utc_gives_the_same_instants_as_one_in_local_time() -> None:
    in_utc = Span(WED_AFTERNOON.start.astimezone(UTC), WED_AFTERNOON.end.astimezone(UTC))

    assert free_slots([staff()], DEMO, in_utc, now=NOW, tz=CHICAGO) == free_slots(
        [staff()], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)


# --- offers -------------------------------------------------------------------------------------------


def afternoon_slots() -> list[Slot]:
    return free_slots([staff()], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        pytest.param(1, ["12:00"], id="one"),
        pytest.param(2, ["12:00", "15:00"], id="first-and-last"),
        pytest.param(3, ["12:00", "14:00", "15:00"], id="three-round-hours"),
        pytest.param(4, ["12:00", "13:00", "14:00", "15:00"], id="all-round-hours"),
        pytest.param(5, ["12:00", "13:00", "13:30", "14:30", "15:00"], id="too-few-round-hours-use-all"),
        pytest.param(7, ["12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00"], id="limit-equals-count"),
        pytest.param(10, ["12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00"], id="limit-above-count"),
    ],
)
def test_spread_offers(limit: int, expected: list[str]) -> None:
    offers = spread_offers(afternoon_slots(), limit, CHICAGO)

    assert [slot.start.astimezone(CHICAGO).strftime("%H:%M") for slot in offers] == expected


def test_spread_offers_counts_each_start_once_across_technicians() -> None:
    slots = free_slots([staff(1), staff(2)], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO)

    offers = spread_offers(slots, 3, CHICAGO)

    assert starts_with_staff(offers) == [("Wed 12:00", 1), ("Wed 14:00", 1), ("Wed 15:00", 1)]


def test_spread_offers_of_nothing_is_nothing() -> None:
    assert spread_offers([], 3, CHICAGO) == []


def test_nearest_slots_when_the_window_is_fully_booked() -> None:
    # Busy 12:00-16:00 (11:45-16:15 with buffers) leaves Wednesday only 08:00 and 08:30.
    calendar = staff(busy=(Span(wed(12), wed(16)),))
    assert free_slots([calendar], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO) == []

    nearest = nearest_slots([calendar], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO, limit=3)

    # The latest start before the window, then the earliest ones after it.
    assert local_starts(nearest) == ["Wed 11 08:30 CDT", "Thu 12 08:00 CDT", "Thu 12 08:30 CDT"]


def test_nearest_slots_prefers_closer_starts_on_either_side() -> None:
    calendar = staff(busy=(Span(wed(12), wed(16)),))

    nearest = nearest_slots([calendar], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO, limit=1)

    assert local_starts(nearest) == ["Wed 11 08:30 CDT"]  # 3.5 h before beats 20 h after


def test_nearest_slots_keeps_a_lone_free_start_in_the_first_week_after() -> None:
    # Fully booked from Wed 08:00 to Wed 18 Mar 18:00, except room for exactly one job: Fri 13 08:00-11:00.
    calendar = staff(busy=(
        Span(wed(8), datetime(2026, 3, 13, 7, 45, tzinfo=CHICAGO)),
        Span(datetime(2026, 3, 13, 11, 15, tzinfo=CHICAGO), datetime(2026, 3, 18, 18, 0, tzinfo=CHICAGO)),
    ))

    nearest = nearest_slots([calendar], DEMO, WED_AFTERNOON, now=NOW, tz=CHICAGO, limit=3)

    assert local_starts(nearest) == ["Tue 10 15:00 CDT", "Fri 13 08:00 CDT", "Thu 19 08:00 CDT"]


# --- zones and DST --------------------------------------------------------------------------------------

EVERY_DAY_MIDNIGHT_TO_6 = tuple(WeeklyRule(weekday, time(0), time(6)) for weekday in range(7))
HOURLY = SlotRules(duration=timedelta(minutes=60), grid=timedelta(minutes=60), notice=timedelta(0))


def test_spring_forward_skips_the_missing_hour() -> None:
    # Sun 2026-03-08 in Chicago: 02:00 CST jumps to 03:00 CDT, so the day is 23 hours long.
    day = Span(datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 9, 0, 0, tzinfo=CHICAGO))

    slots = free_slots([staff(rules=EVERY_DAY_MIDNIGHT_TO_6)], HOURLY, day,
                       now=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO), tz=CHICAGO)

    assert local_starts(slots) == ["Sun 08 00:00 CST", "Sun 08 01:00 CST", "Sun 08 03:00 CDT", "Sun 08 04:00 CDT",
                                   "Sun 08 05:00 CDT"]
    assert [slot.start for slot in slots] == [datetime(2026, 3, 8, hour, 0, tzinfo=UTC) for hour in (6, 7, 8, 9, 10)]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_fall_back_offers_the_repeated_hour_twice_as_different_instants() -> None:
    # Sun 2026-11-01 in Chicago: 02:00 CDT falls back to 01:00 CST, so the day is 25 hours long and
    # 00:00-06:00 local holds seven one-hour jobs.
    day = Span(datetime(2026, 11, 1, 0, 0, tzinfo=CHICAGO), datetime(2026, 11, 2, 0, 0, tzinfo=CHICAGO))

    slots = free_slots([staff(rules=EVERY_DAY_MIDNIGHT_TO_6)], HOURLY, day,
                       now=datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO), tz=CHICAGO)

    assert local_starts(slots) == ["Sun 01 00:00 CDT", "Sun 01 01:00 CDT", "Sun 01 01:00 CST", "Sun 01 02:00 CST",
                                   "Sun 01 03:00 CST", "Sun 01 04:00 CST", "Sun 01 05:00 CST"]
    assert [slot.start for slot in slots] == [datetime(2026, 11, 1, hour, 0, tzinfo=UTC) for hour in range(5, 12)]
    assert [slot.start.astimezone(CHICAGO).fold for slot in slots] == [0, 0, 1, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("window", "now", "expected_utc_hours"),
    [
        # Window 00:30-06:00 local, as the NLU gives it. Right: 01:00 CST, 03:00, 04:00, 05:00 CDT.
        pytest.param(Span(datetime(2026, 3, 8, 0, 30, tzinfo=CHICAGO), datetime(2026, 3, 8, 6, 0, tzinfo=CHICAGO)),
                     datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO), [(2026, 3, 8, h) for h in (7, 8, 9, 10)],
                     id="spring-forward-local"),
        # Right: 01:00 CDT, 01:00 CST, 02:00 .. 05:00 CST.
        pytest.param(Span(datetime(2026, 11, 1, 0, 30, tzinfo=CHICAGO), datetime(2026, 11, 1, 6, 0, tzinfo=CHICAGO)),
                     datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO), [(2026, 11, 1, h) for h in range(6, 12)],
                     id="fall-back-local"),
        # The same local 00:30-06:00 windows, given as UTC instants.
        pytest.param(Span(datetime(2026, 3, 8, 6, 30, tzinfo=UTC), datetime(2026, 3, 8, 11, 0, tzinfo=UTC)),
                     datetime(2026, 3, 7, 18, 0, tzinfo=UTC), [(2026, 3, 8, h) for h in (7, 8, 9, 10)],
                     id="spring-forward-utc"),
        pytest.param(Span(datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 12, 0, tzinfo=UTC)),
                     datetime(2026, 10, 31, 17, 0, tzinfo=UTC), [(2026, 11, 1, h) for h in range(6, 12)],
                     id="fall-back-utc"),
    ],
)
def test_dst_day_slots_are_real_hours(window: Span, now: datetime, expected_utc_hours: list[tuple[int, ...]]) -> None:
    slots = free_slots([staff(rules=EVERY_DAY_MIDNIGHT_TO_6)], HOURLY, window, now=now, tz=CHICAGO)

    assert [(slot.start.astimezone(UTC), slot.end.astimezone(UTC)) for slot in slots] == [
        (datetime(*hour, tzinfo=UTC), datetime(*hour, tzinfo=UTC) + timedelta(hours=1)) for hour in expected_utc_hours]


@pytest.mark.xfail(strict=True, reason="across spring-forward the next start is found by adding the grid as elapsed "
                                       "time (01:30 CST + 90 min = 04:00 CDT) and only then re-aligning, so the "
                                       "03:00 CDT grid start is skipped: 00:00, 01:30, 04:30 instead of "
                                       "00:00, 01:30, 03:00, 04:30")
def test_starts_stay_on_the_local_grid_across_spring_forward() -> None:
    rules = SlotRules(duration=timedelta(minutes=90), grid=timedelta(minutes=90), notice=timedelta(0))
    day = Span(datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 9, 0, 0, tzinfo=CHICAGO))

    slots = free_slots([staff(rules=EVERY_DAY_MIDNIGHT_TO_6)], rules, day,
                       now=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO), tz=CHICAGO)

    assert local_starts(slots) == ["Sun 08 00:00 CST", "Sun 08 01:30 CST", "Sun 08 03:00 CDT", "Sun 08 04:30 CDT"]


@pytest.mark.parametrize(
    ("wall_time", "day", "expected_utc"),
    [
        # 02:30 does not exist on 2026-03-08: it resolves to the instant the clock jumps to, plus 30 min.
        pytest.param(time(2, 30), date(2026, 3, 8), datetime(2026, 3, 8, 8, 30, tzinfo=UTC), id="skipped-0230"),
        # 01:30 happens twice on 2026-11-01: the first (CDT) occurrence is used.
        pytest.param(time(1, 30), date(2026, 11, 1), datetime(2026, 11, 1, 6, 30, tzinfo=UTC), id="repeated-0130"),
        pytest.param(time(8, 0), date(2026, 3, 7), datetime(2026, 3, 7, 14, 0, tzinfo=UTC), id="cst-day-before"),
        pytest.param(time(8, 0), date(2026, 3, 8), datetime(2026, 3, 8, 13, 0, tzinfo=UTC), id="cdt-same-day"),
    ],
)
def test_opening_ranges_resolve_wall_clock_times(wall_time: time, day: date, expected_utc: datetime) -> None:
    rule = WeeklyRule(day.weekday(), wall_time, time(12))

    ranges = opening_ranges([rule], CHICAGO, day, day)

    assert ranges == [Span(expected_utc, datetime.combine(day, time(12), tzinfo=CHICAGO).astimezone(UTC))]
    assert ranges[0].start.utcoffset() == timedelta(0)


def test_opening_ranges_skip_closed_days_and_inverted_rules() -> None:
    rules = [WeeklyRule(2, time(8), time(18)), WeeklyRule(3, time(18), time(8))]  # Wed open, Thu nonsense

    ranges = opening_ranges(rules, CHICAGO, date(2026, 3, 9), date(2026, 3, 15))

    assert ranges == [Span(datetime(2026, 3, 11, 13, 0, tzinfo=UTC), datetime(2026, 3, 11, 23, 0, tzinfo=UTC))]


def test_opening_ranges_join_split_shifts_that_touch() -> None:
    rules = [WeeklyRule(2, time(8), time(12)), WeeklyRule(2, time(12), time(18)), WeeklyRule(2, time(19), time(20))]

    ranges = opening_ranges(rules, CHICAGO, date(2026, 3, 11), date(2026, 3, 11))

    assert ranges == [Span(datetime(2026, 3, 11, 13, 0, tzinfo=UTC), datetime(2026, 3, 11, 23, 0, tzinfo=UTC)),
                      Span(datetime(2026, 3, 12, 0, 0, tzinfo=UTC), datetime(2026, 3, 12, 1, 0, tzinfo=UTC))]


def test_half_hour_zone_gives_starts_on_the_local_hour() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    every_day = tuple(WeeklyRule(weekday, time(8), time(18)) for weekday in range(7))
    day = Span(datetime(2026, 3, 11, 0, 0, tzinfo=kolkata), datetime(2026, 3, 12, 0, 0, tzinfo=kolkata))

    slots = free_slots([staff(rules=every_day)], HOURLY, day, now=datetime(2026, 3, 10, 12, 0, tzinfo=kolkata),
                       tz=kolkata)

    assert [slot.start.astimezone(kolkata).strftime("%H:%M") for slot in slots] == [
        f"{hour:02d}:00" for hour in range(8, 18)]
    assert slots[0].start == datetime(2026, 3, 11, 2, 30, tzinfo=UTC)
    assert slots[-1].start == datetime(2026, 3, 11, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "first_utc"),
    [
        pytest.param("Europe/London", date(2026, 3, 29), datetime(2026, 3, 29, 7, 0, tzinfo=UTC), id="london-spring"),
        pytest.param("Europe/London", date(2026, 10, 25), datetime(2026, 10, 25, 8, 0, tzinfo=UTC), id="london-autumn"),
        pytest.param("Australia/Sydney", date(2026, 4, 5), datetime(2026, 4, 4, 22, 0, tzinfo=UTC),
                     id="sydney-dst-ends"),
        pytest.param("Australia/Sydney", date(2026, 10, 4), datetime(2026, 10, 3, 21, 0, tzinfo=UTC),
                     id="sydney-dst-starts"),
    ],
)
def test_dst_change_days_still_open_at_0800_local(zone: str, day: date, first_utc: datetime) -> None:
    tz = ZoneInfo(zone)
    every_day = tuple(WeeklyRule(weekday, time(8), time(18)) for weekday in range(7))
    window = Span(datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))

    slots = free_slots([staff(rules=every_day)], HOURLY, window,
                       now=datetime.combine(day - timedelta(days=1), time(12), tzinfo=tz), tz=tz)

    assert [slot.start.astimezone(tz).strftime("%H:%M") for slot in slots] == [
        f"{hour:02d}:00" for hour in range(8, 18)]
    assert [slot.start for slot in slots] == [first_utc + timedelta(hours=h) for h in range(10)]


# --- properties -----------------------------------------------------------------------------------------

# Bookings anywhere from Tue 06:00 to Wed 20:00 local, on one technician; the window is Tue and Wed.
BOOKING_EARLIEST = datetime(2026, 3, 10, 6, 0, tzinfo=CHICAGO)
TWO_DAYS = Span(datetime(2026, 3, 10, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 12, 0, 0, tzinfo=CHICAGO))
OPEN = [Span(datetime(2026, 3, 10, 8, 0, tzinfo=CHICAGO), datetime(2026, 3, 10, 18, 0, tzinfo=CHICAGO)),
        Span(datetime(2026, 3, 11, 8, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 18, 0, tzinfo=CHICAGO))]

bookings = st.lists(
    st.builds(
        lambda offset, length: Span(BOOKING_EARLIEST + timedelta(minutes=offset),
                                    BOOKING_EARLIEST + timedelta(minutes=offset + length)),
        st.integers(min_value=0, max_value=38 * 60 // 5).map(lambda n: n * 5),
        st.integers(min_value=15, max_value=300),
    ),
    max_size=6,
)


def oracle(busy: list[Span], rules: SlotRules) -> list[datetime]:
    """Every grid start in the window that a brute-force check accepts."""
    starts = []
    for opening in OPEN:
        start = opening.start
        while start + rules.duration <= opening.end:
            job = Span(start, start + rules.duration)
            if start >= NOW + rules.notice and not any(
                    job.overlaps(b.widened(rules.buffer, rules.buffer)) for b in busy):
                starts.append(start)
            start += rules.grid
    return starts


@settings(max_examples=100, deadline=None)
@given(busy=bookings, seed=st.randoms(use_true_random=False))
def test_free_slots_respects_busy_time_hours_and_notice(busy: list[Span], seed: random.Random) -> None:
    calendar = staff(busy=tuple(busy))

    slots = free_slots([calendar], DEMO, TWO_DAYS, now=NOW, tz=CHICAGO)

    for slot in slots:
        job = Span(slot.start, slot.end)
        assert not any(job.overlaps(b.widened(DEMO.buffer, DEMO.buffer)) for b in busy)
        assert any(o.start <= slot.start and slot.end <= o.end for o in OPEN)
        assert slot.start >= NOW + DEMO.notice
        assert slot.start.astimezone(CHICAGO).minute in (0, 30)
    assert [slot.start for slot in slots] == oracle(busy, DEMO)

    shuffled = list(busy)
    seed.shuffle(shuffled)
    assert free_slots([staff(busy=tuple(shuffled))], DEMO, TWO_DAYS, now=NOW, tz=CHICAGO) == slots
