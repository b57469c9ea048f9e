"""Google Calendar behind the `CalendarSync` role: busy times (freebusy.query) and one event per booking.

`GoogleCalendar` is the official google-api-python-client, built from the discovery document packaged
with it (static_discovery=True): nothing is fetched at start, and a Google outage cannot stop the
process from starting. `FakeCalendar` is its twin with public state, for tests and the offline demo.

Google's many failures become three of ours, because a caller only decides among three things:
- `CalendarUnavailable` (429, 5xx, a rate-limit 403, a network error or timeout): try again later;
- `CalendarAccessLost` (the refresh token was revoked or expired: `invalid_grant`, or a 401 after a
  refresh): only the owner can fix it by connecting again, so it is shown on the owner page;
- `CalendarRefused` (any other 4xx: no write access to that calendar, a bad request): retrying the
  same request cannot help; recorded and shown.
A delete of an event that is already gone (404, 410) is done, not an error; an insert of an id that
exists (409) is an update (see `GoogleCalendar.upsert_event`).
"""

import base64
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain.span import Span

log = logging.getLogger(__name__)

# Write events, read free/busy; nothing else of the account (not its other events' details).
SCOPES = ("https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.freebusy")
# Google answers freebusy.query for at most 90 days at a time ("The requested time range is too long").
FREEBUSY_MAX = timedelta(days=90)
TIMEOUT_SECONDS = 10.0
OAUTH = "oauth"
SERVICE_ACCOUNT = "service_account"
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


class CalendarError(Exception):
    """Google did not do what we asked; `status` is Google's HTTP status, when it answered."""

    retryable = False
    reconnect = False

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


class CalendarUnavailable(CalendarError):
    """Google could not answer now (5xx, 429, rate limit, network): try again later."""

    retryable = True


class CalendarAccessLost(CalendarError):
    """Our access to the account is gone (revoked or expired refresh token): the owner must connect again."""

    reconnect = True


class CalendarRefused(CalendarError):
    """Google refused the request itself (no access to that calendar, a bad request): retrying cannot help."""


@dataclass(frozen=True)
class FreeBusy:
    """freebusy.query's answer: busy spans per calendar, and the calendars Google could not read (with why)."""

    busy: Mapping[str, Sequence[Span]]
    errors: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDraft:
    """The event one booking should be, as plain data."""

    event_id: str          # deterministic per booking (event_id_for): a retried insert meets itself (409)
    booking_id: int
    summary: str           # "Full Detail - Dana K."
    location: str
    description: str
    start_at: datetime
    end_at: datetime
    time_zone: str         # the business's IANA zone: Google shows the event at the local time

    def body(self) -> dict[str, Any]:
        """The event resource, as events.insert and events.patch take it (without the id)."""
        zone = ZoneInfo(self.time_zone)
        return {
            "summary": self.summary, "location": self.location, "description": self.description,
            "start": {"dateTime": self.start_at.astimezone(zone).isoformat(), "timeZone": self.time_zone},
            "end": {"dateTime": self.end_at.astimezone(zone).isoformat(), "timeZone": self.time_zone},
            # Confirmed also revives an event of ours that was deleted (Google keeps it as "cancelled").
            "status": "confirmed", "transparency": "opaque",
            # Private: only visible through this app's requests, on this copy of the event.
            "extendedProperties": {"private": {"bookingId": str(self.booking_id)}},
        }


def event_id_for(booking_code: str) -> str:
    """Our event id for a booking: Google accepts ids of base32hex characters (a-v, 0-9), 5 to 1024 long, so
    a retried insert of the same booking is refused as a duplicate instead of making a second event. From
    the booking's random code, not its number, so two databases sharing a calendar never collide."""
    digest = hashlib.sha256(f"booking-event:{booking_code}".encode()).digest()[:20]
    return base64.b32hexencode(digest).decode().lower().rstrip("=")


class CalendarSync(Protocol):
    """One connected Google account (or service account): read busy times, write our events."""

    def busy(self, calendar_ids: Sequence[str], span: Span) -> FreeBusy: ...

    def upsert_event(self, calendar_id: str, draft: EventDraft, *, exists: bool) -> None:
        """Make the event match `draft`, creating it if needed; `exists` says whether we created it before."""

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        """Delete the event; one that is already gone counts as deleted."""


@dataclass(frozen=True)
class CalendarAccess:
    """How to reach one connected calendar's account: an owner's OAuth grant (its refresh token, sealed) or
    the deployment's service account."""

    kind: str                       # OAUTH or SERVICE_ACCOUNT
    sealed_token: str | None = None


CalendarFor = Callable[[CalendarAccess], CalendarSync]


