"""The Google Calendar adapter over the real google-api-python-client: googleapiclient's HttpMockSequence
answering with Google's response bodies, and a local token endpoint and API on 127.0.0.1 for the OAuth
refresh (google-auth's own HTTP)."""

import json
import re
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from googleapiclient.http import HttpMockSequence

from bot.adapters.google_calendar import (OAUTH, CalendarAccess, CalendarAccessLost, CalendarRefused,
                                          CalendarUnavailable, EventDraft, FakeCalendar, GoogleCalendar,
                                          GoogleCalendars, TokenBox, event_id_for)
from bot.domain.span import Span
from tests.support.calendar_standin import (ACCESS_TOKEN, BACKEND_ERROR, DELETED, DUPLICATE, INVALID_CREDENTIALS,
                                            INVALID_GRANT, NO_WRITE_ACCESS, NOT_FOUND, RATE_LIMITED, TOO_MANY,
                                            UNAVAILABLE, event_answer, freebusy_answer)
from tests.support.calendar_standin import google_api  # noqa: F401 (fixture)

WEDNESDAY = Span(datetime(2026, 3, 11, 5, tzinfo=UTC), datetime(2026, 3, 12, 5, tzinfo=UTC))   # Mar 11 in Chicago
DRAFT = EventDraft(event_id=event_id_for("k3yC0de-booking1"), booking_id=12, summary="Full Detail - Dana K.",
                   location="1100 Congress Ave, Austin, TX",
                   description="Dana Kim: (555) 010-0001\nBooking code: k3yC0de-booking1",
                   start_at=datetime(2026, 3, 11, 19, tzinfo=UTC), end_at=datetime(2026, 3, 11, 22, tzinfo=UTC),
                   time_zone="America/Chicago")


def answering(*answers: tuple[int, dict | str]) -> tuple[GoogleCalendar, HttpMockSequence]:
    http = HttpMockSequence([({"status": str(status)}, body if isinstance(body, str) else json.dumps(body))
                             for status, body in answers])
    return GoogleCalendar.connect(http=http), http


def sent(http: HttpMockSequence) -> list[tuple[str, str, dict | None]]:
    """(method, path and query, JSON body) of each request the client made."""
    return [(method, uri.removeprefix("https://www.googleapis.com/calendar/v3"), json.loads(body) if body else None)
            for uri, method, body, _headers in http.request_sequence]


def test_the_event_id_is_base32hex_and_the_same_for_the_same_booking():
    first = event_id_for("k3yC0de-booking1")
    assert re.fullmatch(r"[a-v0-9]{5,1024}", first)
    assert event_id_for("k3yC0de-booking1") == first != event_id_for("k3yC0de-booking2")


def test_busy_times_come_from_freebusy_query_per_calendar():
    calendar, http = answering((200, freebusy_answer(
        "2026-03-11T05:00:00.000Z", "2026-03-12T05:00:00.000Z",
        {"primary": [("2026-03-11T19:00:00Z", "2026-03-11T20:30:00Z"),
                     ("2026-03-11T22:00:00Z", "2026-03-11T23:00:00Z")]},
        errors={"team@group.calendar.google.com": "notFound"})))
    answer = calendar.busy(["primary", "team@group.calendar.google.com"], WEDNESDAY)
    assert answer.busy == {"primary": [
        Span(datetime(2026, 3, 11, 19, tzinfo=UTC), datetime(2026, 3, 11, 20, 30, tzinfo=UTC)),
        Span(datetime(2026, 3, 11, 22, tzinfo=UTC), datetime(2026, 3, 11, 23, tzinfo=UTC))]}
    assert answer.errors == {"team@group.calendar.google.com": "notFound"}
    [(method, path, body)] = sent(http)
    assert (method, path) == ("POST", "/freeBusy?alt=json")
    assert body == {"timeMin": "2026-03-11T05:00:00Z", "timeMax": "2026-03-12T05:00:00Z",
                    "items": [{"id": "primary"}, {"id": "team@group.calendar.google.com"}]}


