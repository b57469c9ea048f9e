"""Which few slots a text offers: one per start (best technician), spread over the window, round hours,
earliest first when asap, least driving first for mobile businesses, and a share for each window.

Times are America/Chicago; Wednesday is 2026-03-11 (CDT).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.availability import Job, ServiceSpec, Slot, SlotRequest, Technician, WeeklyRule, find_slots
from bot.domain.offers import best_per_start, chosen_offers, efficient, spread_offers
from bot.domain.span import Span
from bot.domain.travel import Place

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
WEDNESDAY, FRIDAY = date(2026, 3, 11), date(2026, 3, 13)
HOUR = timedelta(hours=1)


def at(hour: int, minute: int = 0, day: date = WEDNESDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def slot(hour: int, minute: int = 0, *, staff: int = 1, drive: float = 0.0, day: date = WEDNESDAY) -> Slot:
    return Slot(at(hour, minute, day), at(hour, minute, day) + 3 * HOUR, staff, drive)


def every_half_hour(first: datetime, last: datetime, *, staff: int = 1) -> list[Slot]:
    found, start = [], first
    while start <= last:
        found.append(Slot(start, start + 3 * HOUR, staff))
        start += timedelta(minutes=30)
    return found


def clock(slots: list[Slot], tz: ZoneInfo = CHICAGO) -> list[str]:
    return [s.start.astimezone(tz).strftime("%H:%M") for s in slots]


def day_and_clock(slots: list[Slot]) -> list[str]:
    return [s.start.astimezone(CHICAGO).strftime("%a %H:%M") for s in slots]


AFTERNOON = every_half_hour(at(12), at(15))       # 12:00, 12:30, ... 15:00: seven starts
WED_AFTERNOON = Span(at(12), at(17))


# --- spread ---------------------------------------------------------------------------------------------


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
    assert clock(spread_offers(AFTERNOON, limit, CHICAGO)) == expected


def test_spread_offers_counts_each_start_once_across_technicians() -> None:
    both = sorted(AFTERNOON + every_half_hour(at(12), at(15), staff=2))

    offers = spread_offers(both, 3, CHICAGO)

    assert [(o, s.staff_id) for o, s in zip(clock(offers), offers)] == [("12:00", 1), ("14:00", 1), ("15:00", 1)]


def test_spread_offers_of_nothing_is_nothing() -> None:
    assert spread_offers([], 3, CHICAGO) == []


def test_round_hours_are_local_in_a_half_hour_zone() -> None:
    # 08:00-11:00 IST every 30 minutes: the local round hours are :30 in UTC.
    kolkata = ZoneInfo("Asia/Kolkata")
    start = datetime(2026, 3, 11, 8, 0, tzinfo=kolkata)
    slots = every_half_hour(start, start + 3 * HOUR)

    offers = spread_offers(slots, 3, kolkata)

    assert clock(offers, kolkata) == ["08:00", "10:00", "11:00"]
    assert [o.start.astimezone(ZoneInfo("UTC")).minute for o in offers] == [30, 30, 30]


def test_chosen_offers_spread_over_the_window() -> None:
    assert clock(chosen_offers(AFTERNOON, [WED_AFTERNOON], limit=3, tz=ZONE)) == ["12:00", "14:00", "15:00"]


def test_chosen_offers_accept_a_zoneinfo() -> None:
    assert chosen_offers(AFTERNOON, [WED_AFTERNOON], limit=3, tz=CHICAGO) == chosen_offers(
        AFTERNOON, [WED_AFTERNOON], limit=3, tz=ZONE)


def test_nothing_free_offers_nothing() -> None:
    assert chosen_offers([], [WED_AFTERNOON], limit=3, tz=ZONE) == []


# --- asap -----------------------------------------------------------------------------------------------


def test_asap_offers_the_earliest_starts() -> None:
    assert clock(chosen_offers(AFTERNOON, [WED_AFTERNOON], limit=3, tz=ZONE, asap=True)) == ["12:00", "12:30", "13:00"]


def test_asap_beats_route_efficiency() -> None:
    slots = [slot(12, drive=45.0), slot(12, 30, drive=40.0), slot(13, drive=2.0), slot(13, 30, drive=1.0)]

    assert clock(chosen_offers(slots, [WED_AFTERNOON], limit=2, tz=ZONE, asap=True)) == ["12:00", "12:30"]


def test_without_windows_the_earliest_starts_are_offered() -> None:
    assert clock(chosen_offers(AFTERNOON, [], limit=2, tz=ZONE)) == ["12:00", "12:30"]


# --- the best technician per start ----------------------------------------------------------------------


def test_one_offer_per_start_by_the_technician_adding_least_driving() -> None:
    slots = [slot(12, staff=1, drive=30.0), slot(12, staff=2, drive=5.0), slot(12, staff=3, drive=5.0),
             slot(13, staff=2, drive=8.0), slot(13, staff=1, drive=8.0), slot(14, staff=3, drive=0.0)]

    best = best_per_start(slots)

    assert [(c, s.staff_id, s.drive_minutes) for c, s in zip(clock(best), best)] == [
        ("12:00", 2, 5.0),   # least driving
        ("13:00", 1, 8.0),   # a tie goes to the lowest id, whatever the input order
        ("14:00", 3, 0.0),
    ]


def test_the_offered_technician_is_the_best_one_at_that_start() -> None:
    slots = [slot(12, staff=1, drive=20.0), slot(12, staff=2, drive=3.0)]

    assert [s.staff_id for s in chosen_offers(slots, [WED_AFTERNOON], limit=3, tz=ZONE)] == [2]


# --- route-aware offers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drives", "wanted", "expected"),
    [
        # The best adds 5 minutes; anything within 10 more is efficient.
        pytest.param([5, 14, 16, 40], 2, [5, 14], id="within-10-minutes"),
        # The best adds 40; within half of that (20) more is efficient.
        pytest.param([40, 60, 61], 2, [40, 60], id="within-half-of-a-long-drive"),
        # Too few efficient starts: topped up with the least driving of the rest, in time order.
        pytest.param([5, 40, 30], 2, [5, 30], id="topped-up"),
        pytest.param([], 3, [], id="nothing"),
    ],
)
def test_efficient_starts(drives: list[float], wanted: int, expected: list[float]) -> None:
    slots = [slot(9 + i, drive=d) for i, d in enumerate(drives)]

    assert [s.drive_minutes for s in efficient(slots, wanted)] == expected


BASE = Place("Depot, 12 Airport Blvd")
CUSTOMER = Place("1100 Congress Ave")
NEXT_DOOR = Place("1200 Congress Ave")      # two streets from the customer
ACROSS_TOWN = Place("9000 Research Blvd")
MINUTES = {(BASE, CUSTOMER): 20, (BASE, ACROSS_TOWN): 25, (BASE, NEXT_DOOR): 20, (CUSTOMER, ACROSS_TOWN): 40,
           (CUSTOMER, NEXT_DOOR): 5, (ACROSS_TOWN, NEXT_DOOR): 40}


class FakeTravelTimes:
    """Drive minutes from a table, the same both ways; a place to itself is 0."""

    def minutes(self, origin: Place, destination: Place) -> float:
        if origin == destination:
            return 0.0
        return MINUTES.get((origin, destination), MINUTES.get((destination, origin)))


def wednesday_request(travel: FakeTravelTimes | None) -> SlotRequest:
    """A van out of the depot with a job across town 11:00-12:00 and one next door to the customer
    14:00-15:30; the customer wants a one-hour wash "on Wednesday"."""
    van = Technician(1, [WeeklyRule(WEDNESDAY.weekday(), time(8), time(18))], base=BASE, jobs=[
        Job(Span(at(11), at(12)), place=ACROSS_TOWN), Job(Span(at(14), at(15, 30)), place=NEXT_DOOR)])
    return SlotRequest(ServiceSpec("Wash", HOUR), [van], [Span(at(0), at(0, day=date(2026, 3, 12)))],
                       now=datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO), tz=ZONE, place=CUSTOMER, travel=travel)


def test_route_aware_offers_prefer_the_afternoon_next_door() -> None:
    # Morning: out of the depot by 08:20, and the customer must be done by 10:20 to reach the 11:00 job
    # across town: 08:30 and 09:00, adding depot -> customer -> across town 20 + 40 instead of 25 = 35.
    # Midday: 12:00 across town + 40 = 12:40, but the 14:00 job next door needs us gone by 13:55: nothing.
    # Afternoon: 15:30 next door + 5 = 15:35, so 16:00, 16:30, 17:00, adding next door -> customer -> depot
    # 5 + 20 instead of 20 = 5 minutes.
    request = wednesday_request(FakeTravelTimes())
    slots = find_slots(request)
    assert [(c, s.drive_minutes) for c, s in zip(clock(slots), slots)] == [
        ("08:30", 35.0), ("09:00", 35.0), ("16:00", 5.0), ("16:30", 5.0), ("17:00", 5.0)]

    offers = chosen_offers(slots, request.windows, limit=3, tz=ZONE)

    assert clock(offers) == ["16:00", "16:30", "17:00"]


def test_without_driving_the_same_day_is_spread_over_round_hours() -> None:
    # The jobs only take their own time: 08:00-10:00, 12:00-13:00 and 15:30-17:00 are all free starts.
    request = wednesday_request(None)
    slots = find_slots(request)

    offers = chosen_offers(slots, request.windows, limit=3, tz=ZONE)

    assert clock(offers) == ["08:00", "12:00", "17:00"]


def test_route_aware_offers_top_up_with_longer_drives_when_short_ones_run_out() -> None:
    request = wednesday_request(FakeTravelTimes())

    offers = chosen_offers(find_slots(request), request.windows, limit=5, tz=ZONE)

    assert clock(offers) == ["08:30", "09:00", "16:00", "16:30", "17:00"]


# --- several windows ------------------------------------------------------------------------------------

WED_MORNING = Span(at(8), at(12))
FRI_AFTERNOON = Span(at(13, day=FRIDAY), at(17, day=FRIDAY))
TWO_DAYS = every_half_hour(at(8), at(11)) + every_half_hour(at(13, day=FRIDAY), at(16, day=FRIDAY))


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        # Round robin in the customer's order: Wednesday gets the extra one.
        pytest.param([WED_MORNING, FRI_AFTERNOON], ["Wed 08:00", "Wed 11:00", "Fri 13:00"], id="wed-or-fri"),
        pytest.param([FRI_AFTERNOON, WED_MORNING], ["Wed 08:00", "Fri 13:00", "Fri 16:00"], id="fri-or-wed"),
    ],
)
def test_each_window_gets_its_share_in_the_customers_order(windows: list[Span], expected: list[str]) -> None:
    assert day_and_clock(chosen_offers(TWO_DAYS, windows, limit=3, tz=ZONE)) == expected


def test_an_empty_window_leaves_its_share_to_the_others() -> None:
    wednesday_only = every_half_hour(at(8), at(11))

    offers = chosen_offers(wednesday_only, [FRI_AFTERNOON, WED_MORNING], limit=3, tz=ZONE)

    assert day_and_clock(offers) == ["Wed 08:00", "Wed 10:00", "Wed 11:00"]


def test_a_window_with_one_start_gives_up_the_rest_of_its_share() -> None:
    slots = every_half_hour(at(8), at(11)) + [slot(15, day=FRIDAY)]

    offers = chosen_offers(slots, [FRI_AFTERNOON, WED_MORNING], limit=4, tz=ZONE)

    assert day_and_clock(offers) == ["Wed 08:00", "Wed 10:00", "Wed 11:00", "Fri 15:00"]


def test_a_precise_window_offers_only_that_start() -> None:
    offers = chosen_offers(AFTERNOON, [Span(at(13, 30), at(13, 30)), Span(at(14), at(15))], limit=3, tz=ZONE)

    assert clock(offers) == ["13:30", "14:00", "14:30"]