class GoogleCalendar:
    """CalendarSync over google-api-python-client."""

    def __init__(self, service: Any):
        self.service = service

    @classmethod
    def connect(cls, credentials: Any = None, *, http: Any = None, api_base: str = "",
                timeout: float = TIMEOUT_SECONDS, request_builder: Any = None) -> "GoogleCalendar":
        """Built from the packaged discovery document. `http`: an httplib2.Http (or googleapiclient's
        HttpMock/HttpMockSequence in tests), authorised with `credentials` when given; `api_base`: another
        address for the API (a local stand-in), e.g. http://127.0.0.1:8089/calendar/v3/."""
        import httplib2
        from google_auth_httplib2 import AuthorizedHttp
        from googleapiclient.discovery import build
        from googleapiclient.http import HttpRequest

        transport = http if http is not None else httplib2.Http(timeout=timeout)
        if credentials is not None:
            # The refresh of the access token goes through the same transport, with the same timeout.
            transport = AuthorizedHttp(credentials, http=transport)
        service = build("calendar", "v3", http=transport, static_discovery=True, cache_discovery=False,
                        requestBuilder=request_builder or HttpRequest,
                        client_options={"api_endpoint": api_base} if api_base else None)
        return cls(service)

    def busy(self, calendar_ids: Sequence[str], span: Span) -> FreeBusy:
        busy: dict[str, list[Span]] = {c: [] for c in calendar_ids}
        errors: dict[str, str] = {}
        start = span.start
        while start < span.end:
            end = min(span.end, start + FREEBUSY_MAX)
            answer = _call(self.service.freebusy().query(body={
                "timeMin": _rfc3339(start), "timeMax": _rfc3339(end), "items": [{"id": c} for c in calendar_ids]}))
            found = answer.get("calendars", {})
            for calendar_id in calendar_ids:
                entry = found.get(calendar_id)
                if entry is None and len(calendar_ids) == 1 and len(found) == 1:
                    entry = next(iter(found.values()))  # "primary" may come back under the account's address
                if entry is None:
                    errors[calendar_id] = "missing"
                    continue
                if entry.get("errors"):
                    errors[calendar_id] = ",".join(e.get("reason", "error") for e in entry["errors"])
                busy[calendar_id].extend(Span(_instant(b["start"]), _instant(b["end"])) for b in entry.get("busy", []))
            start = end
        return FreeBusy({c: spans for c, spans in busy.items() if c not in errors}, errors)

    def upsert_event(self, calendar_id: str, draft: EventDraft, *, exists: bool) -> None:
        events = self.service.events()
        if exists:
            try:
                _call(events.patch(calendarId=calendar_id, eventId=draft.event_id, body=draft.body(),
                                   sendUpdates="none"))
                return
            except CalendarRefused as refused:
                if refused.status != 404:
                    raise
                # Gone from that calendar altogether (not merely cancelled): make it again.
        try:
            _call(events.insert(calendarId=calendar_id, body={"id": draft.event_id, **draft.body()},
                                sendUpdates="none"))
        except CalendarRefused as refused:
            if refused.status != 409:
                raise
            # Ours already (an earlier attempt got through but its answer did not reach us, or the event
            # was deleted and Google keeps the id): update it instead of making a second one.
            _call(events.patch(calendarId=calendar_id, eventId=draft.event_id, body=draft.body(),
                               sendUpdates="none"))

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        try:
            _call(self.service.events().delete(calendarId=calendar_id, eventId=event_id, sendUpdates="none"))
        except CalendarRefused as refused:
            if refused.status not in (404, 410):
                raise


def _call(request: Any) -> dict[str, Any]:
    """Execute a googleapiclient request, with Google's failures as ours."""
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError
    import httplib2

    try:
        return request.execute() or {}
    except HttpError as error:
        raise _from_http_error(error) from error
    except RefreshError as error:
        raise _from_refresh_error(error) from error
    except (TransportError, httplib2.HttpLib2Error, OSError) as error:  # OSError: refused, reset, timeout
        raise CalendarUnavailable(f"network: {error}") from error


def _from_http_error(error: Any) -> CalendarError:
    status = int(error.resp.status)
    reasons, message = set(), ""
    try:
        detail = json.loads(error.content.decode("utf-8") if isinstance(error.content, bytes) else error.content)
        message = detail.get("error", {}).get("message", "")
        reasons = {e.get("reason", "") for e in detail.get("error", {}).get("errors", [])}
    except (ValueError, AttributeError):
        pass
    text = f"{status} {message or error.resp.reason or ''}".strip()
    if status == 401:
        return CalendarAccessLost(text, status=status)
    if status == 429 or status >= 500 or (status == 403 and reasons & RATE_LIMIT_REASONS):
        return CalendarUnavailable(text, status=status)
    return CalendarRefused(text, status=status)


def _from_refresh_error(error: Any) -> CalendarError:
    detail = error.args[1] if len(error.args) > 1 and isinstance(error.args[1], dict) else {}
    code = detail.get("error", "")
    text = f"token refresh: {error.args[0] if error.args else code}"
    if code in ("invalid_grant", "unauthorized_client") or "invalid_grant" in str(error):
        return CalendarAccessLost(text)
    if getattr(error, "retryable", False):
        return CalendarUnavailable(text)
    return CalendarRefused(text)


