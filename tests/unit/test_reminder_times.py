"""When reminders and non-urgent texts go out: offsets across DST, quiet hours. Times are plain values."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.reminder import is_quiet, offset_before, quiet_ends, reminder_times

CHI = "America/Chicago"
CHICAGO = ZoneInfo(CHI)
KOLKATA = "Asia/Kolkata"   # a half-hour zone
NIGHT = {"quiet_start": time(21), "quiet_end": time(8)}


def local(*args, tz=CHICAGO):
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(("start", "minutes", "expected"), [
    # 24 h before 10:00 on the Sunday DST starts (a 23-hour day) is 10:00 on Saturday, not 9:00.
    (local(2026, 3, 8, 10, 0), 1440, local(2026, 3, 7, 10, 0)),
    # ...and across the fall-back Sunday (a 25-hour day), 10:00 on Saturday, not 11:00.
    (local(2026, 11, 1, 10, 0), 1440, local(2026, 10, 31, 10, 0)),
    # The Monday after: 10:00 on the DST Sunday itself, in CDT.
    (local(2026, 3, 9, 10, 0), 1440, local(2026, 3, 8, 10, 0)),
    # Two days before a 2:30 AM job lands in the spring-forward gap: the instant after it, 3:30 AM CDT.
    (local(2026, 3, 10, 2, 30), 2880, datetime(2026, 3, 8, 8, 30, tzinfo=UTC)),
    # Hours are elapsed time: 2 h before 3:30 AM CDT on the DST Sunday is 12:30 AM CST (one wall hour "lost").
    (local(2026, 3, 8, 3, 30), 120, local(2026, 3, 8, 0, 30)),
    # 2 h before 1:30 AM CST (the second 1:30 of the fall-back night) is 12:30 AM CDT.
    (datetime(2026, 11, 1, 7, 30, tzinfo=UTC), 120, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
])
def test_offset_before(start, minutes, expected):
    assert offset_before(start, minutes, CHI) == expected


def test_whole_days_in_a_half_hour_zone():
    start = local(2026, 3, 11, 9, 30, tz=ZoneInfo(KOLKATA))
    assert offset_before(start, 1440, KOLKATA) == local(2026, 3, 10, 9, 30, tz=ZoneInfo(KOLKATA))


@pytest.mark.parametrize(("at", "quiet"), [
    (local(2026, 3, 10, 20, 59), False),
    (local(2026, 3, 10, 21, 0), True),
    (local(2026, 3, 11, 0, 30), True),
    (local(2026, 3, 11, 7, 59), True),
    (local(2026, 3, 11, 8, 0), False),
])
def test_quiet_hours_span_midnight(at, quiet):
    assert is_quiet(at, CHI, **NIGHT) is quiet


def test_quiet_hours_off_when_unset():
    assert not is_quiet(local(2026, 3, 11, 3, 0), CHI, None, None)
    assert quiet_ends(local(2026, 3, 11, 3, 0), CHI, None, None) == local(2026, 3, 11, 3, 0)


def test_a_non_urgent_text_waits_until_quiet_hours_end_on_a_dst_night():
    # 11 PM CST on Saturday 7 March; quiet until 8 AM Sunday, which is CDT.
    assert quiet_ends(local(2026, 3, 7, 23, 0), CHI, **NIGHT) == local(2026, 3, 8, 8, 0)
    assert quiet_ends(local(2026, 3, 8, 3, 0), CHI, **NIGHT) == local(2026, 3, 8, 8, 0)


def test_reminders_default_offsets_for_an_afternoon_job():
    now = local(2026, 3, 10, 9, 15)
    assert reminder_times(local(2026, 3, 11, 14, 0), [1440, 120], now=now, tz=CHI, **NIGHT) == [
        local(2026, 3, 10, 14, 0), local(2026, 3, 11, 12, 0)]


def test_a_reminder_in_quiet_hours_goes_out_the_evening_before_instead():
    now = local(2026, 3, 9, 9, 0)
    # 2 h before a 9:30 AM job is 7:30 AM, inside quiet hours: 8:45 PM the evening before.
    assert reminder_times(local(2026, 3, 11, 9, 30), [1440, 120], now=now, tz=CHI, **NIGHT) == [
        local(2026, 3, 10, 9, 30), local(2026, 3, 10, 20, 45)]


def test_past_and_duplicate_reminders_are_dropped():
    # Booked at 10 AM for 1 PM the same day: the 24 h reminder has passed, the 2 h one is at 11 AM.
    now = local(2026, 3, 10, 10, 0)
    assert reminder_times(local(2026, 3, 10, 13, 0), [1440, 120, 120, 0], now=now, tz=CHI, **NIGHT) == [
        local(2026, 3, 10, 11, 0)]


def test_a_late_night_booking_for_early_morning_gets_no_reminder_inside_quiet_hours():
    # Booked at 10 PM for 8:30 AM: 6:30 AM is quiet and its evening slot (8:45 PM) has passed.
    now = local(2026, 3, 10, 22, 0)
    assert reminder_times(local(2026, 3, 11, 8, 30), [120], now=now, tz=CHI, **NIGHT) == []
