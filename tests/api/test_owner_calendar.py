"""Connecting Google Calendar from the owner page: the OAuth authorisation-code flow against a local token
endpoint (real HTTP on 127.0.0.1), its signed state, the refresh token encrypted at rest, shared calendars
and disconnecting."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.adapters.google_calendar import TokenBox
from bot.config import Settings
from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from bot.db.session import transaction
from bot.db.tables import CalendarLink, Staff
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, rows
from tests.support.calendar_standin import ACCESS_TOKEN, INVALID_GRANT
from tests.support.calendar_standin import google_api  # noqa: F401 (fixture)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = Fernet.generate_key().decode()
CLIENT_ID = "1234-bot.apps.googleusercontent.com"
AUTH_URI = "https://accounts.google.com/o/oauth2/v2/auth"
REFRESH_TOKEN = "1//0gOwnerRefreshToken-abcdefghijklmnop"


@pytest.fixture
def settings(db_url, google_api, tmp_path) -> Settings:
    key_file = tmp_path / "service-account.json"
    key_file.write_text('{"type": "service_account", "client_email": "bot@shine-bot.iam.gserviceaccount.com"}')
    return Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                    google_oauth_client_id=CLIENT_ID, google_oauth_client_secret="GOCSPX-secret",
                    google_token_key=KEY, google_token_uri=google_api.token_uri, google_auth_uri=AUTH_URI,
                    google_service_account_file=str(key_file), _env_file=None)


def signed_in(app) -> tuple[TestClient, str]:
    browser = TestClient(app, base_url="https://testserver")
    form = browser.get("/owner/login")
    browser.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                       "csrf_token": CSRF.search(form.text).group(1)})
    return browser, CSRF.search(browser.get("/owner/calendar").text).group(1)


@pytest.fixture
def owner(app):
    browser, csrf = signed_in(app)
    with browser:
        yield browser, csrf


def consent(browser, technician: int | None = None) -> dict[str, str]:
    """Start connecting: the page sends the browser to Google's consent screen; its query."""
    response = browser.get("/owner/google/connect" + (f"?technician={technician}" if technician else ""),
                           follow_redirects=False)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == AUTH_URI
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def links(db_url) -> list[tuple]:
    return rows(db_url, "select staff_id, calendar_id, auth_kind, refresh_token_sealed from calendar_link")


def test_connecting_sends_the_owner_to_googles_consent_screen(owner):
    browser, _ = owner
    query = consent(browser)
    assert query | {"state": "-"} == {
        "client_id": CLIENT_ID, "redirect_uri": "https://bot.example.com/owner/google/callback",
        "response_type": "code", "access_type": "offline", "prompt": "consent", "include_granted_scopes": "true",
        "scope": "https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy",
        "state": "-"}


def test_the_callback_exchanges_the_code_and_stores_the_refresh_token_encrypted(owner, google_api, db_url, settings):
    browser, _ = owner
    google_api.answer("/token", 200, {**ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN, "id_token": "eyJ.x.y"})
    state = consent(browser)["state"]
    done = browser.get("/owner/google/callback", params={"state": state, "code": "4/0AcvDMrB-code", "scope": "x"},
                       follow_redirects=False)
    assert (done.status_code, done.headers["location"].split("?")[0]) == (303, "/owner/calendar")
    [exchange] = google_api.asked
    assert exchange.form == {"code": "4/0AcvDMrB-code", "client_id": CLIENT_ID, "client_secret": "GOCSPX-secret",
                             "redirect_uri": "https://bot.example.com/owner/google/callback",
                             "grant_type": "authorization_code"}
    [(staff_id, calendar_id, kind, sealed)] = links(db_url)
    assert (staff_id, calendar_id, kind) == (None, "primary", "oauth")
    # At rest only encrypted: no column of the table holds the token, and the key opens it.
    assert REFRESH_TOKEN not in str(rows(db_url, "select * from calendar_link"))
    assert "ya29" not in str(rows(db_url, "select * from calendar_link"))
    assert TokenBox(settings.google_token_key).open(sealed) == REFRESH_TOKEN
    page = browser.get(done.headers["location"]).text
    assert "Google Calendar connected" in page and "Connected (your Google account)" in page


def test_a_technician_connects_their_own_calendar(owner, google_api, db_url):
    browser, _ = owner
    with transaction(db_url) as session:
        sam = session.exec(select(Staff.id).where(Staff.name == "Sam")).one()
    google_api.answer("/token", 200, {**ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN})
    state = consent(browser, technician=sam)["state"]
    browser.get("/owner/google/callback", params={"state": state, "code": "4/0-code"}, follow_redirects=False)
    assert [(s, c) for s, c, _, _ in links(db_url)] == [(sam, "primary")]