def _rfc3339(instant: datetime) -> str:
    return instant.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(ZoneInfo("UTC"))


class TokenBox:
    """Refresh tokens at rest: Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under the key in
    GOOGLE_TOKEN_KEY. Several comma-separated keys rotate: the first seals, any of them opens."""

    def __init__(self, keys: str):
        from cryptography.fernet import Fernet, MultiFernet

        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise ValueError("GOOGLE_TOKEN_KEY is not set: refresh tokens are never stored unencrypted")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as error:
            raise CalendarAccessLost("the stored token does not open with GOOGLE_TOKEN_KEY (did the key change?)") \
                from error


class GoogleCalendars:
    """The CalendarFor of a deployment: a GoogleCalendar per connected account, with OAuth user credentials
    (our client id and secret, the account's refresh token) or the service account's key file. Built
    calendars are kept per thread (httplib2 connections are not thread-safe), so access tokens are
    reused until they expire instead of being refreshed on every call."""

    def __init__(self, *, client_id: str = "", client_secret: str = "", token_uri: str = "",
                 token_box: TokenBox | None = None, service_account_file: str = "", api_base: str = "",
                 timeout: float = TIMEOUT_SECONDS):
        self.client_id, self.client_secret, self.token_uri = client_id, client_secret, token_uri
        self.token_box, self.service_account_file = token_box, service_account_file
        self.api_base, self.timeout = api_base, timeout
        self._local = threading.local()

    def __call__(self, access: CalendarAccess) -> CalendarSync:
        built = getattr(self._local, "built", None)
        if built is None:
            built = self._local.built = {}
        key = (access.kind, access.sealed_token)
        if key not in built:
            if len(built) > 256:
                built.clear()
            built[key] = GoogleCalendar.connect(self.credentials(access), api_base=self.api_base,
                                                timeout=self.timeout)
        return built[key]

    def credentials(self, access: CalendarAccess) -> Any:
        if access.kind == SERVICE_ACCOUNT:
            if not self.service_account_file:
                raise CalendarRefused("GOOGLE_SERVICE_ACCOUNT_FILE is not set")
            from google.oauth2 import service_account

            return service_account.Credentials.from_service_account_file(self.service_account_file,
                                                                         scopes=list(SCOPES))
        if self.token_box is None or not access.sealed_token:
            raise CalendarAccessLost("no stored token, or GOOGLE_TOKEN_KEY is not set")
        from google.oauth2.credentials import Credentials

        return Credentials(token=None, refresh_token=self.token_box.open(access.sealed_token),
                           client_id=self.client_id, client_secret=self.client_secret, token_uri=self.token_uri,
                           scopes=list(SCOPES))


@dataclass
class FakeCalendar:
    """CalendarSync in memory, with Google's rules that matter to us (ids unique per calendar, a deleted
    event kept as "cancelled", 404/410 on deleting what is gone). Tests read and set its public state."""

    events: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)   # (calendar, event id) -> body
    busy_times: dict[str, list[Span]] = field(default_factory=dict)               # calendar -> busy spans
    failures: list[CalendarError] = field(default_factory=list)   # raised by the next calls, one per call
    calls: list[tuple[str, str]] = field(default_factory=list)    # (method, calendar id), in order
    created: list[tuple[str, str]] = field(default_factory=list)  # every insert that made a new event

    def __call__(self, access: CalendarAccess) -> "FakeCalendar":
        """Every account reaches this one fake (as a CalendarFor)."""
        return self

    def _next(self, method: str, calendar_id: str) -> None:
        self.calls.append((method, calendar_id))
        if self.failures:
            raise self.failures.pop(0)

    def busy(self, calendar_ids: Sequence[str], span: Span) -> FreeBusy:
        for calendar_id in calendar_ids:
            self._next("freebusy", calendar_id)
        return FreeBusy({c: [s for s in self.busy_times.get(c, []) if s.overlaps(span)] for c in calendar_ids})

    def upsert_event(self, calendar_id: str, draft: EventDraft, *, exists: bool) -> None:
        self._next("upsert", calendar_id)
        key = (calendar_id, draft.event_id)
        if key not in self.events:
            self.created.append(key)
        self.events[key] = {"id": draft.event_id, **draft.body()}

    def delete_event(self, calendar_id: str, event_id: str) -> None:
        self._next("delete", calendar_id)
        if (calendar_id, event_id) in self.events:
            self.events[(calendar_id, event_id)]["status"] = "cancelled"

    def live(self, calendar_id: str | None = None) -> list[dict[str, Any]]:
        """The events not cancelled (on one calendar, or all)."""
        return [body for (cal, _), body in self.events.items()
                if body["status"] != "cancelled" and calendar_id in (None, cal)]
