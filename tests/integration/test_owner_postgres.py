"""The owner's side on a real PostgreSQL server: migrations, tokens, manual bookings racing for one slot,
sign-in, and an approval by text."""

from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from api.main import create_app
from bot.access import create_api_token
from bot.config import Settings
from bot.db.queries import business_by_slug
from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, prepare
from bot.db.session import transaction
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, TUESDAY_MORNING, Clock, rows
from tests.support.owner import CREATED, bearer


def test_the_owner_side_on_postgres(postgres_url):
    prepare(postgres_url)
    with transaction(postgres_url) as session:
        token = create_api_token(session, business_by_slug(session, slug="shine"), now=CREATED)
    settings = Settings(database_url=postgres_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        _env_file=None)
    with TestClient(create_app(settings, clock=Clock(TUESDAY_MORNING))) as client:
        def book(n: int) -> int:
            return client.post("/api/v1/bookings", headers=bearer(token), json={
                "service_id": 2, "start_at": "2026-03-11T10:00", "phone": f"+1512555030{n}"}).status_code

        # Two technicians, five owners' tools booking the same 10:00 at once: exactly two get it.
        with ThreadPoolExecutor(5) as pool:
            codes = sorted(pool.map(book, range(5)))
        assert codes == [201, 201, 422, 422, 422]
        assert rows(postgres_url, "select count(*) from booking where status = 'confirmed'") == [(2,)]
        page = client.get("/api/v1/bookings?day=2026-03-11", headers=bearer(token)).json()
        assert page["total"] == 2
    with TestClient(create_app(settings, clock=Clock(TUESDAY_MORNING)), base_url="https://testserver") as browser:
        form = browser.get("/owner/login").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        signed_in = browser.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                                       "csrf_token": csrf}, follow_redirects=False)
        assert signed_in.status_code == 303
        assert "Alex" in browser.get("/owner/day?day=2026-03-11").text