@pytest.mark.parametrize("tamper", ["forged", "other_session", "late"])
def test_a_bad_state_is_refused_and_nothing_is_stored(owner, app, google_api, db_url, clock, tamper):
    browser, _ = owner
    state = consent(browser)["state"]
    if tamper == "forged":
        state = state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")
    elif tamper == "other_session":
        other, _ = signed_in(app)      # the same owner in another browser: another session, another secret
        with other:
            state = consent(other)["state"]
    else:
        clock.advance(timedelta(minutes=16))
    google_api.answer("/token", 200, {**ACCESS_TOKEN, "refresh_token": REFRESH_TOKEN})
    refused = browser.get("/owner/google/callback", params={"state": state, "code": "4/0-code"}, follow_redirects=False)
    assert refused.status_code == 400 and "Nothing was connected" in refused.text
    assert links(db_url) == [] and google_api.asked == []


def test_the_callback_without_a_session_goes_to_sign_in(app, google_api, db_url):
    with TestClient(app, base_url="https://testserver") as stranger:
        response = stranger.get("/owner/google/callback", params={"state": "1.all.0.x.y", "code": "c"},
                                follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/owner/login")
    assert links(db_url) == [] and google_api.asked == []


def test_a_code_google_refuses_connects_nothing(owner, google_api, db_url):
    browser, _ = owner
    google_api.answer("/token", 400, INVALID_GRANT)
    state = consent(browser)["state"]
    page = browser.get("/owner/google/callback", params={"state": state, "code": "4/0-used-twice"})
    assert "Google did not accept the sign-in (Token has been expired or revoked.)" in page.text
    assert links(db_url) == []


def test_declining_on_googles_screen_connects_nothing(owner, google_api, db_url):
    browser, _ = owner
    state = consent(browser)["state"]
    page = browser.get("/owner/google/callback", params={"state": state, "error": "access_denied"})
    assert "Google Calendar was not connected (Google said: access_denied)" in page.text
    assert links(db_url) == [] and google_api.asked == []


def test_a_shared_calendar_and_disconnecting_need_the_forms_csrf_token(owner, db_url):
    browser, csrf = owner
    page = browser.get("/owner/calendar").text
    assert "bot@shine-bot.iam.gserviceaccount.com" in page
    data = {"technician": "all", "calendar_id": "c_0123@group.calendar.google.com"}
    assert browser.post("/owner/google/shared", data=data, follow_redirects=False).status_code == 403
    assert links(db_url) == []
    browser.post("/owner/google/shared", data={**data, "csrf_token": csrf})
    assert links(db_url) == [(None, "c_0123@group.calendar.google.com", "service_account", None)]
    [(link_id,)] = rows(db_url, "select id from calendar_link")
    assert browser.post(f"/owner/google/{link_id}/disconnect", data={}, follow_redirects=False).status_code == 403
    page = browser.post(f"/owner/google/{link_id}/disconnect", data={"csrf_token": csrf})
    assert "Disconnected" in page.text and links(db_url) == []


def test_without_google_set_up_the_page_says_how(db_url, clock):
    from api.main import create_app

    plain = Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN, _env_file=None)
    browser, _ = signed_in(create_app(plain, clock=clock))
    with browser:
        page = browser.get("/owner/calendar").text
        assert "/owner/google/connect" not in page and "GOOGLE_OAUTH_CLIENT_ID" in page
        assert "https://bot.example.com/owner/google/callback" in page and "GOOGLE_TOKEN_KEY" in page
        response = browser.get("/owner/google/connect", follow_redirects=False)
        assert response.headers["location"].startswith("/owner/calendar?error=Google+sign-in+is+not+set+up")


def test_production_refuses_an_oauth_client_without_a_token_key():
    settings = Settings(google_oauth_client_id=CLIENT_ID, _env_file=None)
    assert any("GOOGLE_TOKEN_KEY" in p for p in settings.production_problems())
    settings = Settings(google_oauth_client_id=CLIENT_ID, google_token_key=KEY, _env_file=None)
    assert not any("GOOGLE_TOKEN_KEY" in p for p in settings.production_problems())


def test_beat_reads_calendars_and_writes_events_by_name():
    from tasks.worker import create_celery

    app = create_celery(Settings(redis_url="redis://127.0.0.1:1/0", _env_file=None))
    schedule = app.conf.beat_schedule
    assert schedule["calendar-refresh"]["task"] == "calendar.refresh"
    assert schedule["calendar-sync"]["task"] == "calendar.sync"
    assert {"calendar.refresh", "calendar.sync"} <= set(app.tasks)
