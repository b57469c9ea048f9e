"""What an operator sees: request ids, JSON log lines, /readyz, /metrics."""

import json
import logging

from fastapi.testclient import TestClient
from api.main import create_app
from api.telemetry import JsonLines
from bot.config import Settings
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, DANA, PUBLIC_BASE, signed_post, twilio_form


def test_a_request_id_is_made_or_kept_and_sent_back(client):
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "edge-42"}).headers["x-request-id"] == "edge-42"
    # Not an id: something else is made, so nobody writes into our logs through this header.
    assert client.get("/healthz", headers={"X-Request-ID": "a b\nc"}).headers["x-request-id"] != "a b\nc"


class JsonKept(logging.Handler):
    """Formats each record as it is emitted (the request's context is only there then)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(JsonLines().format(record)))


def test_log_lines_are_json_with_the_request_and_the_masked_conversation(client, caplog):
    caplog.set_level(logging.INFO)
    handler = JsonKept()
    lines = handler.lines
    logging.getLogger().addHandler(handler)
    try:
        form = twilio_form("hi", to="+15559999999")
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE + "/twilio/messages", form)
        response = client.post("/twilio/messages", data=form,
                               headers={"X-Twilio-Signature": signature, "X-Request-ID": "req-1"})
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 200
    line = next(line for line in lines if line["request_id"] == "req-1")
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "conversation"}
    assert line["conversation"] == "9999:********0001"
    assert DANA not in json.dumps(lines)


def test_readyz_checks_the_database_and_redis_when_set(client, db_url):
    assert client.get("/readyz").json() == {"status": "ok", "checks": {"database": "ok"}}
    away = Settings(database_url=db_url, public_base_url=PUBLIC_BASE, redis_url="redis://127.0.0.1:9/0",
                    _env_file=None)
    with TestClient(create_app(away)) as other:
        response = other.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "unreachable"}


def test_readyz_is_503_when_the_database_is_away():
    settings = Settings(database_url="postgresql+psycopg://nobody:x@127.0.0.1:9/none", _env_file=None)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 503


def test_metrics_count_turns_and_bookings_by_status(client):
    signed_post(client, twilio_form("menu"))
    text = client.get("/metrics").text
    assert 'bot_turns_total{outcome="answered"} 1.0' in text
    assert "bot_turn_seconds_count 1.0" in text
    assert "# TYPE bot_bookings gauge" in text and "# TYPE bot_messages_out gauge" in text


def test_a_bug_is_a_generic_500_logged_with_its_request_id(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("sk_live_secret in a message")

    handler = JsonKept()
    logging.getLogger().addHandler(handler)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            response = client.get("/boom", headers={"X-Request-ID": "req-500"})
    finally:
        logging.getLogger().removeHandler(handler)
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side."}
    line = next(line for line in handler.lines if line["message"].startswith("unhandled error"))
    assert line["request_id"] == "req-500" and "sk_live_secret" in line["exception"]  # logged, never shown
