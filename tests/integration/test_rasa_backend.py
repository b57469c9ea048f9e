"""RASA_URL: texts understood by a Rasa server, our own parser whenever it fails.

A real HTTP server on 127.0.0.1 stands in for Rasa: it answers POST /model/parse with canned bodies in
Rasa's shape (see tests/unit/test_rasa_response.py for the builders) and can be told to fail, stall or
talk nonsense. RasaNlu talks to it with its real httpx client.
"""

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from bot.adapters.rasa import RasaNlu
from bot.config import Settings
from bot.wiring import understanding_from
from nlu import Intent, TimeWindow, parse
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, replies, rows, signed_post, twilio_form
from tests.unit.test_rasa_response import diet, duckling_interval, duckling_value, rasa_answer

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)  # a Tuesday, as in tests/conftest.py
SERVICES = ["Express Wash", "Full Detail", "Interior Detail"]


@dataclass
class StandInRasa:
    """What the stand-in answers (by text), how it misbehaves, and what it was asked."""

    url: str
    answers: dict[str, dict] = field(default_factory=dict)
    status: int = 200
    raw_body: bytes | None = None      # sent instead of the JSON answer
    delay: float = 0.0
    asked: list[dict] = field(default_factory=list)


def _handler(rasa: StandInRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            rasa.asked.append({"path": self.path, "body": body, "content_type": self.headers.get("Content-Type")})
            time.sleep(rasa.delay)
            if self.path.split("?")[0] != "/model/parse":
                return self._send(404, b'{"status": "failure", "reason": "NotFound"}')
            if rasa.status != 200:
                # Rasa's own error body, e.g. for a model that failed to parse the message.
                return self._send(rasa.status, json.dumps({"version": "3.6.20", "status": "failure", "message":
                                  "An unexpected error occurred.", "reason": "ParsingError", "code": rasa.status}).encode())
            text = body.get("text", "")
            answer = rasa.answers.get(text, rasa_answer(text, "nlu_fallback", 0.3))
            self._send(200, rasa.raw_body if rasa.raw_body is not None else json.dumps(answer).encode())

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:  # keep the test output quiet
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the "too slow" test hangs up on purpose; the stand-in's own bugs show up as failed asserts


@pytest.fixture
def rasa() -> Iterator[StandInRasa]:
    server = _Server(("127.0.0.1", 0), None)  # port 0: any free port
    stand_in = StandInRasa(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(stand_in)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def dead_url() -> str:
    """A local port with nobody listening."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Ticks:
    """A hand-moved monotonic clock for the adapter's rest period."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def understand(nlu_: RasaNlu, text: str, **kw):
    return nlu_.parse(text, now=NOW, tz=ZONE, services=SERVICES, **kw)


TOMORROW_AFTERNOON = "tomorrow afternoon, full detail"
TOMORROW_AFTERNOON_ANSWER = rasa_answer(TOMORROW_AFTERNOON, "book", 0.93, [
    duckling_interval(TOMORROW_AFTERNOON, "tomorrow afternoon", "2026-03-11T12:00:00.000-05:00",
                      "2026-03-11T19:00:00.000-05:00"),
    diet(TOMORROW_AFTERNOON, "full detail", "service"),
])


# --- the adapter against the stand-in ------------------------------------------------------------------

def test_rasas_intent_entities_and_duckling_time_are_used(rasa):
    rasa.answers[TOMORROW_AFTERNOON] = TOMORROW_AFTERNOON_ANSWER
    client = RasaNlu(rasa.url)
    try:
        meaning = understand(client, TOMORROW_AFTERNOON)
    finally:
        client.close()
    assert (meaning.intent, meaning.confidence, meaning.service, meaning.windows) == (
        Intent.BOOK, 0.93, "Full Detail",
        (TimeWindow(datetime(2026, 3, 11, 12, tzinfo=CHICAGO), datetime(2026, 3, 11, 17, tzinfo=CHICAGO)),))
    assert rasa.asked == [{"path": "/model/parse", "body": {"text": TOMORROW_AFTERNOON},
                           "content_type": "application/json"}]


def test_the_auth_token_in_the_url_is_kept(rasa):
    client = RasaNlu(rasa.url + "/?token=s3cret")
    try:
        understand(client, "hello there")
    finally:
        client.close()
    assert rasa.asked[0]["path"] == "/model/parse?token=s3cret"


def test_a_pick_against_the_offers_and_a_dst_day(rasa):
    offered = (datetime(2026, 3, 8, 12, tzinfo=CHICAGO), datetime(2026, 3, 8, 15, tzinfo=CHICAGO))
    rasa.answers["the 3pm one"] = rasa_answer("the 3pm one", "choose", 0.91, [
        duckling_value("the 3pm one", "3pm", "2026-03-08T15:00:00.000-05:00", "hour")])
    client = RasaNlu(rasa.url)
    friday = datetime(2026, 3, 6, 10, tzinfo=CHICAGO)
    try:
        meaning = client.parse("the 3pm one", now=friday, tz=ZONE, services=SERVICES, offered=offered)
    finally:
        client.close()
    assert (meaning.intent, meaning.choice, meaning.windows) == (
        Intent.CHOOSE, 2, (TimeWindow(offered[1], offered[1]),))


def test_an_intent_name_we_do_not_know_is_unknown(rasa):
    rasa.answers["what's the weather"] = rasa_answer("what's the weather", "ask_weather", 0.97)
    client = RasaNlu(rasa.url)
    try:
        assert understand(client, "what's the weather").intent is Intent.UNKNOWN
    finally:
        client.close()


@pytest.mark.parametrize("misbehaviour", [
    pytest.param({"status": 500}, id="500"),
    pytest.param({"status": 409}, id="409-no-model-loaded"),
    pytest.param({"raw_body": b"<html>502 Bad Gateway</html>"}, id="not-json"),
    pytest.param({"raw_body": b'["book"]'}, id="json-not-rasas-shape"),
    pytest.param({"delay": 0.5}, id="too-slow"),
])
def test_a_misbehaving_rasa_falls_back_to_our_parser(rasa, misbehaviour, caplog):
    for key, value in misbehaviour.items():
        setattr(rasa, key, value)
    rasa.answers[TOMORROW_AFTERNOON] = rasa_answer(TOMORROW_AFTERNOON, "greet", 0.99)  # would be wrong if used
    client = RasaNlu(rasa.url, timeout=0.2)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.adapters.rasa"):
            meaning = understand(client, TOMORROW_AFTERNOON)
    finally:
        client.close()
    assert meaning == parse(TOMORROW_AFTERNOON, now=NOW, tz=ZONE, services=SERVICES)
    assert len(rasa.asked) == 1
    assert [r.getMessage().split(" failed ")[0] for r in caplog.records] == [f"Rasa at {rasa.url[7:]}"]


def test_a_dead_rasa_falls_back_rests_and_logs_once(dead_url, caplog):
    ticks = Ticks()
    client = RasaNlu(dead_url, monotonic=ticks)
    try:
        with caplog.at_level(logging.INFO, logger="bot.adapters.rasa"):
            answers = []
            for _ in range(3):
                answers.append(understand(client, TOMORROW_AFTERNOON))
                ticks.now += 11  # past the rest period: each call tries Rasa again
    finally:
        client.close()
    assert answers == [parse(TOMORROW_AFTERNOON, now=NOW, tz=ZONE, services=SERVICES)] * 3
    assert len(caplog.records) == 1 and "1 failure(s) in a row" in caplog.records[0].getMessage()


def test_after_a_failure_rasa_rests_then_is_asked_again(rasa, caplog):
    ticks = Ticks()
    rasa.status = 500
    rasa.answers[TOMORROW_AFTERNOON] = TOMORROW_AFTERNOON_ANSWER
    client = RasaNlu(rasa.url, monotonic=ticks, retry_after=10)
    try:
        with caplog.at_level(logging.INFO, logger="bot.adapters.rasa"):
            understand(client, TOMORROW_AFTERNOON)
            rasa.status = 200
            ticks.now += 5
            resting = understand(client, TOMORROW_AFTERNOON)
            assert len(rasa.asked) == 1  # resting: not asked
            ticks.now += 6
            back = understand(client, TOMORROW_AFTERNOON)
    finally:
        client.close()
    assert resting == parse(TOMORROW_AFTERNOON, now=NOW, tz=ZONE, services=SERVICES)
    assert back.confidence == 0.93 and len(rasa.asked) == 2
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert caplog.records[1].getMessage().endswith("answers again after 1 failure(s)")


def test_empty_text_is_not_sent(rasa):
    client = RasaNlu(rasa.url)
    try:
        assert understand(client, "  ").intent is Intent.UNKNOWN
    finally:
        client.close()
    assert rasa.asked == []


# --- wiring and the webhook ---------------------------------------------------------------------------

def test_wiring_picks_our_parser_without_rasa_url():
    assert understanding_from(Settings(_env_file=None)) is parse


@pytest.fixture
def rasa_client(rasa, db_url, clock) -> Iterator[TestClient]:
    settings = Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        rasa_url=rasa.url, _env_file=None)
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        yield client
    app.state.adapters.understand.__self__.close()


def test_the_webhook_understands_through_rasa(rasa, rasa_client, db_url):
    # Our grammar reads neither "the works" nor "day after tomorrow"; Rasa's synonyms and Duckling do.
    text = "the works, day after tomorrow from 1 to 3pm"
    rasa.answers[text] = rasa_answer(text, "book", 0.9, [
        diet(text, "the works", "service", "full detail"),
        duckling_interval(text, "day after tomorrow from 1 to 3pm", "2026-03-12T13:00:00.000-05:00",
                          "2026-03-12T16:00:00.000-05:00"),
    ])
    rasa.answers["2"] = rasa_answer("2", "choose", 0.95)
    offers = replies(signed_post(rasa_client, twilio_form(text)))[0]
    assert offers.startswith("Here's what's open for Full Detail (3 hr, $180):\n1) Thu Mar 12, 1:00 PM\n"
                             "2) Thu Mar 12, 2:00 PM\n")
    assert replies(signed_post(rasa_client, twilio_form("2"))) == [
        "Great, I'm holding Thu Mar 12, 2:00 PM for you. What name should I put the booking under?"]
    assert [a["body"]["text"] for a in rasa.asked] == [text, "2"]
    # 14:00 CDT on Thursday 12 March 2026 is 19:00 UTC.
    assert rows(db_url, "select status, start_at from booking") == [("held", "2026-03-12 19:00:00.000000")]


def test_the_webhook_keeps_talking_when_rasa_is_down(dead_url, db_url, clock):
    settings = Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        rasa_url=dead_url, _env_file=None)
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        offers = replies(signed_post(client, twilio_form(TOMORROW_AFTERNOON)))
    app.state.adapters.understand.__self__.close()
    assert offers == ["Here's what's open for Full Detail (3 hr, $180):\n1) Wed Mar 11, 12:00 PM\n"
                      "2) Wed Mar 11, 2:00 PM\n3) Wed Mar 11, 3:00 PM\nReply 1, 2 or 3, or tell me another time."]
