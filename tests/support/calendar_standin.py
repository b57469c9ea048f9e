"""A local stand-in for Google's OAuth token endpoint and Calendar API, for the calendar tests: real HTTP on
127.0.0.1, answering with the bodies Google sends. Each test queues the answers it wants per path and reads
what was asked."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Asked:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class GoogleStandIn:
    url: str
    answers: dict[str, list[tuple[int, dict | str]]] = field(default_factory=dict)   # path -> queued answers
    asked: list[Asked] = field(default_factory=list)

    @property
    def token_uri(self) -> str:
        return f"{self.url}/token"

    @property
    def api_base(self) -> str:
        return f"{self.url}/calendar/v3/"

    def answer(self, path: str, status: int, body: dict | str) -> None:
        self.answers.setdefault(path, []).append((status, body))

    def paths(self) -> list[str]:
        return [a.path for a in self.asked]


def _handler(standin: GoogleStandIn):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            standin.asked.append(Asked(self.command, parts.path, parse_qs(parts.query),
                                       {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)))
            queued = standin.answers.get(parts.path) or []
            status, body = queued.pop(0) if queued else (404, {"error": {"code": 404, "message": "Not Found"}})
            payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

        def log_message(self, *_args) -> None:
            pass

    return Handler


@pytest.fixture
def google_api():
    """Google's token endpoint (/token) and Calendar API (/calendar/v3/...) on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    standin = GoogleStandIn(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(standin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield standin
    server.shutdown()
    server.server_close()


def google_error(code: int, reason: str, message: str, domain: str = "global") -> dict:
    """An error body as the Calendar API sends it."""
    return {"error": {"errors": [{"domain": domain, "reason": reason, "message": message}], "code": code,
                      "message": message}}


DUPLICATE = google_error(409, "duplicate", "The requested identifier already exists.")
NOT_FOUND = google_error(404, "notFound", "Not Found")
DELETED = google_error(410, "deleted", "Resource has been deleted")
BACKEND_ERROR = google_error(500, "backendError", "Backend Error")
UNAVAILABLE = {"error": {"code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE",
                         "errors": [{"message": "The service is currently unavailable.", "domain": "global",
                                     "reason": "backendError"}]}}
RATE_LIMITED = google_error(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
TOO_MANY = google_error(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
NO_WRITE_ACCESS = google_error(403, "requiredAccessLevel", "You need to have writer access to this calendar.")
INVALID_CREDENTIALS = google_error(401, "authError", "Invalid Credentials")
INVALID_GRANT = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
ACCESS_TOKEN = {"access_token": "ya29.a0-test-access-token", "expires_in": 3599, "token_type": "Bearer",
                "scope": ("https://www.googleapis.com/auth/calendar.events "
                          "https://www.googleapis.com/auth/calendar.freebusy")}


def freebusy_answer(time_min: str, time_max: str, calendars: dict[str, list[tuple[str, str]]],
                    errors: dict[str, str] | None = None) -> dict:
    """freebusy.query's response: busy spans per calendar, and calendars Google could not read."""
    found = {cid: {"busy": [{"start": s, "end": e} for s, e in spans]} for cid, spans in calendars.items()}
    for cid, reason in (errors or {}).items():
        found[cid] = {"errors": [{"domain": "global", "reason": reason}], "busy": []}
    return {"kind": "calendar#freeBusy", "timeMin": time_min, "timeMax": time_max, "calendars": found}


def event_answer(body: dict, *, calendar_owner: str = "owner@shine.example") -> dict:
    """events.insert / events.patch response for the event we sent."""
    return {"kind": "calendar#event", "etag": "\"3437000000000000\"", "status": "confirmed",
            "htmlLink": f"https://www.google.com/calendar/event?eid={body.get('id', 'x')}",
            "created": "2026-03-10T14:20:00.000Z", "updated": "2026-03-10T14:20:00.412Z",
            "creator": {"email": calendar_owner, "self": True}, "organizer": {"email": calendar_owner, "self": True},
            "iCalUID": f"{body.get('id', 'x')}@google.com", "sequence": 0, "reminders": {"useDefault": True},
            "eventType": "default", **body}
