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


def test_a_lapsed_hold_the_dispatcher_has_not_expired_yet_does_not_block_the_time(postgres_url):
    """PostgreSQL's no-double-booking constraint counts holds by status; the next customer to take the time
    expires the lapsed hold in place, and the dispatcher still tells its customer, once."""
    from datetime import timedelta

    from tasks.local_loop import LocalDispatcher

    prepare(postgres_url)
    settings = Settings(database_url=postgres_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        _env_file=None)
    clock = Clock(TUESDAY_MORNING)
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        for phone in ("+15550100001", "+15550100002"):
            signed_post(client, twilio_form("tomorrow 2pm full detail", from_=phone))
            signed_post(client, twilio_form("1100 Congress Ave, Austin", from_=phone))
        assert "Wed Mar 11, 2:00 PM" in replies(signed_post(client, twilio_form("1", from_="+15550100001")))[0]
        clock.advance(timedelta(minutes=16))   # Dana's 15-minute hold lapses; no dispatcher has run
        # Naming the one time on offer again takes it straight away.
        held = replies(signed_post(client, twilio_form("tomorrow 2pm full detail", from_="+15550100002")))[0]
        assert "holding Wed Mar 11, 2:00 PM" in held
        assert rows(postgres_url, "select status from booking order by id") == [("expired",), ("held",)]
        dispatcher = LocalDispatcher(postgres_url, app.state.adapters, clock, interval=3600)
        dispatcher.tick()
        dispatcher.tick()
    lapsed = rows(postgres_url, "select count(*) from message where phone = '+15550100001' and kind = 'hold_lapsed'")
    assert lapsed == [(1,)]