def test_a_horizon_longer_than_google_allows_is_asked_in_90_day_pieces():
    empty = freebusy_answer("x", "y", {"primary": []})
    calendar, http = answering((200, empty), (200, empty))
    calendar.busy(["primary"], Span(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)))
    assert [(b["timeMin"], b["timeMax"]) for _, _, b in sent(http)] == [
        ("2026-03-01T00:00:00Z", "2026-05-30T00:00:00Z"), ("2026-05-30T00:00:00Z", "2026-07-01T00:00:00Z")]


def test_insert_sends_our_id_the_title_place_details_and_the_private_booking_id():
    calendar, http = answering((200, event_answer({"id": DRAFT.event_id})))
    calendar.upsert_event("primary", DRAFT, exists=False)
    [(method, path, body)] = sent(http)
    assert (method, path) == ("POST", "/calendars/primary/events?sendUpdates=none&alt=json")
    assert body == {
        "id": DRAFT.event_id, "summary": "Full Detail - Dana K.", "location": "1100 Congress Ave, Austin, TX",
        "description": "Dana Kim: (555) 010-0001\nBooking code: k3yC0de-booking1",
        # 19:00 UTC on 11 March 2026 is 2:00 PM CDT: the event shows at the business's local time.
        "start": {"dateTime": "2026-03-11T14:00:00-05:00", "timeZone": "America/Chicago"},
        "end": {"dateTime": "2026-03-11T17:00:00-05:00", "timeZone": "America/Chicago"},
        "status": "confirmed", "transparency": "opaque", "extendedProperties": {"private": {"bookingId": "12"}}}


def test_an_insert_that_meets_its_own_event_updates_it_instead_of_making_a_second():
    calendar, http = answering((409, DUPLICATE), (200, event_answer({"id": DRAFT.event_id})))
    calendar.upsert_event("primary", DRAFT, exists=False)
    (first, _, inserted), (second, path, patched) = sent(http)
    assert (first, second) == ("POST", "PATCH")
    assert path == f"/calendars/primary/events/{DRAFT.event_id}?sendUpdates=none&alt=json"
    assert inserted["id"] == DRAFT.event_id and "id" not in patched and patched["summary"] == "Full Detail - Dana K."


def test_a_known_event_is_patched_and_made_again_if_it_is_gone_from_the_calendar():
    calendar, http = answering((200, event_answer({"id": DRAFT.event_id})))
    calendar.upsert_event("primary", DRAFT, exists=True)
    assert [m for m, _, _ in sent(http)] == ["PATCH"]
    calendar, http = answering((404, NOT_FOUND), (200, event_answer({"id": DRAFT.event_id})))
    calendar.upsert_event("primary", DRAFT, exists=True)
    assert [m for m, _, _ in sent(http)] == ["PATCH", "POST"]


@pytest.mark.parametrize(("status", "body"), [(204, ""), (404, NOT_FOUND), (410, DELETED)])
def test_deleting_an_event_that_is_gone_counts_as_deleted(status, body):
    calendar, http = answering((status, body))
    calendar.delete_event("primary", DRAFT.event_id)
    assert sent(http) == [("DELETE", f"/calendars/primary/events/{DRAFT.event_id}?sendUpdates=none", None)]


@pytest.mark.parametrize(("status", "body", "failure"), [
    (500, BACKEND_ERROR, CalendarUnavailable), (503, UNAVAILABLE, CalendarUnavailable),
    (429, TOO_MANY, CalendarUnavailable), (403, RATE_LIMITED, CalendarUnavailable),
    (403, NO_WRITE_ACCESS, CalendarRefused), (401, INVALID_CREDENTIALS, CalendarAccessLost)])
def test_google_failures_become_ours(status, body, failure):
    calendar, _ = answering((status, body))
    with pytest.raises(failure) as raised:
        calendar.upsert_event("primary", DRAFT, exists=False)
    assert raised.value.status == status
    assert raised.value.retryable is (failure is CalendarUnavailable)
    assert raised.value.reconnect is (failure is CalendarAccessLost)
    calendar, _ = answering((status, body))
    with pytest.raises(failure):
        calendar.busy(["primary"], WEDNESDAY)


