"""Free slots from weekly hours, bookings, turnaround, notice, horizon and DST.

The demo-like business: open Mon-Sat 08:00-18:00 America/Chicago, a 180-minute job on a 30-minute
grid, a 15-minute turnaround after every job (the booked ones and the new one, so 15 minutes are kept
free on both sides of a booking) and 60 minutes of notice. Customers come to the shop: no driving.
"Now" is Tue 2026-03-10 09:15 local (CDT, two days after the spring-forward change).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.availability import (
    Job,
    ServiceSpec,
    Slot,
    SlotRequest,
    Technician,
    WeeklyRule,
    find_slots,
    grid_starts,
    nearest_slots,
    opening_ranges,
)
from bot.domain.offers import best_per_start
from bot.domain.span import Span

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)  # a Tuesday
MON_SAT_8_TO_6 = tuple(WeeklyRule(weekday, time(8), time(18)) for weekday in range(6))
TURNAROUND = timedelta(minutes=15)
DETAIL = ServiceSpec("Full detail", timedelta(minutes=180), buffer_after=TURNAROUND)
WED_AFTERNOON = Span(datetime(2026, 3, 11, 12, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 17, 0, tzinfo=CHICAGO))
WED_ALL_DAY = Span(datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 12, 0, 0, tzinfo=CHICAGO))


def wed(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 11, hour, minute, tzinfo=CHICAGO)


def booking(start: datetime, end: datetime, service: ServiceSpec = DETAIL) -> Job:
    """A confirmed booking of `service`, with its turnaround kept free after it."""
    return Job(Span(start, end), service=service.name, buffer_after=service.buffer_after)


def staff(staff_id: int = 1, *, jobs: tuple[Job, ...] = (), time_off: tuple[Span, ...] = (),
          weekly: tuple[WeeklyRule, ...] = MON_SAT_8_TO_6) -> Technician:
    return Technician(staff_id, weekly, time_off=time_off, jobs=jobs)


def request(technicians: list[Technician], *windows: Span, service: ServiceSpec = DETAIL, now: datetime = NOW,
            tz: str = ZONE, grid: int = 30, notice: int = 60, horizon: timedelta = timedelta(days=60)) -> SlotRequest:
    return SlotRequest(service, technicians, list(windows), now, tz, grid=timedelta(minutes=grid),
                       notice=timedelta(minutes=notice), horizon=horizon)


def slots_for(technicians: list[Technician], *windows: Span, **options) -> list[Slot]:
    return find_slots(request(technicians, *windows, **options))


def local_starts(slots: list[Slot], tz: ZoneInfo = CHICAGO) -> list[str]:
    """Slot starts as local wall-clock text with the zone abbreviation, e.g. "Wed 11 12:00 CDT"."""
    return [slot.start.astimezone(tz).strftime("%a %d %H:%M %Z") for slot in slots]


def clock_times(slots: list[Slot], tz: ZoneInfo = CHICAGO) -> list[str]:
    return [slot.start.astimezone(tz).strftime("%H:%M") for slot in slots]


def starts_with_staff(slots: list[Slot]) -> list[tuple[str, int]]:
    return [(slot.start.astimezone(CHICAGO).strftime("%a %H:%M"), slot.staff_id) for slot in slots]


# --- the demo business ---------------------------------------------------------------------------------


def test_tomorrow_afternoon_offers_every_half_hour_until_the_last_job_fits() -> None:
    slots = slots_for([staff()], WED_AFTERNOON)

    assert local_starts(slots) == ["Wed 11 12:00 CDT", "Wed 11 12:30 CDT", "Wed 11 13:00 CDT", "Wed 11 13:30 CDT",
                                   "Wed 11 14:00 CDT", "Wed 11 14:30 CDT", "Wed 11 15:00 CDT"]
    assert all(slot.end - slot.start == timedelta(minutes=180) for slot in slots)
    assert {slot.staff_id for slot in slots} == {1}
    assert all(slot.start.utcoffset() == timedelta(0) for slot in slots)


def test_first_start_after_a_booking_clears_the_turnaround_and_lands_on_the_grid() -> None:
    # Booked 10:00-11:30 plus its 15-minute turnaround frees at 11:45, which is off the 30-minute grid.
    calendar = staff(jobs=(booking(wed(10), wed(11, 30)),))

    slots = slots_for([calendar], Span(wed(10), wed(17)))

    assert local_starts(slots)[0] == "Wed 11 12:00 CDT"
    assert wed(11, 45) not in [slot.start for slot in slots]
    assert clock_times(slots) == ["12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00"]


@pytest.mark.parametrize(
    ("turnaround_minutes", "expected"),
    [
        # Booking 12:00-14:00. A 3 h job starting 09:00 ends at 12:00, touching the booking.
        pytest.param(0, ["08:00", "08:30", "09:00", "14:00", "14:30", "15:00"], id="no-turnaround-touching-is-fine"),
        # 11:45-14:15 kept free: 08:30 ends 11:30 (fits), 09:00 ends 12:00 (no); 14:00 is too early, 14:30 fits.
        pytest.param(15, ["08:00", "08:30", "14:30", "15:00"], id="15-min-turnaround"),
        # 11:30-14:30 kept free: 08:30 ends exactly at 11:30 (fits), 14:30 starts exactly at the end (fits).
        pytest.param(30, ["08:00", "08:30", "14:30", "15:00"], id="30-min-turnaround-exact-edges"),
        # 11:15-14:45 kept free: 08:30 ends 11:30 (no), next grid start after 14:45 is 15:00.
        pytest.param(45, ["08:00", "15:00"], id="45-min-turnaround"),
    ],
)
def test_turnaround_is_kept_before_and_after_every_booking(turnaround_minutes: int, expected: list[str]) -> None:
    # The new job's turnaround keeps the time before the booking free, the booking's own the time after it.
    service = ServiceSpec("Full detail", timedelta(minutes=180), buffer_after=timedelta(minutes=turnaround_minutes))
    calendar = staff(jobs=(booking(wed(12), wed(14), service),))

    slots = slots_for([calendar], WED_ALL_DAY, service=service)

    assert clock_times(slots) == expected


def test_a_start_busy_for_one_technician_is_offered_through_the_other() -> None:
    busy_one = staff(1, jobs=(booking(wed(13), wed(14)),))  # keeps 12:45-14:15 free with turnarounds
    free_two = staff(2)

    slots = slots_for([busy_one, free_two], WED_AFTERNOON)

    assert starts_with_staff(slots) == [
        ("Wed 12:00", 2), ("Wed 12:30", 2), ("Wed 13:00", 2), ("Wed 13:30", 2), ("Wed 14:00", 2),
        ("Wed 14:30", 1), ("Wed 14:30", 2), ("Wed 15:00", 1), ("Wed 15:00", 2),
    ]
    # One per start: with nobody driving, the lowest id.
    assert starts_with_staff(best_per_start(slots)) == [
        ("Wed 12:00", 2), ("Wed 12:30", 2), ("Wed 13:00", 2), ("Wed 13:30", 2), ("Wed 14:00", 2),
        ("Wed 14:30", 1), ("Wed 15:00", 1),
    ]


def test_time_off_removes_slots_without_a_turnaround() -> None:
    calendar = staff(time_off=(Span(wed(12), wed(14)),))

    slots = slots_for([calendar], WED_AFTERNOON)

    assert local_starts(slots) == ["Wed 11 14:00 CDT", "Wed 11 14:30 CDT", "Wed 11 15:00 CDT"]


def test_a_whole_day_off_leaves_nothing() -> None:
    calendar = staff(time_off=(WED_ALL_DAY,))

    assert slots_for([calendar], WED_ALL_DAY) == []


@pytest.mark.parametrize(
    ("notice_minutes", "first_start"),
    [
        pytest.param(0, "Tue 10 09:30 CDT", id="no-notice-next-grid-start"),
        pytest.param(15, "Tue 10 09:30 CDT", id="15-min-notice-lands-on-grid"),
        pytest.param(60, "Tue 10 10:30 CDT", id="one-hour-notice"),
        pytest.param(120, "Tue 10 11:30 CDT", id="two-hour-notice"),
        pytest.param(180, "Tue 10 12:30 CDT", id="three-hour-notice"),
    ],
)
def test_minimum_notice_removes_starts_before_now_plus_notice(notice_minutes: int, first_start: str) -> None:
    today = Span(datetime(2026, 3, 10, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO))

    slots = slots_for([staff()], today, notice=notice_minutes)

    assert local_starts(slots)[0] == first_start
    assert local_starts(slots)[-1] == "Tue 10 15:00 CDT"


def test_a_start_exactly_at_now_plus_notice_is_allowed() -> None:
    now = datetime(2026, 3, 10, 9, 30, tzinfo=CHICAGO)
    today = Span(datetime(2026, 3, 10, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 11, 0, 0, tzinfo=CHICAGO))

    slots = slots_for([staff()], today, now=now, notice=60)

    assert local_starts(slots)[0] == "Tue 10 10:30 CDT"


def test_no_start_beyond_the_horizon() -> None:
    thursday = Span(datetime(2026, 3, 12, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 13, 0, 0, tzinfo=CHICAGO))

    slots = slots_for([staff()], thursday, horizon=timedelta(days=2))

    # The horizon ends Thu 09:15: the last start is 09:00, its job may run past the horizon.
    assert local_starts(slots) == ["Thu 12 08:00 CDT", "Thu 12 08:30 CDT", "Thu 12 09:00 CDT"]


def test_a_window_wholly_beyond_the_horizon_is_empty() -> None:
    friday = Span(datetime(2026, 3, 13, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 14, 0, 0, tzinfo=CHICAGO))

    assert slots_for([staff()], friday, horizon=timedelta(days=2)) == []


@pytest.mark.parametrize(
    ("start", "jobs", "expected"),
    [
        pytest.param(wed(13), (), ["Wed 11 13:00 CDT"], id="free-on-grid"),
        pytest.param(wed(15), (), ["Wed 11 15:00 CDT"], id="last-start-of-day"),
        pytest.param(wed(15, 30), (), [], id="job-would-run-past-closing"),
        pytest.param(wed(13, 15), (), [], id="off-grid"),
        pytest.param(wed(7, 30), (), [], id="before-opening"),
        pytest.param(wed(13), (booking(wed(16), wed(17)),), [], id="turnaround-before-later-booking"),
        pytest.param(wed(12), (booking(wed(10), wed(11, 45)),), ["Wed 11 12:00 CDT"], id="turnaround-just-cleared"),
        pytest.param(datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO), (), [], id="inside-notice"),
        pytest.param(datetime(2026, 3, 10, 10, 30, tzinfo=CHICAGO), (), ["Tue 10 10:30 CDT"], id="just-after-notice"),
        pytest.param(datetime(2026, 5, 9, 9, 0, tzinfo=CHICAGO), (), ["Sat 09 09:00 CDT"], id="last-day-of-horizon"),
        pytest.param(datetime(2026, 5, 11, 9, 0, tzinfo=CHICAGO), (), [], id="beyond-60-day-horizon"),
    ],
)
def test_a_precise_window_gives_that_start_or_nothing(start: datetime, jobs: tuple[Job, ...],
                                                       expected: list[str]) -> None:
    slots = slots_for([staff(jobs=jobs)], Span(start, start))

    assert local_starts(slots) == expected


def test_a_closed_sunday_gives_nothing() -> None:
    sunday = Span(datetime(2026, 3, 15, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 16, 0, 0, tzinfo=CHICAGO))

    assert slots_for([staff()], sunday) == []


def test_slots_are_sorted_by_start_then_technician() -> None:
    slots = slots_for([staff(2), staff(1)], WED_AFTERNOON)

    assert slots[:3] == [
        Slot(datetime(2026, 3, 11, 17, 0, tzinfo=UTC), datetime(2026, 3, 11, 20, 0, tzinfo=UTC), 1),
        Slot(datetime(2026, 3, 11, 17, 0, tzinfo=UTC), datetime(2026, 3, 11, 20, 0, tzinfo=UTC), 2),
        Slot(datetime(2026, 3, 11, 17, 30, tzinfo=UTC), datetime(2026, 3, 11, 20, 30, tzinfo=UTC), 1),
    ]
    assert len(slots) == 14


def test_a_window_in_utc_gives_the_same_instants_as_one_in_local_time() -> None:
    in_utc = Span(WED_AFTERNOON.start.astimezone(UTC), WED_AFTERNOON.end.astimezone(UTC))

    assert slots_for([staff()], in_utc) == slots_for([staff()], WED_AFTERNOON)


def test_the_zone_may_be_given_as_a_zoneinfo() -> None:
    assert slots_for([staff()], WED_AFTERNOON, tz=CHICAGO) == slots_for([staff()], WED_AFTERNOON)


# --- nearest slots when the window is full ------------------------------------------------------------


def test_nearest_slots_when_the_window_is_fully_booked() -> None:
    # Booked 12:00-16:00 (11:45-16:15 kept free) leaves Wednesday only 08:00 and 08:30.
    calendar = staff(jobs=(booking(wed(12), wed(16)),))
    assert slots_for([calendar], WED_AFTERNOON) == []

    nearest = nearest_slots(request([calendar], WED_AFTERNOON), limit=3)

    # The latest start before the window, then the earliest ones after it.
    assert local_starts(nearest) == ["Wed 11 08:30 CDT", "Thu 12 08:00 CDT", "Thu 12 08:30 CDT"]


def test_nearest_slots_prefers_closer_starts_on_either_side() -> None:
    calendar = staff(jobs=(booking(wed(12), wed(16)),))

    nearest = nearest_slots(request([calendar], WED_AFTERNOON), limit=1)

    assert local_starts(nearest) == ["Wed 11 08:30 CDT"]  # 3.5 h before the window beats 15 h after it


def test_nearest_slots_keeps_a_lone_free_start_in_the_first_week_after() -> None:
    # Fully booked from Wed 08:00 to Wed 18 Mar 18:00, except room for exactly one job: Fri 13 08:00-11:00.
    calendar = staff(jobs=(
        booking(wed(8), datetime(2026, 3, 13, 7, 45, tzinfo=CHICAGO)),
        booking(datetime(2026, 3, 13, 11, 15, tzinfo=CHICAGO), datetime(2026, 3, 18, 18, 0, tzinfo=CHICAGO)),
    ))

    nearest = nearest_slots(request([calendar], WED_AFTERNOON), limit=3)

    assert local_starts(nearest) == ["Tue 10 15:00 CDT", "Fri 13 08:00 CDT", "Thu 19 08:00 CDT"]


@pytest.mark.parametrize("step", [timedelta(days=1), timedelta(days=3), timedelta(days=30)])
@pytest.mark.parametrize("limit", [1, 3, 5])
def test_nearest_slots_are_the_same_whatever_the_step(step: timedelta, limit: int) -> None:
    # The offers turn searches a day at a time, the route-matrix one a week: both must offer the same times.
    calendar = staff(jobs=(
        booking(wed(8), datetime(2026, 3, 13, 7, 45, tzinfo=CHICAGO)),
        booking(datetime(2026, 3, 13, 11, 15, tzinfo=CHICAGO), datetime(2026, 3, 18, 18, 0, tzinfo=CHICAGO)),
        booking(datetime(2026, 3, 20, 9, 0, tzinfo=CHICAGO), datetime(2026, 3, 20, 16, 0, tzinfo=CHICAGO)),
    ))
    for crew in ([calendar], [calendar, staff(2, jobs=(booking(wed(12), wed(16)),))]):
        asked = request(crew, WED_AFTERNOON)

        assert nearest_slots(asked, limit, step=step) == nearest_slots(asked, limit)


# --- zones and DST --------------------------------------------------------------------------------------

EVERY_DAY_MIDNIGHT_TO_6 = tuple(WeeklyRule(weekday, time(0), time(6)) for weekday in range(7))
EVERY_DAY_8_TO_6 = tuple(WeeklyRule(weekday, time(8), time(18)) for weekday in range(7))
ONE_HOUR = ServiceSpec("One hour", timedelta(minutes=60))


def hourly(technicians: list[Technician], window: Span, *, now: datetime, tz: str = ZONE) -> list[Slot]:
    """One-hour jobs on an hourly grid with no notice."""
    return slots_for(technicians, window, service=ONE_HOUR, grid=60, notice=0, now=now, tz=tz)


def test_spring_forward_skips_the_missing_hour() -> None:
    # Sun 2026-03-08 in Chicago: 02:00 CST jumps to 03:00 CDT, so the day is 23 hours long.
    day = Span(datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 9, 0, 0, tzinfo=CHICAGO))

    slots = hourly([staff(weekly=EVERY_DAY_MIDNIGHT_TO_6)], day, now=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO))

    assert local_starts(slots) == ["Sun 08 00:00 CST", "Sun 08 01:00 CST", "Sun 08 03:00 CDT", "Sun 08 04:00 CDT",
                                   "Sun 08 05:00 CDT"]
    assert [slot.start for slot in slots] == [datetime(2026, 3, 8, hour, 0, tzinfo=UTC) for hour in (6, 7, 8, 9, 10)]
    assert all(slot.end - slot.start == timedelta(hours=1) for slot in slots)


def test_fall_back_offers_the_repeated_hour_twice_as_different_instants() -> None:
    # Sun 2026-11-01 in Chicago: 02:00 CDT falls back to 01:00 CST, so the day is 25 hours long and
    # 00:00-06:00 local holds seven one-hour jobs.
    day = Span(datetime(2026, 11, 1, 0, 0, tzinfo=CHICAGO), datetime(2026, 11, 2, 0, 0, tzinfo=CHICAGO))

    slots = hourly([staff(weekly=EVERY_DAY_MIDNIGHT_TO_6)], day, now=datetime(2026, 10, 31, 12, 0, tzinfo=CHICAGO))

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
    slots = hourly([staff(weekly=EVERY_DAY_MIDNIGHT_TO_6)], window, now=now)

    assert [(slot.start.astimezone(UTC), slot.end.astimezone(UTC)) for slot in slots] == [
        (datetime(*hour, tzinfo=UTC), datetime(*hour, tzinfo=UTC) + timedelta(hours=1)) for hour in expected_utc_hours]


def test_starts_stay_on_the_local_grid_across_spring_forward() -> None:
    # A 90-minute grid from local midnight: 00:00, 01:30, (03:00 would be 03:00 CDT) 03:00, 04:30. Adding
    # 90 minutes of real time to 01:30 CST gives 04:00 CDT, which is off the grid.
    service = ServiceSpec("Ninety", timedelta(minutes=90))
    day = Span(datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 9, 0, 0, tzinfo=CHICAGO))

    slots = slots_for([staff(weekly=EVERY_DAY_MIDNIGHT_TO_6)], day, service=service, grid=90, notice=0,
                      now=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO))

    assert local_starts(slots) == ["Sun 08 00:00 CST", "Sun 08 01:30 CST", "Sun 08 03:00 CDT", "Sun 08 04:30 CDT"]


def test_bookings_given_in_local_time_keep_real_buffers_across_spring_forward() -> None:
    # A booking at 03:00 CDT with an hour of set-up: the hour before it is 01:00-02:00 CST, real time
    # (local arithmetic would say 02:00, a time that never happens, and free 01:00 CST by mistake).
    sunday = Span(datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 8, 4, 0, tzinfo=CHICAGO))
    booked = Job(Span(datetime(2026, 3, 8, 3, 0, tzinfo=CHICAGO), datetime(2026, 3, 8, 4, 0, tzinfo=CHICAGO)),
                 buffer_before=timedelta(hours=1))

    slots = hourly([staff(weekly=EVERY_DAY_MIDNIGHT_TO_6, jobs=(booked,))], sunday,
                   now=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO))

    assert local_starts(slots) == ["Sun 08 00:00 CST"]


def test_a_class_given_in_local_time_is_as_long_as_it_really_is() -> None:
    # 00:00 CST to 03:00 CDT on spring-forward day is two real hours: not a three-hour class to join.
    three_hours = ServiceSpec("Workshop", timedelta(hours=3), seats=4)
    night_class = Job(Span(datetime(2026, 3, 8, 0, 0, tzinfo=CHICAGO), datetime(2026, 3, 8, 3, 0, tzinfo=CHICAGO)),
                      service="Workshop")
    start = Span(night_class.span.start, night_class.span.start)

    slots = slots_for([staff(weekly=EVERY_DAY_MIDNIGHT_TO_6, jobs=(night_class,))], start, service=three_hours,
                      notice=0, now=datetime(2026, 3, 7, 12, 0, tzinfo=CHICAGO))

    assert slots == []


@pytest.mark.parametrize(
    ("day", "grid_minutes", "expected"),
    [
        pytest.param(date(2026, 3, 8), 90, ["00:00 CST", "01:30 CST", "03:00 CDT", "04:30 CDT"],
                     id="spring-forward-skips-nothing-that-exists"),
        pytest.param(date(2026, 3, 8), 60, ["00:00 CST", "01:00 CST", "03:00 CDT", "04:00 CDT"],
                     id="spring-forward-has-no-0200"),
        pytest.param(date(2026, 11, 1), 60, ["00:00 CDT", "01:00 CDT", "01:00 CST", "02:00 CST", "03:00 CST"],
                     id="fall-back-has-0100-twice"),
        pytest.param(date(2026, 3, 11), 90, ["00:00 CDT", "01:30 CDT", "03:00 CDT", "04:30 CDT"], id="ordinary-day"),
    ],
)
def test_grid_starts_follow_the_local_clock(day: date, grid_minutes: int, expected: list[str]) -> None:
    starts = grid_starts(day, timedelta(minutes=grid_minutes), CHICAGO)

    assert [s.astimezone(CHICAGO).strftime("%H:%M %Z") for s in starts][:len(expected)] == expected
    assert starts == sorted(set(starts))
    assert all(s.astimezone(CHICAGO).date() == day for s in starts)


@pytest.mark.parametrize(
    ("day", "count"),
    [
        pytest.param(date(2026, 3, 8), 23 * 4, id="spring-forward-23-hours"),
        pytest.param(date(2026, 11, 1), 25 * 4, id="fall-back-25-hours"),
        pytest.param(date(2026, 3, 11), 24 * 4, id="ordinary-24-hours"),
    ],
)
def test_grid_starts_count_the_real_quarter_hours_of_the_day(day: date, count: int) -> None:
    assert len(grid_starts(day, timedelta(minutes=15), CHICAGO)) == count


@pytest.mark.parametrize(
    ("wall_time", "day", "expected_utc"),
    [
        # 02:30 does not exist on 2026-03-08: it moves forward by the one-hour gap, to 03:30 CDT.
        pytest.param(time(2, 30), date(2026, 3, 8), datetime(2026, 3, 8, 8, 30, tzinfo=UTC), id="skipped-0230"),
        # 01:30 happens twice on 2026-11-01: the first (CDT) occurrence is used.
        pytest.param(time(1, 30), date(2026, 11, 1), datetime(2026, 11, 1, 6, 30, tzinfo=UTC), id="repeated-0130"),
        pytest.param(time(8, 0), date(2026, 3, 7), datetime(2026, 3, 7, 14, 0, tzinfo=UTC), id="cst-day-before"),
        pytest.param(time(8, 0), date(2026, 3, 8), datetime(2026, 3, 8, 13, 0, tzinfo=UTC), id="cdt-same-day"),
    ],
)
def test_opening_ranges_resolve_wall_clock_times(wall_time: time, day: date, expected_utc: datetime) -> None:
    technician = staff(weekly=(WeeklyRule(day.weekday(), wall_time, time(12)),))

    ranges = opening_ranges(technician, day, CHICAGO)

    assert ranges == [Span(expected_utc, datetime.combine(day, time(12), tzinfo=CHICAGO).astimezone(UTC))]
    assert ranges[0].start.utcoffset() == timedelta(0)


def test_opening_ranges_skip_closed_days_and_inverted_rules() -> None:
    technician = staff(weekly=(WeeklyRule(2, time(8), time(18)), WeeklyRule(3, time(18), time(8))))  # Thu nonsense

    week = [date(2026, 3, 9) + timedelta(days=n) for n in range(7)]
    ranges = [span for day in week for span in opening_ranges(technician, day, CHICAGO)]

    assert ranges == [Span(datetime(2026, 3, 11, 13, 0, tzinfo=UTC), datetime(2026, 3, 11, 23, 0, tzinfo=UTC))]


def test_opening_ranges_join_split_shifts_that_touch() -> None:
    technician = staff(weekly=(WeeklyRule(2, time(12), time(18)), WeeklyRule(2, time(8), time(12)),
                               WeeklyRule(2, time(19), time(20))))

    ranges = opening_ranges(technician, date(2026, 3, 11), CHICAGO)

    assert ranges == [Span(datetime(2026, 3, 11, 13, 0, tzinfo=UTC), datetime(2026, 3, 11, 23, 0, tzinfo=UTC)),
                      Span(datetime(2026, 3, 12, 0, 0, tzinfo=UTC), datetime(2026, 3, 12, 1, 0, tzinfo=UTC))]


def test_half_hour_zone_gives_starts_on_the_local_hour() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    day = Span(datetime(2026, 3, 11, 0, 0, tzinfo=kolkata), datetime(2026, 3, 12, 0, 0, tzinfo=kolkata))

    slots = hourly([staff(weekly=EVERY_DAY_8_TO_6)], day, now=datetime(2026, 3, 10, 12, 0, tzinfo=kolkata),
                   tz="Asia/Kolkata")

    assert clock_times(slots, kolkata) == [f"{hour:02d}:00" for hour in range(8, 18)]
    assert slots[0].start == datetime(2026, 3, 11, 2, 30, tzinfo=UTC)
    assert slots[-1].start == datetime(2026, 3, 11, 11, 30, tzinfo=UTC)


def test_half_hour_zone_notice_and_bookings_are_real_time() -> None:
    # Now 09:10 IST with 60 minutes of notice: 10:10 is the earliest, so 11:00 is the first hourly start;
    # a booking 13:00-14:00 IST (07:30-08:30 UTC) takes 13:00 only.
    kolkata = ZoneInfo("Asia/Kolkata")
    day = Span(datetime(2026, 3, 11, 0, 0, tzinfo=kolkata), datetime(2026, 3, 12, 0, 0, tzinfo=kolkata))
    technician = staff(weekly=EVERY_DAY_8_TO_6, jobs=(
        Job(Span(datetime(2026, 3, 11, 7, 30, tzinfo=UTC), datetime(2026, 3, 11, 8, 30, tzinfo=UTC))),))

    slots = slots_for([technician], day, service=ONE_HOUR, grid=60, notice=60,
                      now=datetime(2026, 3, 11, 9, 10, tzinfo=kolkata), tz="Asia/Kolkata")

    assert clock_times(slots, kolkata) == ["11:00", "12:00", "14:00", "15:00", "16:00", "17:00"]


@pytest.mark.parametrize(
    ("zone", "day", "first_utc"),
    [
        pytest.param("America/Chicago", date(2026, 3, 8), datetime(2026, 3, 8, 13, 0, tzinfo=UTC), id="chicago-spring"),
        pytest.param("America/Chicago", date(2026, 11, 1), datetime(2026, 11, 1, 14, 0, tzinfo=UTC),
                     id="chicago-autumn"),
        pytest.param("Europe/London", date(2026, 3, 29), datetime(2026, 3, 29, 7, 0, tzinfo=UTC), id="london-spring"),
        pytest.param("Europe/London", date(2026, 10, 25), datetime(2026, 10, 25, 8, 0, tzinfo=UTC), id="london-autumn"),
        pytest.param("Australia/Sydney", date(2026, 4, 5), datetime(2026, 4, 4, 22, 0, tzinfo=UTC),
                     id="sydney-dst-ends"),
        pytest.param("Australia/Sydney", date(2026, 10, 4), datetime(2026, 10, 3, 21, 0, tzinfo=UTC),
                     id="sydney-dst-starts"),
        pytest.param("Asia/Kolkata", date(2026, 3, 8), datetime(2026, 3, 8, 2, 30, tzinfo=UTC), id="kolkata-no-dst"),
    ],
)
def test_dst_change_days_still_open_at_0800_local(zone: str, day: date, first_utc: datetime) -> None:
    tz = ZoneInfo(zone)
    window = Span(datetime.combine(day, time(0), tzinfo=tz),
                  datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))

    slots = hourly([staff(weekly=EVERY_DAY_8_TO_6)], window,
                   now=datetime.combine(day - timedelta(days=1), time(12), tzinfo=tz), tz=zone)

    assert clock_times(slots, tz) == [f"{hour:02d}:00" for hour in range(8, 18)]
    assert [slot.start for slot in slots] == [first_utc + timedelta(hours=h) for h in range(10)]


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        # London springs forward at 01:00 GMT -> 02:00 BST: 01:00 and 01:30 do not exist.
        pytest.param("Europe/London", date(2026, 3, 29), ["00:00 GMT", "00:30 GMT", "02:00 BST", "02:30 BST"],
                     id="london-spring"),
        # London falls back at 02:00 BST -> 01:00 GMT: 01:00 and 01:30 happen twice.
        pytest.param("Europe/London", date(2026, 10, 25),
                     ["00:00 BST", "00:30 BST", "01:00 BST", "01:30 BST", "01:00 GMT", "01:30 GMT", "02:00 GMT",
                      "02:30 GMT"], id="london-autumn"),
        # Sydney falls back at 03:00 AEDT -> 02:00 AEST.
        pytest.param("Australia/Sydney", date(2026, 4, 5),
                     ["00:00 AEDT", "00:30 AEDT", "01:00 AEDT", "01:30 AEDT", "02:00 AEDT", "02:30 AEDT", "02:00 AEST",
                      "02:30 AEST"], id="sydney-dst-ends"),
        # Sydney springs forward at 02:00 AEST -> 03:00 AEDT, so closing at 03:00 leaves a two-hour night.
        pytest.param("Australia/Sydney", date(2026, 10, 4), ["00:00 AEST", "00:30 AEST", "01:00 AEST", "01:30 AEST"],
                     id="sydney-dst-starts"),
    ],
)
def test_night_hours_on_dst_change_days_are_real_half_hours(zone: str, day: date, expected: list[str]) -> None:
    # Open 00:00-03:00 local with 30-minute jobs: every real half hour whose job ends by 03:00 local.
    tz = ZoneInfo(zone)
    night = tuple(WeeklyRule(weekday, time(0), time(3)) for weekday in range(7))
    window = Span(datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day, time(6), tzinfo=tz))

    slots = slots_for([staff(weekly=night)], window, service=ServiceSpec("Half", timedelta(minutes=30)), notice=0,
                      now=datetime.combine(day - timedelta(days=1), time(12), tzinfo=tz), tz=zone)

    assert [s.start.astimezone(tz).strftime("%H:%M %Z") for s in slots] == expected
    assert len({s.start for s in slots}) == len(slots)


def clock_change_days(zone: str, year: int) -> list[date]:
    """The days of `year` on which `zone` changes its clock, with the day before and after each."""
    tz = ZoneInfo(zone)
    noon = [datetime(year, 1, 1, 12, tzinfo=UTC) + timedelta(days=n) for n in range(366)]
    changes = [a.astimezone(tz).date() for a, b in zip(noon, noon[1:]) if a.astimezone(tz).utcoffset() !=
               b.astimezone(tz).utcoffset()]
    return sorted({d + timedelta(days=k) for d in changes for k in (-1, 0, 1)} | {date(year, 6, 15)})


def grid_by_brute_force(day: date, grid: timedelta, tz: ZoneInfo) -> list[datetime]:
    """Every real minute whose local reading is `day` at a multiple of `grid` after midnight."""
    found, minute = [], datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=15)
    while minute < datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=39):
        local = minute.astimezone(tz)
        if local.date() == day and (local.hour * 60 + local.minute) % (grid // timedelta(minutes=1)) == 0:
            found.append(minute)
        minute += timedelta(minutes=1)
    return found


@pytest.mark.parametrize(
    "zone",
    [
        "America/Chicago", "Europe/London", "Australia/Sydney", "Asia/Kolkata",
        "America/Havana",          # changes at midnight: 00:00 does not exist on the spring day
        "America/Santiago",        # southern hemisphere, changes at midnight (24:00 -> 23:00 in autumn)
        "Australia/Lord_Howe",     # a half-hour change
    ],
)
def test_grid_starts_match_a_minute_by_minute_walk_on_every_clock_change_day(zone: str) -> None:
    tz = ZoneInfo(zone)
    for day in clock_change_days(zone, 2026):
        for grid in (timedelta(minutes=30), timedelta(minutes=90)):
            assert grid_starts(day, grid, tz) == grid_by_brute_force(day, grid, tz), (day, grid)
