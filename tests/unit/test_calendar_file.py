"""The booking's calendar file and Google link, read back as a calendar app would: the right instant in the
right zone across DST changes, one UID with a rising SEQUENCE, a cancellation that cancels."""

import secrets
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.domain.booking import BookingStatus
from bot.domain.calendar_file import (CalendarEntry, calendar_file, calendar_line, calendar_links, calendar_status,
                                      event_uid, google_link, is_code, is_revision, with_calendar_line)

CHI = "America/Chicago"
SYDNEY = "Australia/Sydney"
BASE = "https://bot.example.com"
CODE = "Y1NGwc8BCZlhIC6d"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def entry(start: datetime, end: datetime, tz: str = CHI, **changes) -> CalendarEntry:
    fields = dict(code=CODE, service="Full Detail", business="Shine Mobile Detailing", contact="(555) 000-2222",
                  start=start, end=end, tz=tz, location="4500 W 6th St, Austin, TX", sequence=0, status="CONFIRMED")
    return CalendarEntry(**{**fields, **changes})


def parsed(item: CalendarEntry) -> Calendar:
    return Calendar.from_ical(calendar_file(item, uid=event_uid(item.code, BASE), now=NOW))


def zone_of(calendar: Calendar, tzid: str):
    """The zone as the file's own VTIMEZONE defines it (not looked up by name)."""
    [component] = [tz for tz in calendar.timezones if tz["TZID"] == tzid]
    return component.to_tz(lookup_tzid=False)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("tz", "start", "end", "local_start", "local_end"), [
    # The Sunday DST starts in Chicago: 1:00 AM CST to 4:00 AM CDT is two hours, not three.
    (CHI, utc(2026, 3, 8, 7), utc(2026, 3, 8, 9), (2026, 3, 8, 1, 0), (2026, 3, 8, 4, 0)),
    # Later that day, in CDT (UTC-5).
    (CHI, utc(2026, 3, 8, 15), utc(2026, 3, 8, 18), (2026, 3, 8, 10, 0), (2026, 3, 8, 13, 0)),
    # The Sunday DST ends: 10:00 AM CST is UTC-6.
    (CHI, utc(2026, 11, 1, 16), utc(2026, 11, 1, 19), (2026, 11, 1, 10, 0), (2026, 11, 1, 13, 0)),
    # Sydney's DST ends on 5 April 2026 (AEDT +11 -> AEST +10): the day before and the day itself.
    (SYDNEY, utc(2026, 4, 3, 23), utc(2026, 4, 4, 1), (2026, 4, 4, 10, 0), (2026, 4, 4, 12, 0)),
    (SYDNEY, utc(2026, 4, 5, 0), utc(2026, 4, 5, 2), (2026, 4, 5, 10, 0), (2026, 4, 5, 12, 0)),
    # ...and starts on 4 October 2026 at 2:00 AM (+10 -> +11): 1:30 AM AEST to 4:30 AM AEDT is two hours.
    (SYDNEY, utc(2026, 10, 3, 15, 30), utc(2026, 10, 3, 17, 30), (2026, 10, 4, 1, 30), (2026, 10, 4, 4, 30)),
])
def test_start_and_end_are_wall_clock_times_in_the_business_zone_with_its_vtimezone(tz, start, end, local_start,
                                                                                      local_end):
    calendar = parsed(entry(start, end, tz=tz))
    [event] = calendar.events
    assert event["DTSTART"].params["TZID"] == tz and event["DTEND"].params["TZID"] == tz
    assert event.start == datetime(*local_start, tzinfo=ZoneInfo(tz))
    assert event.end == datetime(*local_end, tzinfo=ZoneInfo(tz))
    assert (event.start.astimezone(UTC), event.end.astimezone(UTC)) == (start, end)
    # A calendar app that only has the file's VTIMEZONE lands on the same instants.
    own = zone_of(calendar, tz)
    assert datetime(*local_start, tzinfo=own).astimezone(UTC) == start
    assert datetime(*local_end, tzinfo=own).astimezone(UTC) == end
    assert calendar.get_missing_tzids() == set()