def calendars_against(google_api, box: TokenBox) -> GoogleCalendars:
    return GoogleCalendars(client_id="client-123.apps.googleusercontent.com", client_secret="s3cret",
                           token_uri=google_api.token_uri, token_box=box, api_base=google_api.api_base, timeout=5)


def test_a_revoked_refresh_token_means_the_owner_must_reconnect(google_api):
    google_api.answer("/token", 400, INVALID_GRANT)
    box = TokenBox(Fernet.generate_key().decode())
    calendar = calendars_against(google_api, box)(CalendarAccess(OAUTH, box.seal("1//0g-revoked")))
    with pytest.raises(CalendarAccessLost, match="invalid_grant"):
        calendar.busy(["primary"], WEDNESDAY)
    [refresh] = google_api.asked
    assert refresh.path == "/token" and refresh.form["grant_type"] == "refresh_token"
    assert refresh.form["refresh_token"] == "1//0g-revoked" and refresh.form["client_id"].startswith("client-123")


def test_the_refreshed_access_token_is_sent_and_reused(google_api):
    google_api.answer("/token", 200, ACCESS_TOKEN)
    for _ in range(2):
        google_api.answer("/calendar/v3/freeBusy", 200, freebusy_answer("a", "b", {"primary": []}))
    box = TokenBox(Fernet.generate_key().decode())
    calendars = calendars_against(google_api, box)
    access = CalendarAccess(OAUTH, box.seal("1//0g-good"))
    calendars(access).busy(["primary"], WEDNESDAY)
    calendars(access).busy(["primary"], WEDNESDAY)
    assert google_api.paths() == ["/token", "/calendar/v3/freeBusy", "/calendar/v3/freeBusy"]
    assert google_api.asked[1].headers["authorization"] == "Bearer ya29.a0-test-access-token"


def test_a_5xx_from_the_api_is_retryable(google_api):
    google_api.answer("/token", 200, ACCESS_TOKEN)
    google_api.answer("/calendar/v3/freeBusy", 503, UNAVAILABLE)
    box = TokenBox(Fernet.generate_key().decode())
    with pytest.raises(CalendarUnavailable, match="503"):
        calendars_against(google_api, box)(CalendarAccess(OAUTH, box.seal("1//0g-good"))).busy(["primary"], WEDNESDAY)


def test_an_unreachable_google_is_retryable():
    box = TokenBox(Fernet.generate_key().decode())
    calendars = GoogleCalendars(client_id="c", client_secret="s", token_uri="http://127.0.0.1:9/token",
                                token_box=box, api_base="http://127.0.0.1:9/calendar/v3/", timeout=2)
    with pytest.raises(CalendarUnavailable):
        calendars(CalendarAccess(OAUTH, box.seal("1//0g"))).busy(["primary"], WEDNESDAY)


def test_tokens_are_sealed_with_the_key_and_keys_rotate():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = TokenBox(old).seal("1//0g-refresh")
    assert "1//0g-refresh" not in sealed
    assert TokenBox(f"{new},{old}").open(sealed) == "1//0g-refresh"
    with pytest.raises(CalendarAccessLost):
        TokenBox(new).open(sealed)
    with pytest.raises(ValueError, match="GOOGLE_TOKEN_KEY"):
        TokenBox("")


def test_the_fake_keeps_google_rules_one_event_per_id_and_deleted_ones_kept_cancelled():
    fake = FakeCalendar()
    fake.upsert_event("primary", DRAFT, exists=False)
    fake.upsert_event("primary", DRAFT, exists=False)
    fake.delete_event("primary", DRAFT.event_id)
    fake.delete_event("primary", DRAFT.event_id)
    assert fake.created == [("primary", DRAFT.event_id)] and fake.live() == []
    fake.failures.append(CalendarUnavailable("503"))
    with pytest.raises(CalendarUnavailable):
        fake.busy(["primary"], WEDNESDAY)
