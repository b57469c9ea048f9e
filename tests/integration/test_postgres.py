"""The same migrations and booking conversation on a real PostgreSQL server (loopback)."""

from datetime import datetime

from fastapi.testclient import TestClient

from api.main import create_app
from bot.config import Settings
from bot.db.seed import prepare
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, TUESDAY_MORNING, Clock, replies, rows, signed_post, twilio_form


def test_booking_on_postgres(postgres_url):
    prepare(postgres_url)
    prepare(postgres_url)  # seeding twice changes nothing
    settings = Settings(database_url=postgres_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        _env_file=None)
    with TestClient(create_app(settings, clock=Clock(TUESDAY_MORNING))) as client:
        assert "address" in replies(signed_post(client, twilio_form("tomorrow afternoon, full detail")))[0]
        assert "2) Wed Mar 11, 2:00 PM" in replies(signed_post(client, twilio_form("1100 Congress Ave, Austin")))[0]
        signed_post(client, twilio_form("2"))
        link = replies(signed_post(client, twilio_form("Dana")))[0]
        client.post("/pay/" + link.split("/pay/")[1])
    assert rows(postgres_url, "select status, start_at at time zone 'UTC' from booking") == [
        ("confirmed", datetime(2026, 3, 11, 19, 0))]
    assert rows(postgres_url, "select count(*) from business") == [(1,)]