def test_the_repeated_hour_of_the_fall_back_night_is_written_as_an_instant():
    # 1:30 AM CST on 1 Nov 2026 comes after 1:30 AM CDT; "01:30 Chicago" would mean the first, an hour early.
    first, second = utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 7, 30)
    [early] = parsed(entry(first, utc(2026, 11, 1, 7))).events
    [late] = parsed(entry(second, utc(2026, 11, 1, 9))).events
    assert early.start == datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo(CHI)) and early.start.astimezone(UTC) == first
    assert late.start == second and late["DTSTART"].to_ical() == b"20261101T073000Z"
    assert late.end == datetime(2026, 11, 1, 3, 0, tzinfo=ZoneInfo(CHI))


def test_a_utc_business_needs_no_vtimezone():
    calendar = parsed(entry(utc(2026, 6, 1, 9), utc(2026, 6, 1, 10), tz="UTC"))
    assert calendar.events[0].start == utc(2026, 6, 1, 9)
    assert calendar.get_missing_tzids() == set()


def test_the_event_says_what_where_and_who_to_call_and_never_the_technician():
    calendar = parsed(entry(utc(2026, 3, 11, 19), utc(2026, 3, 11, 22)))
    [event] = calendar.events
    assert (calendar["METHOD"], calendar["VERSION"], calendar["PRODID"]) == (
        "PUBLISH", "2.0", "-//Booking bot//Calendar file//EN")
    assert "UID" not in calendar   # a random calendar UID would make every download different
    assert event["SUMMARY"] == "Full Detail - Shine Mobile Detailing"
    assert event["LOCATION"] == "4500 W 6th St, Austin, TX"
    assert event["DESCRIPTION"] == ("Full Detail with Shine Mobile Detailing.\n"
                                    "To change or cancel, call or text (555) 000-2222.\nBooking code: " + CODE)
    assert (event["STATUS"], event["SEQUENCE"]) == ("CONFIRMED", 0)
    assert event["UID"] == f"booking-{CODE}@bot.example.com"
    assert event["DTSTAMP"].dt == NOW


def test_spanish_customers_get_spanish_text_and_no_location_is_left_out():
    [event] = parsed(entry(utc(2026, 3, 11, 19), utc(2026, 3, 11, 22), language="es", location=None)).events
    assert event["DESCRIPTION"].startswith("Full Detail con Shine Mobile Detailing.\nPara cambiar o cancelar")
    assert "LOCATION" not in event


def test_a_move_keeps_the_uid_and_raises_the_sequence_and_a_cancellation_cancels():
    booked = entry(utc(2026, 3, 11, 19), utc(2026, 3, 11, 22))
    moved = replace(booked, start=utc(2026, 3, 13, 19), end=utc(2026, 3, 13, 22), sequence=1)
    cancelled = replace(moved, sequence=2, status="CANCELLED")
    files = [parsed(item) for item in (booked, moved, cancelled)]
    events = [calendar.events[0] for calendar in files]
    assert len({event["UID"] for event in events}) == 1
    assert [event["SEQUENCE"] for event in events] == [0, 1, 2]
    assert [calendar["METHOD"] for calendar in files] == ["PUBLISH", "PUBLISH", "CANCEL"]
    assert [event["STATUS"] for event in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert events[2]["SUMMARY"] == "Cancelled: Full Detail - Shine Mobile Detailing"
    assert events[2].start.astimezone(UTC) == utc(2026, 3, 13, 19)


def test_the_uid_depends_on_the_code_and_the_public_host_only():
    assert event_uid(CODE, "https://bot.example.com") == event_uid(CODE, "https://bot.example.com:443/")
    assert event_uid(CODE, "http://127.0.0.1:8000") == f"booking-{CODE}@127.0.0.1"


@pytest.mark.parametrize(("tz", "start", "end", "dates"), [
    (CHI, utc(2026, 3, 8, 15), utc(2026, 3, 8, 18), "20260308T150000Z/20260308T180000Z"),
    (CHI, utc(2026, 11, 1, 16), utc(2026, 11, 1, 19), "20261101T160000Z/20261101T190000Z"),
    (SYDNEY, utc(2026, 4, 3, 23), utc(2026, 4, 4, 1), "20260403T230000Z/20260404T010000Z"),
])
def test_the_google_link_decodes_to_the_utc_instants_in_the_business_zone(tz, start, end, dates):
    link = google_link(entry(start, end, tz=tz, location="9 Elm St & 5th, Austin"))
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "calendar.google.com", "/calendar/render")
    query = parse_qs(parts.query, strict_parsing=True)
    assert {key: values for key, values in query.items() if key != "details"} == {
        "action": ["TEMPLATE"], "text": ["Full Detail - Shine Mobile Detailing"], "dates": [dates], "ctz": [tz],
        "location": ["9 Elm St & 5th, Austin"]}
    assert query["details"] == ["Full Detail with Shine Mobile Detailing.\nTo change or cancel, call or text "
                                f"(555) 000-2222.\nBooking code: {CODE}"]
    assert " " not in link and "\n" not in link


