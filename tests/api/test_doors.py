"""Locked doors: production refuses to start unlocked, security headers, the per-sender webhook limit,
CSRF on every owner form, and hypothesis-made Twilio posts that never get a 5xx."""

import re
import string
import uuid

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from api import owner_page
from api.main import create_app
from api.throttle import LocalBuckets, RedisBuckets
from bot.config import Settings, UnsafeConfiguration
from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from tests.conftest import AUTH_TOKEN, DANA, PUBLIC_BASE, replies, rows, signed_post, twilio_form

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.mark.parametrize(("missing", "named"), [
    ({"twilio_auth_token": ""}, "TWILIO_AUTH_TOKEN"),
    ({"stripe_secret_key": "sk_test_x", "stripe_webhook_secret": ""}, "STRIPE_WEBHOOK_SECRET"),
    ({"public_base_url": "http://bot.example.com"}, "PUBLIC_BASE_URL"),
])
def test_production_refuses_to_start_with_a_door_unlocked(db_url, missing, named):
    locked = dict(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN, app_env="production")
    with pytest.raises(UnsafeConfiguration, match=named):
        create_app(Settings(**{**locked, **missing}, _env_file=None))


def test_production_starts_when_every_door_is_locked(db_url):
    create_app(Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                        stripe_secret_key="sk_test_x", stripe_webhook_secret="whsec_x", app_env="production",
                        _env_file=None))


@pytest.mark.parametrize("path", ["/owner/login", "/simulator"])
def test_pages_carry_security_headers(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["strict-transport-security"].startswith("max-age=")  # the public URL is https


def test_the_owner_pages_run_no_script(client):
    assert "script-src 'none'" in client.get("/owner/login").headers["content-security-policy"]


def test_no_hsts_when_the_public_url_is_plain_http(db_url):
    with TestClient(create_app(Settings(database_url=db_url, _env_file=None))) as client:
        assert "strict-transport-security" not in client.get("/healthz").headers


def test_texts_over_the_per_sender_limit_get_no_answer_and_are_not_stored(app, client, db_url):
    app.state.sender_limit = LocalBuckets(per_minute=1, burst=2)
    assert replies(signed_post(client, twilio_form("menu")))
    assert replies(signed_post(client, twilio_form("menu")))
    dropped = signed_post(client, twilio_form("menu"))
    assert dropped.status_code == 200 and replies(dropped) == []
    assert rows(db_url, f"select count(*) from message where direction = 'in' and phone = '{DANA}'") == [(2,)]
    assert "bot_webhook_throttled_total 1.0" in client.get("/metrics").text


def test_the_bucket_refills_with_time():
    now = [0.0]
    bucket = LocalBuckets(per_minute=60, burst=1, clock=lambda: now[0])
    assert bucket.is_allowed(DANA) and not bucket.is_allowed(DANA)
    assert bucket.is_allowed("+15550100002")  # per sender
    now[0] = 1.0
    assert bucket.is_allowed(DANA)


def test_the_limit_is_shared_through_redis(redis_url):
    prefix = f"test-{uuid.uuid4().hex}:"
    first, second = (RedisBuckets(redis_url, per_minute=1, burst=2, prefix=prefix) for _ in range(2))
    assert first.is_allowed(DANA) and second.is_allowed(DANA)  # two worker processes, one bucket
    assert not first.is_allowed(DANA) and not second.is_allowed(DANA)
    assert first.is_allowed("+15550100002")


def test_an_unreachable_redis_does_not_stop_the_texts():
    assert RedisBuckets("redis://127.0.0.1:9/0", per_minute=1, burst=1, prefix="x:").is_allowed(DANA)


def owner_post_routes() -> list[str]:
    """Every POST route of the owner page, ids filled in (the booking action as "cancel")."""
    return sorted(re.sub(r"\{[^}]+\}", "1", route.path.replace("{action}", "cancel"))
                  for route in owner_page.router.routes if getattr(route, "path", "").startswith("/owner")
                  and "POST" in (getattr(route, "methods", None) or ()) and route.path != "/owner/login")


def test_every_owner_post_route_needs_the_csrf_token(app, db_url):
    routes = owner_post_routes()
    assert "/owner/settings" in routes and "/owner/logout" in routes
    with TestClient(app, base_url="https://testserver") as browser:
        login = CSRF.search(browser.get("/owner/login").text).group(1)
        browser.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                           "csrf_token": login})
        csrf = CSRF.search(browser.get("/owner/day").text).group(1)
        before = rows(db_url, "select * from business")
        for path in routes:
            for token in (None, "", "forged", csrf[:-1]):
                data = {"name": "Hacked"} if token is None else {"name": "Hacked", "csrf_token": token}
                assert browser.post(path, data=data, follow_redirects=False).status_code == 403, (path, token)
        assert rows(db_url, "select * from business") == before
        assert browser.get("/owner/day").status_code == 200


FIELDS = ("From", "To", "MessageSid", "Body", "NumMedia", "Latitude", "Longitude", "Address")
texts = st.one_of(st.text(max_size=40), st.text(max_size=3000), st.just("x" * 100_000),
                  st.sampled_from([DANA, "+15550001111", "whatsapp:+15550100001", "", " ", "NaN", "1e999", "-91"]))


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(form=st.dictionaries(st.sampled_from(FIELDS), texts, max_size=len(FIELDS)),
       sid=st.text(string.ascii_letters + string.digits, min_size=1, max_size=40))
def test_any_signed_twilio_post_gets_an_answer_not_a_5xx(client_for_fuzz, form, sid):
    form = {**form, "MessageSid": form.get("MessageSid", sid)}
    response = signed_post(client_for_fuzz, {k: v.replace("\x00", "") for k, v in form.items()})
    assert response.status_code in (200, 400), response.text[:300]
    assert "Traceback" not in response.text


@pytest.fixture(scope="module")
def client_for_fuzz(tmp_path_factory, template_db):
    # One app for all examples (hypothesis runs them inside one test call); the sender limit is lifted
    # so the examples reach the turn.
    import shutil

    path = tmp_path_factory.mktemp("fuzz") / "bot.db"
    shutil.copy(template_db, path)
    from tests.conftest import TUESDAY_MORNING

    app = create_app(Settings(database_url=f"sqlite:///{path}", public_base_url=PUBLIC_BASE,
                              twilio_auth_token=AUTH_TOKEN, webhook_burst=10**6, _env_file=None),
                     clock=lambda: TUESDAY_MORNING)
    with TestClient(app) as client:
        yield client
