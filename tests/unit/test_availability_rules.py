"""One test (or table) per availability rule: hours, overrides, time off, services, buffers, seats,
jobs per day, driving, external busy time, windows and the nearest slots.

The business is in America/Chicago; "now" is Tue 2026-03-10 09:15 CDT. Unless a test says otherwise a
technician works Mon-Sat 08:00-18:00, the job is a 60-minute wash on a 30-minute grid with an hour of
notice, and nobody drives.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.db.tables import Business, Service
from bot.domain.availability import (
    Job,
    ServiceSpec,
    Slot,
    SlotRequest,
    Technician,
    WeeklyRule,
    find_slots,
    nearest_slots,
)
from bot.domain.span import Span
from bot.domain.travel import Place
from bot.schedule import service_spec

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)  # a Tuesday
MON_SAT_8_TO_6 = tuple(WeeklyRule(weekday, time(8), time(18)) for weekday in range(6))
SPLIT_SHIFT = tuple(rule for weekday in range(6)
                    for rule in (WeeklyRule(weekday, time(8), time(12)), WeeklyRule(weekday, time(13), time(18))))
WASH = ServiceSpec("Wash", timedelta(minutes=60))
DETAIL = ServiceSpec("Full detail", timedelta(minutes=180))
YOGA = ServiceSpec("Yoga class", timedelta(minutes=60), seats=6)
WEDNESDAY = date(2026, 3, 11)

BASE = Place("12 Depot Rd")
CUSTOMER = Place("1100 Congress Ave")
NEAR = Place("1200 Congress Ave")
ACROSS_TOWN = Place("9000 Research Blvd")


class FakeTravelTimes:
    """Drive minutes from a table keyed by (origin, destination) address; a place to itself is 0.

    Pairs given one way only are the same both ways. `asked` records the questions, in order.
    """

    def __init__(self, table: dict[tuple[Place, Place], float], *, one_way: bool = False) -> None:
        self.table = dict(table)
        if not one_way:
            self.table.update({(b, a): m for (a, b), m in table.items() if (b, a) not in table})
        self.asked: list[tuple[str, str]] = []

    def minutes(self, origin: Place, destination: Place) -> float:
        self.asked.append((origin.address, destination.address))
        return 0.0 if origin == destination else self.table[(origin, destination)]


def on(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def wed(hour: int, minute: int = 0) -> datetime:
    return on(WEDNESDAY, hour, minute)


def whole(day: date) -> Span:
    return Span(on(day, 0), on(day + timedelta(days=1), 0))


def tech(staff_id: int = 1, **fields) -> Technician:
    fields.setdefault("weekly", MON_SAT_8_TO_6)
    return Technician(staff_id, **fields)


def job(start: datetime, end: datetime, **fields) -> Job:
    return Job(Span(start, end), **fields)


def slots_for(technicians: list[Technician], *windows: Span, service: ServiceSpec = WASH, grid: int = 30,
              notice: int = 60, horizon: timedelta = timedelta(days=60), now: datetime = NOW,
              place: Place | None = None, travel: FakeTravelTimes | None = None, party: int = 1) -> list[Slot]:
    return find_slots(request(technicians, *windows, service=service, grid=grid, notice=notice, horizon=horizon,
                              now=now, place=place, travel=travel, party=party))


def request(technicians: list[Technician], *windows: Span, service: ServiceSpec = WASH, grid: int = 30,
            notice: int = 60, horizon: timedelta = timedelta(days=60), now: datetime = NOW,
            place: Place | None = None, travel: FakeTravelTimes | None = None, party: int = 1) -> SlotRequest:
    return SlotRequest(service, technicians, list(windows), now, ZONE, grid=timedelta(minutes=grid),
                       notice=timedelta(minutes=notice), horizon=horizon, place=place, travel=travel, party=party)


def times(slots: list[Slot]) -> list[str]:
    return [s.start.astimezone(CHICAGO).strftime("%H:%M") for s in slots]


def days_and_times(slots: list[Slot]) -> list[str]:
    return [s.start.astimezone(CHICAGO).strftime("%a %H:%M") for s in slots]


def with_staff(slots: list[Slot]) -> list[tuple[str, int]]:
    return [(s.start.astimezone(CHICAGO).strftime("%a %H:%M"), s.staff_id) for s in slots]


def drives(slots: list[Slot]) -> list[tuple[str, float]]:
    return [(s.start.astimezone(CHICAGO).strftime("%H:%M"), s.drive_minutes) for s in slots]


# --- weekly hours: split shifts -------------------------------------------------------------------------


def test_split_shift_offers_both_parts_of_the_day() -> None:
    slots = slots_for([tech(weekly=SPLIT_SHIFT)], whole(WEDNESDAY))

    assert times(slots) == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00",
                            "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00"]


def test_no_job_runs_through_the_lunch_break() -> None:
    slots = slots_for([tech(weekly=SPLIT_SHIFT)], whole(WEDNESDAY), service=DETAIL)

    assert times(slots) == ["08:00", "08:30", "09:00", "13:00", "13:30", "14:00", "14:30", "15:00"]


def test_overlapping_weekly_rules_are_one_stretch() -> None:
    weekly = (WeeklyRule(2, time(8), time(11)), WeeklyRule(2, time(10), time(12)))

    assert times(slots_for([tech(weekly=weekly)], whole(WEDNESDAY), service=DETAIL)) == ["08:00", "08:30", "09:00"]


# --- dated overrides ------------------------------------------------------------------------------------


def test_extra_hours_open_a_closed_sunday() -> None:
    sunday = date(2026, 3, 15)
    technician = tech(overrides={sunday: [(time(10), time(14))]})

    assert times(slots_for([technician], whole(sunday))) == ["10:00", "10:30", "11:00", "11:30", "12:00", "12:30",
                                                             "13:00"]


def test_a_dated_override_replaces_the_weekly_hours_that_day_only() -> None:
    technician = tech(overrides={WEDNESDAY: [(time(7), time(9)), (time(16), time(17))]})

    assert times(slots_for([technician], whole(WEDNESDAY))) == ["07:00", "07:30", "08:00", "16:00"]
    assert times(slots_for([technician], whole(date(2026, 3, 18))))[0] == "08:00"  # the next Wednesday: weekly
    assert len(slots_for([technician], whole(date(2026, 3, 18)))) == 19  # 08:00 .. 17:00


def test_a_day_off_override_closes_that_day_only() -> None:
    technician = tech(overrides={WEDNESDAY: []})

    assert slots_for([technician], whole(WEDNESDAY)) == []
    assert times(slots_for([technician], whole(date(2026, 3, 12))))[:2] == ["08:00", "08:30"]


def test_a_holiday_closes_the_technicians_who_take_it() -> None:
    good_friday = date(2026, 4, 3)
    holiday = {good_friday: []}
    team = [tech(1, overrides=holiday), tech(2, overrides=holiday), tech(3)]

    slots = slots_for(team, whole(good_friday))

    assert {s.staff_id for s in slots} == {3}
    assert slots_for(team[:2], whole(good_friday)) == []
    assert {s.staff_id for s in slots_for(team, whole(date(2026, 4, 2)))} == {1, 2, 3}


# --- time off -------------------------------------------------------------------------------------------


def test_time_off_over_several_days_closes_each_of_them() -> None:
    vacation = Span(wed(0), on(date(2026, 3, 13), 0))  # Wednesday and Thursday
    week = Span(wed(0), on(date(2026, 3, 14), 0))

    slots = slots_for([tech(time_off=(vacation,))], week, service=DETAIL)

    assert days_and_times(slots) == ["Fri 08:00", "Fri 08:30", "Fri 09:00", "Fri 09:30", "Fri 10:00", "Fri 10:30",
                                     "Fri 11:00", "Fri 11:30", "Fri 12:00", "Fri 12:30", "Fri 13:00", "Fri 13:30",
                                     "Fri 14:00", "Fri 14:30", "Fri 15:00"]


def test_a_dentist_appointment_takes_only_its_own_time() -> None:
    slots = slots_for([tech(time_off=(Span(wed(9, 30), wed(11)),))], Span(wed(8), wed(13)))

    assert times(slots) == ["08:00", "08:30", "11:00", "11:30", "12:00", "12:30"]


# --- services per technician ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("services", "offered"),
    [
        pytest.param(None, True, id="none-means-every-service"),
        pytest.param(frozenset({"Wash"}), True, id="listed"),
        pytest.param(frozenset({"Full detail"}), False, id="not-listed"),
        pytest.param(frozenset(), False, id="no-services"),
    ],
)
def test_a_technician_offers_only_the_services_they_do(services: frozenset[str] | None, offered: bool) -> None:
    slots = slots_for([tech(services=services)], Span(wed(8), wed(9)))

    assert bool(slots) is offered


def test_a_service_one_technician_does_not_do_goes_to_another() -> None:
    team = [tech(1, services=frozenset({"Wash"})), tech(2, services=frozenset({"Wash", "Full detail"}))]

    assert {s.staff_id for s in slots_for(team, whole(WEDNESDAY), service=DETAIL)} == {2}
    assert {s.staff_id for s in slots_for(team, whole(WEDNESDAY), service=WASH)} == {1, 2}


# --- buffers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # A ends 10:00 + its 15-minute turnaround: 10:15. B starts 12:30 less its 30-minute set-up: 12:00.
        pytest.param(0, 0, ["08:00", "10:15", "10:30", "10:45", "11:00"], id="no-buffers"),
        # 10:15 + our 15-minute set-up = 10:30; 12:00 - our 15-minute turnaround = 11:45, so we start by 10:45.
        # Before A we must end by 09:00 - 15 = 08:45, which no start after opening does.
        pytest.param(15, 15, ["10:30", "10:45"], id="both-15"),
        # Buffers keep time free around other jobs, not around opening and closing: 08:00 still works.
        pytest.param(30, 0, ["08:00", "10:45", "11:00"], id="long-set-up"),
        pytest.param(0, 45, ["10:15"], id="long-turnaround"),
    ],
)
def test_buffers_of_both_jobs_add_up_between_them(before: int, after: int, expected: list[str]) -> None:
    service = ServiceSpec("Wash", timedelta(minutes=60), buffer_before=timedelta(minutes=before),
                          buffer_after=timedelta(minutes=after))
    a = job(wed(9), wed(10), buffer_after=timedelta(minutes=15))
    b = job(wed(12, 30), wed(13, 30), buffer_before=timedelta(minutes=30), buffer_after=timedelta(minutes=15))

    slots = slots_for([tech(jobs=(a, b))], Span(wed(8), wed(12, 30)), service=service, grid=15)

    assert times(slots) == expected


def test_buffers_do_not_apply_at_opening_and_closing() -> None:
    service = ServiceSpec("Wash", timedelta(minutes=60), buffer_before=timedelta(minutes=30),
                          buffer_after=timedelta(minutes=30))

    slots = slots_for([tech()], whole(WEDNESDAY), service=service)

    assert (times(slots)[0], times(slots)[-1]) == ("08:00", "17:00")


def business(buffer_minutes: int = 15) -> Business:
    return Business(slug="demo", name="Demo", time_zone=ZONE, buffer_minutes=buffer_minutes)


def service(*, before: int = 0, after: int | None = None) -> Service:
    return Service(business_id=1, name="Wash", duration_minutes=60, price_cents=5000, buffer_before_minutes=before,
                   buffer_after_minutes=after)


@pytest.mark.parametrize(
    ("shop_default", "row", "expected_before", "expected_after"),
    [
        pytest.param(15, service(), 0, 15, id="turnaround-defaults-to-the-business-buffer"),
        pytest.param(15, service(after=40), 0, 40, id="service-turnaround-overrides"),
        pytest.param(15, service(after=0), 0, 0, id="an-override-of-zero-is-kept"),
        pytest.param(0, service(before=10), 10, 0, id="set-up-is-the-services-own"),
    ],
)
def test_service_buffers_override_the_business_default(shop_default: int, row: Service, expected_before: int,
                                                       expected_after: int) -> None:
    spec = service_spec(business(shop_default), row)

    assert (spec.buffer_before, spec.buffer_after) == (timedelta(minutes=expected_before),
                                                       timedelta(minutes=expected_after))


# --- seats: group classes -------------------------------------------------------------------------------


def attendees(start: datetime, *parties: int, service: ServiceSpec = YOGA) -> tuple[Job, ...]:
    """One booking per party in the class at `start`."""
    return tuple(job(start, start + service.duration, service=service.name, seats=n) for n in parties)


@pytest.mark.parametrize(
    ("booked", "party", "joinable"),
    [
        pytest.param((2, 2), 2, True, id="4-of-6-taken-party-of-2-fits"),
        pytest.param((2, 2), 3, False, id="4-of-6-taken-party-of-3-does-not"),
        pytest.param((2, 2, 1), 1, True, id="last-seat"),
        pytest.param((2, 2, 1), 2, False, id="one-seat-left-party-of-2"),
        pytest.param((6,), 1, False, id="full"),
    ],
)
def test_a_class_with_room_can_be_joined(booked: tuple[int, ...], party: int, joinable: bool) -> None:
    technician = tech(jobs=attendees(wed(10), *booked))

    slots = slots_for([technician], Span(wed(9), wed(11, 30)), service=YOGA, party=party)

    # The class holds the technician 10:00-11:00, so the other starts are new classes either side of it.
    assert times(slots) == (["09:00", "10:00", "11:00"] if joinable else ["09:00", "11:00"])


def test_joining_a_class_keeps_its_time_even_off_the_grid() -> None:
    technician = tech(jobs=attendees(wed(10, 15), 3))

    assert times(slots_for([technician], Span(wed(10), wed(10, 30)), service=YOGA)) == ["10:15"]


def test_a_party_larger_than_the_class_gets_nothing() -> None:
    assert slots_for([tech()], whole(WEDNESDAY), service=YOGA, party=7) == []
    assert slots_for([tech()], whole(WEDNESDAY), service=WASH, party=2) == []


def test_a_party_may_fill_a_new_class() -> None:
    assert times(slots_for([tech()], Span(wed(8), wed(9)), service=YOGA, party=6)) == ["08:00", "08:30"]


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(job(wed(10), wed(11), service="Private lesson"), id="another-service-same-time"),
        pytest.param(job(wed(10), wed(11, 30), service="Yoga class", seats=2), id="a-longer-yoga-session"),
    ],
)
def test_only_the_same_class_can_be_joined(other: Job) -> None:
    slots = slots_for([tech(jobs=(other,))], Span(wed(10), wed(10, 30)), service=YOGA)

    assert slots == []


def test_a_class_inside_the_notice_or_the_technicians_time_off_is_not_offered() -> None:
    soon = datetime(2026, 3, 10, 10, 0, tzinfo=CHICAGO)  # 45 minutes from now, notice is an hour
    technician = tech(jobs=attendees(soon, 2) + attendees(wed(10), 2), time_off=(Span(wed(10, 30), wed(12)),))

    assert slots_for([technician], Span(soon, soon), service=YOGA) == []
    assert slots_for([technician], Span(wed(10), wed(10)), service=YOGA) == []


def test_a_join_adds_no_driving() -> None:
    travel = FakeTravelTimes({(CUSTOMER, ACROSS_TOWN): 40})
    technician = tech(jobs=tuple(job(wed(10), wed(11), service=YOGA.name, seats=1, place=ACROSS_TOWN)
                                 for _ in range(2)))

    slots = slots_for([technician], Span(wed(10), wed(10)), service=YOGA, place=CUSTOMER, travel=travel)

    assert drives(slots) == [("10:00", 0.0)]


# --- jobs per day ---------------------------------------------------------------------------------------


def test_a_technician_at_their_daily_maximum_gets_no_more_jobs_that_day() -> None:
    full = tech(1, max_jobs_per_day=2, jobs=(job(wed(8), wed(9)), job(wed(15), wed(16))))
    free = tech(2)

    assert {s.staff_id for s in slots_for([full, free], whole(WEDNESDAY))} == {2}
    assert {s.staff_id for s in slots_for([full, free], whole(date(2026, 3, 12)))} == {1, 2}


@pytest.mark.parametrize(
    ("maximum", "offered"),
    [pytest.param(None, True, id="no-maximum"), pytest.param(3, True, id="below"), pytest.param(2, False, id="at")],
)
def test_the_daily_maximum_counts_that_days_jobs(maximum: int | None, offered: bool) -> None:
    jobs = (job(wed(8), wed(9)), job(wed(15), wed(16)), job(on(date(2026, 3, 10), 15), on(date(2026, 3, 10), 16)))

    assert bool(slots_for([tech(max_jobs_per_day=maximum, jobs=jobs)], whole(WEDNESDAY))) is offered


def test_a_job_outside_the_hours_still_counts_to_the_daily_maximum() -> None:
    # The owner booked an evening job by hand; with a short day (08:00-10:00) it is far from the hours.
    short_day = (WeeklyRule(2, time(8), time(10)),)
    technician = tech(weekly=short_day, max_jobs_per_day=2, jobs=(job(wed(8), wed(9)), job(wed(23), wed(23, 30))))

    assert slots_for([technician], whole(WEDNESDAY)) == []


def test_the_daily_maximum_counts_by_the_local_day() -> None:
    # 19:00-20:00 CDT on Wednesday is Thursday 00:00-01:00 UTC, as stored: it fills Wednesday, not Thursday.
    evening = job(datetime(2026, 3, 12, 0, 0, tzinfo=UTC), datetime(2026, 3, 12, 1, 0, tzinfo=UTC))
    technician = tech(max_jobs_per_day=1, jobs=(evening,))

    assert slots_for([technician], whole(WEDNESDAY)) == []
    assert times(slots_for([technician], whole(date(2026, 3, 12))))[0] == "08:00"


def test_a_class_counts_once_towards_the_maximum_and_can_be_joined_at_it() -> None:
    technician = tech(max_jobs_per_day=2, jobs=attendees(wed(10), 1, 1, 1))

    # New classes still fit around the 10:00 one, which can be joined.
    assert times(slots_for([technician], whole(WEDNESDAY), service=YOGA)) == [
        "08:00", "08:30", "09:00", "10:00", "11:00", "11:30", "12:00", "12:30", "13:00", "13:30", "14:00", "14:30",
        "15:00", "15:30", "16:00", "16:30", "17:00"]
    at_maximum = tech(max_jobs_per_day=1, jobs=attendees(wed(10), 1, 1, 1))
    assert times(slots_for([at_maximum], whole(WEDNESDAY), service=YOGA)) == ["10:00"]  # only joining


# --- driving: from the base at the start of the day -----------------------------------------------------


@pytest.mark.parametrize(
    ("base", "place", "first"),
    [
        pytest.param(BASE, CUSTOMER, "08:30", id="25-min-drive-first-start-0830"),
        pytest.param(None, CUSTOMER, "08:00", id="no-base"),
        pytest.param(CUSTOMER, CUSTOMER, "08:00", id="customer-at-the-base"),
        pytest.param(BASE, None, "08:00", id="address-unknown"),
    ],
)
def test_the_day_starts_with_the_drive_from_the_base(base: Place | None, place: Place | None, first: str) -> None:
    travel = FakeTravelTimes({(BASE, CUSTOMER): 25})

    slots = slots_for([tech(base=base)], whole(WEDNESDAY), place=place, travel=travel)

    assert times(slots)[0] == first


def test_no_drive_from_the_base_when_customers_come_to_us() -> None:
    assert times(slots_for([tech(base=BASE)], whole(WEDNESDAY), place=CUSTOMER))[0] == "08:00"


def test_the_drive_from_the_base_can_outlast_a_short_first_shift() -> None:
    # Out 08:00-08:30, back 09:00-18:00; 75 minutes from the base: arriving 09:15, the first start is 09:30.
    weekly = (WeeklyRule(2, time(8), time(8, 30)), WeeklyRule(2, time(9), time(18)))
    travel = FakeTravelTimes({(BASE, CUSTOMER): 75})

    slots = slots_for([tech(weekly=weekly, base=BASE)], whole(WEDNESDAY), place=CUSTOMER, travel=travel)

    assert times(slots)[:2] == ["09:30", "10:00"]


# --- driving: between jobs ------------------------------------------------------------------------------


def test_the_docstrings_worked_example_across_town() -> None:
    # Hours 08:00-18:00, a 180-minute job, a 30-minute grid, a 15-minute turnaround after each job and a
    # booking 10:00-11:30 25 minutes' drive away: 11:30 + 15 + 25 = 12:10, so the first start is 12:30.
    detail = ServiceSpec("Full detail", timedelta(minutes=180), buffer_after=timedelta(minutes=15))
    booked = job(wed(10), wed(11, 30), place=ACROSS_TOWN, service=detail.name, buffer_after=timedelta(minutes=15))
    travel = FakeTravelTimes({(CUSTOMER, ACROSS_TOWN): 25})

    across_town = slots_for([tech(jobs=(booked,))], whole(WEDNESDAY), service=detail, place=CUSTOMER, travel=travel)
    in_the_shop = slots_for([tech(jobs=(booked,))], whole(WEDNESDAY), service=detail)

    assert times(across_town) == ["12:30", "13:00", "13:30", "14:00", "14:30", "15:00"]
    assert times(in_the_shop) == ["12:00", "12:30", "13:00", "13:30", "14:00", "14:30", "15:00"]


@pytest.mark.parametrize(
    ("there", "back", "expected"),
    [
        # Before the 10:00 job we end by 10:00 - 15 (our turnaround) - 20 = 09:25: start by 08:25.
        # After it: 11:00 + 15 (its turnaround) + 40 = 11:55, so 12:00.
        pytest.param(20, 40, ["08:00", "08:15", "12:00", "12:15"], id="slow-way-back"),
        # 10:00 - 15 - 40 = 09:05: start by 08:05. 11:00 + 15 + 20 = 11:35, so 11:45.
        pytest.param(40, 20, ["08:00", "11:45", "12:00", "12:15"], id="slow-way-there"),
    ],
)
def test_the_drive_each_way_is_kept_free_around_a_job(there: int, back: int, expected: list[str]) -> None:
    turnaround = timedelta(minutes=15)
    service = ServiceSpec("Wash", timedelta(minutes=60), buffer_after=turnaround)
    booked = job(wed(10), wed(11), place=ACROSS_TOWN, buffer_after=turnaround)
    travel = FakeTravelTimes({(CUSTOMER, ACROSS_TOWN): there, (ACROSS_TOWN, CUSTOMER): back}, one_way=True)

    slots = slots_for([tech(jobs=(booked,))], Span(wed(8), wed(12, 30)), service=service, grid=15, place=CUSTOMER,
                      travel=travel)

    assert times(slots) == expected


def test_a_late_job_the_evening_before_reaches_past_midnight() -> None:
    # A night shift from 00:00; yesterday's job ends 23:30 an hour's drive away, with a 15-minute
    # turnaround: 23:30 + 15 + 60 = 00:45, so the first start is 01:00.
    night = (WeeklyRule(2, time(0), time(6)),)
    late = job(on(date(2026, 3, 10), 22, 30), on(date(2026, 3, 10), 23, 30), place=ACROSS_TOWN,
               buffer_after=timedelta(minutes=15))
    travel = FakeTravelTimes({(CUSTOMER, ACROSS_TOWN): 60})

    slots = slots_for([tech(weekly=night, jobs=(late,))], whole(WEDNESDAY), place=CUSTOMER, travel=travel)

    assert times(slots)[0] == "01:00"


def test_a_job_next_door_needs_no_drive() -> None:
    travel = FakeTravelTimes({(CUSTOMER, NEAR): 0})

    slots = slots_for([tech(jobs=(job(wed(10), wed(11), place=NEAR),))], Span(wed(8), wed(11, 30)), place=CUSTOMER,
                      travel=travel)

    assert times(slots) == ["08:00", "08:30", "09:00", "11:00"]


def test_a_job_without_an_address_is_driven_to_in_no_time() -> None:
    # Nothing to estimate from; the turnaround still applies (none here).
    travel = FakeTravelTimes({})

    slots = slots_for([tech(jobs=(job(wed(10), wed(11)),))], Span(wed(8), wed(11, 30)), place=CUSTOMER, travel=travel)

    assert times(slots) == ["08:00", "08:30", "09:00", "11:00"]


def test_driving_is_asked_once_per_pair_of_places() -> None:
    travel = FakeTravelTimes({(BASE, CUSTOMER): 10, (CUSTOMER, ACROSS_TOWN): 30, (BASE, ACROSS_TOWN): 35})
    jobs = tuple(job(on(day, 12), on(day, 13), place=ACROSS_TOWN) for day in (WEDNESDAY, date(2026, 3, 12)))

    slots_for([tech(base=BASE, jobs=jobs)], Span(wed(0), on(date(2026, 3, 13), 0)), place=CUSTOMER, travel=travel)

    assert sorted(travel.asked) == sorted(set(travel.asked))


# --- driving: what a job adds to the day (drive_minutes) ------------------------------------------------

P1, P2 = Place("P1 Elm St"), Place("P2 Oak St")
LEGS = {(BASE, CUSTOMER): 30, (BASE, P1): 10, (BASE, P2): 45, (P1, CUSTOMER): 15, (CUSTOMER, P2): 20, (P1, P2): 25}


@pytest.mark.parametrize(
    ("base", "jobs", "window", "expected"),
    [
        # Between P1 (09:00-10:00) and P2 (14:00-15:00): P1 -> customer -> P2 is 15 + 20 instead of 25.
        pytest.param(BASE, ((9, P1), (14, P2)), (10, 13), [("11:00", 10.0), ("12:00", 10.0)], id="between-jobs"),
        # After the last job the van goes home: P2 -> customer -> base is 20 + 30 instead of 45.
        pytest.param(BASE, ((9, P1), (14, P2)), (15, 18), [("16:00", 5.0), ("17:00", 5.0)], id="last-then-home"),
        # Before the first job the van comes from the base: 30 + 15 instead of 10.
        pytest.param(BASE, ((14, P1),), (8, 13), [("09:00", 35.0), ("10:00", 35.0), ("11:00", 35.0),
                                                  ("12:00", 35.0)], id="first-from-base"),
        # An empty day from the base and back.
        pytest.param(BASE, (), (16, 18), [("16:00", 60.0), ("17:00", 60.0)], id="empty-day-round-trip"),
        # No base known: only the legs to or from the neighbouring job count.
        pytest.param(None, ((9, P1), (14, P2)), (15, 18), [("16:00", 20.0), ("17:00", 20.0)], id="no-base-after"),
        pytest.param(None, ((14, P1),), (8, 10), [("08:00", 15.0), ("09:00", 15.0)], id="no-base-before"),
        pytest.param(None, (), (16, 18), [("16:00", 0.0), ("17:00", 0.0)], id="no-base-empty-day"),
    ],
)
def test_drive_minutes_are_the_detour_the_job_adds(base: Place | None, jobs: tuple[tuple[int, Place], ...],
                                                    window: tuple[int, int], expected: list[tuple[str, float]]) -> None:
    booked = tuple(job(wed(hour), wed(hour + 1), place=place) for hour, place in jobs)

    slots = slots_for([tech(base=base, jobs=booked)], Span(wed(window[0]), wed(window[1])), grid=60, place=CUSTOMER,
                      travel=FakeTravelTimes(LEGS))

    assert drives(slots) == expected


def test_the_previous_stop_is_the_job_that_ended_last() -> None:
    # Two jobs overlap in the morning (a crew split up): the van leaves from P1, which ends later.
    jobs = (job(wed(8), wed(11), place=P1), job(wed(9), wed(10), place=P2))

    slots = slots_for([tech(jobs=jobs)], Span(wed(12), wed(13)), grid=60, place=CUSTOMER, travel=FakeTravelTimes(LEGS))

    assert drives(slots) == [("12:00", 15.0)]  # P1 -> customer, not P2 -> customer (20)


def test_a_customer_on_the_way_adds_no_driving() -> None:
    travel = FakeTravelTimes({(P1, CUSTOMER): 10, (CUSTOMER, P2): 15, (P1, P2): 25})
    jobs = (job(wed(9), wed(10), place=P1), job(wed(14), wed(15), place=P2))

    slots = slots_for([tech(jobs=jobs)], Span(wed(11), wed(12)), grid=60, place=CUSTOMER, travel=travel)

    assert drives(slots) == [("11:00", 0.0)]


def test_without_driving_every_slot_adds_nothing() -> None:
    jobs = (job(wed(9), wed(10), place=P1),)

    assert {s.drive_minutes for s in slots_for([tech(base=BASE, jobs=jobs)], whole(WEDNESDAY), place=CUSTOMER)} == {0.0}


# --- external busy time ---------------------------------------------------------------------------------


def test_external_busy_time_is_blocked_exactly_without_buffers_or_driving() -> None:
    service = ServiceSpec("Wash", timedelta(minutes=60), buffer_before=timedelta(minutes=15),
                          buffer_after=timedelta(minutes=15))
    travel = FakeTravelTimes({(BASE, CUSTOMER): 0})
    window = Span(wed(10), wed(14))

    calendar = slots_for([tech(base=BASE, busy=(Span(wed(12), wed(13)),))], window, service=service, place=CUSTOMER,
                         travel=travel)
    booked = slots_for([tech(base=BASE, jobs=(job(wed(12), wed(13)),))], window, service=service, place=CUSTOMER,
                       travel=travel)

    assert times(calendar) == ["10:00", "10:30", "11:00", "13:00", "13:30"]
    assert times(booked) == ["10:00", "10:30", "13:30"]


def test_external_busy_time_and_time_off_may_overlap() -> None:
    technician = tech(busy=(Span(wed(9), wed(11)),), time_off=(Span(wed(10), wed(12)),))

    assert times(slots_for([technician], Span(wed(8), wed(14)))) == ["08:00", "12:00", "12:30", "13:00", "13:30"]


# --- windows --------------------------------------------------------------------------------------------


def test_a_precise_start_is_offered_by_every_technician_free_then() -> None:
    team = [tech(1), tech(2, jobs=(job(wed(10, 30), wed(11)),)), tech(3)]

    assert with_staff(slots_for(team, Span(wed(10), wed(10)))) == [("Wed 10:00", 1), ("Wed 10:00", 3)]


def test_a_precise_start_exactly_at_the_notice_is_allowed() -> None:
    now = datetime(2026, 3, 10, 9, 30, tzinfo=CHICAGO)
    exact = datetime(2026, 3, 10, 10, 30, tzinfo=CHICAGO)

    assert times(slots_for([tech()], Span(exact, exact), now=now, notice=60)) == ["10:30"]
    assert slots_for([tech()], Span(exact, exact), now=now + timedelta(seconds=1), notice=60) == []


def test_a_precise_start_exactly_at_the_horizon_is_allowed() -> None:
    exact = datetime(2026, 3, 12, 9, 0, tzinfo=CHICAGO)
    now = datetime(2026, 3, 10, 9, 0, tzinfo=CHICAGO)

    assert times(slots_for([tech()], Span(exact, exact), now=now, horizon=timedelta(days=2))) == ["09:00"]
    assert slots_for([tech()], Span(exact, exact), now=now - timedelta(seconds=1), horizon=timedelta(days=2)) == []


def test_a_window_ending_on_a_grid_point_does_not_include_it() -> None:
    assert times(slots_for([tech()], Span(wed(10), wed(11)))) == ["10:00", "10:30"]


def test_a_window_starting_between_grid_points_starts_at_the_next() -> None:
    assert times(slots_for([tech()], Span(wed(10, 10), wed(11, 10)))) == ["10:30", "11:00"]


def test_several_windows_are_searched_together() -> None:
    friday = date(2026, 3, 13)
    # Given latest first, overlapping, and one precise: the result is one sorted list without repeats.
    windows = (Span(on(friday, 14), on(friday, 15)), Span(wed(8), wed(9)), Span(wed(8, 30), wed(9, 30)),
               Span(on(friday, 17), on(friday, 17)))

    slots = slots_for([tech()], *windows)

    assert days_and_times(slots) == ["Wed 08:00", "Wed 08:30", "Wed 09:00", "Fri 14:00", "Fri 14:30", "Fri 17:00"]


def test_no_windows_no_slots() -> None:
    assert slots_for([tech()]) == []


def test_no_technicians_no_slots() -> None:
    assert slots_for([], whole(WEDNESDAY)) == []


# --- nearest slots --------------------------------------------------------------------------------------


def test_nearest_near_the_horizon_has_only_the_start_before() -> None:
    # The horizon ends Thu 09:15 and Thursday morning is booked: only Wednesday's last start is left.
    thursday = date(2026, 3, 12)
    technician = tech(jobs=(job(on(thursday, 8), on(thursday, 12)),))

    nearest = nearest_slots(request([technician], Span(on(thursday, 8), on(thursday, 12)),
                                    horizon=timedelta(days=2)), limit=3)

    assert days_and_times(nearest) == ["Wed 17:00"]


def test_nearest_right_after_now_has_only_starts_after() -> None:
    today = date(2026, 3, 10)
    technician = tech(time_off=(Span(on(today, 0), on(today, 23)),))

    nearest = nearest_slots(request([technician], Span(on(today, 10), on(today, 16))), limit=3)

    assert days_and_times(nearest) == ["Wed 08:00", "Wed 08:30", "Wed 09:00"]


def test_nearest_offers_the_start_just_before_and_the_earliest_after() -> None:
    # "Wednesday" is booked solid: Tue 17:00 is the last start before it, Thursday has the next ones.
    technician = tech(jobs=(job(wed(8), wed(18)),))

    def nearest(limit: int) -> list[str]:
        return days_and_times(nearest_slots(request([technician], whole(WEDNESDAY)), limit=limit))

    assert nearest(1) == ["Tue 17:00"]
    assert nearest(2) == ["Tue 17:00", "Thu 08:00"]
    assert nearest(4) == ["Tue 17:00", "Thu 08:00", "Thu 08:30", "Thu 09:00"]


def test_nearest_offers_each_start_once_across_technicians() -> None:
    team = [tech(1, jobs=(job(wed(12), wed(18)),)), tech(2, jobs=(job(wed(12), wed(18)),))]

    nearest = nearest_slots(request(team, Span(wed(12), wed(17))), limit=3)

    assert days_and_times(nearest) == ["Wed 11:00", "Thu 08:00", "Thu 08:30"]
    assert len({s.start for s in nearest}) == 3


def test_nearest_to_a_precise_start() -> None:
    technician = tech(jobs=(job(wed(12), wed(16)),))

    nearest = nearest_slots(request([technician], Span(wed(13), wed(13))), limit=3)

    assert days_and_times(nearest) == ["Wed 11:00", "Wed 16:00", "Wed 16:30"]


def test_nearest_keeps_the_rules_of_the_request() -> None:
    # Driving still applies: the van needs 25 minutes from the base, so Thursday starts at 08:30.
    travel = FakeTravelTimes({(BASE, CUSTOMER): 25})
    technician = tech(base=BASE, jobs=(job(wed(8), wed(18)),), time_off=(Span(on(date(2026, 3, 10), 0),
                                                                          on(date(2026, 3, 11), 0)),))

    nearest = nearest_slots(request([technician], whole(WEDNESDAY), place=CUSTOMER, travel=travel), limit=2)

    assert days_and_times(nearest) == ["Thu 08:30", "Thu 09:00"]
    assert all(s.start.tzinfo is UTC for s in nearest)