def test_the_links_and_the_line_a_confirmation_carries():
    assert calendar_links(BASE + "/", CODE) == calendar_links(BASE, CODE)
    assert calendar_links(BASE, CODE).ics == f"{BASE}/b/{CODE}.ics"
    assert calendar_line(BASE, CODE, "en") == f"Add to calendar: {BASE}/b/{CODE}.ics (Google: {BASE}/b/{CODE}/google)"
    assert calendar_line(BASE, CODE, "es").startswith("Agrégalo a tu calendario: ")
    assert with_calendar_line("You're confirmed!", public_base_url="", code=CODE, language="en") == "You're confirmed!"
    assert with_calendar_line("OK.", public_base_url=BASE, code=CODE, language="en") == (
        f"OK.\n{calendar_line(BASE, CODE, 'en')}")
    # Only GSM-7 characters: anything else would send the English confirmation as UCS-2 (70 characters a part).
    assert calendar_line(BASE, CODE, "en").isascii()


@pytest.mark.parametrize(("text", "expected"), [
    (secrets.token_urlsafe(12), True), (CODE, True), ("a" * 32, True),
    ("a" * 33, False), ("", False), ("../etc", False), ("abc def", False), ("abc%00", False), ("ñandú", False),
])
def test_is_code(text, expected):
    assert is_code(text) is expected


S = BookingStatus


@pytest.mark.parametrize(("status", "revision", "expected"), [
    (S.HELD, 0, None), (S.AWAITING_PAYMENT, 0, None), (S.AWAITING_PAYMENT, 1, None),
    (S.PENDING_APPROVAL, 0, "TENTATIVE"), (S.CONFIRMED, 0, "CONFIRMED"), (S.CONFIRMED, 3, "CONFIRMED"),
    (S.COMPLETED, 0, "CONFIRMED"), (S.NO_SHOW, 0, "CONFIRMED"),
    # Ended after it was firm (the ending raised the revision): the file cancels the event.
    (S.CANCELLED, 1, "CANCELLED"), (S.REJECTED, 1, "CANCELLED"), (S.EXPIRED, 1, "CANCELLED"),
    # Ended as a hold: it was never on a calendar.
    (S.CANCELLED, 0, None), (S.EXPIRED, 0, None),
])
def test_calendar_status(status, revision, expected):
    assert calendar_status(status, revision) == expected


@pytest.mark.parametrize(("before", "after", "moved", "expected"), [
    (S.CONFIRMED, S.CONFIRMED, True, True),            # rescheduled, or given to another technician
    (S.PENDING_APPROVAL, S.PENDING_APPROVAL, True, True),
    (S.CONFIRMED, S.CANCELLED, False, True),
    (S.PENDING_APPROVAL, S.REJECTED, False, True),
    (S.PENDING_APPROVAL, S.EXPIRED, False, True),      # the owner never answered
    (S.PENDING_APPROVAL, S.CONFIRMED, False, False),   # approved: same event, same version
    (S.CONFIRMED, S.COMPLETED, False, False),
    (S.COMPLETED, S.NO_SHOW, False, False),
    (S.CONFIRMED, S.CONFIRMED, False, False),          # a note, a reminder answered
    (S.AWAITING_PAYMENT, S.AWAITING_PAYMENT, True, False),   # a late deposit moves the hold: no file out yet
    (S.HELD, S.CANCELLED, False, False),
    (S.AWAITING_PAYMENT, S.EXPIRED, False, False),
])
def test_is_revision(before, after, moved, expected):
    assert is_revision(before, after, moved=moved) is expected
