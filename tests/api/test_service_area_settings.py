"""The service area as the owner sets it: the owner API's settings and the settings page."""

import re

import pytest
from fastapi.testclient import TestClient

from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from tests.conftest import PAT, replies, rows, signed_post, twilio_form
from tests.support.owner import auth, token  # noqa: F401 (fixtures)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_the_api_sets_and_clears_the_service_area(client, auth):
    assert client.get("/api/v1/settings", headers=auth).json()["service_radius_km"] is None
    changed = client.patch("/api/v1/settings", headers=auth, json={
        "service_radius_km": 25, "service_zips": ["78701", "78702-1234", "78701", "sw1a 1aa"]}).json()
    assert (changed["service_radius_km"], changed["service_zips"]) == (25.0, ["78701", "78702", "SW1A1AA"])
    cleared = client.patch("/api/v1/settings", headers=auth, json={"service_radius_km": None,
                                                                   "service_zips": []}).json()
    assert (cleared["service_radius_km"], cleared["service_zips"]) == (None, [])


@pytest.mark.parametrize("body", [{"service_radius_km": 0}, {"service_radius_km": -5}, {"service_zips": ["!!"]},
                                  {"service_zips": ["7 8"]}])
def test_the_api_refuses_a_bad_service_area(client, auth, body):
    response = client.patch("/api/v1/settings", headers=auth, json=body)
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert len(fields) == 1 and fields[0].startswith(next(iter(body)))     # service_zips.0 for a bad code


def test_the_next_customer_text_uses_the_new_area(client, auth):
    client.patch("/api/v1/settings", headers=auth, json={"service_zips": ["78701"]})
    replies(signed_post(client, twilio_form("tomorrow morning full detail", from_=PAT)))
    refusal = replies(signed_post(client, twilio_form("4500 W 6th St, Austin TX 78703", from_=PAT)))[0]
    assert refusal.startswith("Sorry, we don't go as far as 4500 W 6th St, Austin TX 78703: we serve ZIP codes 78701.")


def test_the_settings_page_saves_the_service_area(app, db_url):
    with TestClient(app, base_url="https://testserver") as browser:
        login = browser.get("/owner/login")
        browser.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                           "csrf_token": CSRF.search(login.text).group(1)})
        page = browser.get("/owner/settings")
        assert 'name="service_radius_km"' in page.text and 'name="service_zips"' in page.text
        form = {"csrf_token": CSRF.search(page.text).group(1), "name": "Shine Mobile Detailing",
                "approval_hours": "24", "buffer_minutes": "15", "min_notice_minutes": "60", "horizon_days": "60",
                "cancel_refund_hours": "24", "deposit_policy": "none", "deposit": "", "deposit_percent": "0",
                "no_show_deposit": "", "reminders": "24, 2", "morning_start": "08:00", "morning_end": "12:00",
                "afternoon_start": "12:00", "afternoon_end": "17:00", "evening_start": "17:00",
                "evening_end": "21:00", "service_radius_km": "30",
                "service_zips": "78701, 78702"}
        saved = browser.post("/owner/settings", data=form, follow_redirects=True).text
        assert "Settings saved." in saved, re.findall(r"class=\"(?:error|note)[^>]*>([^<]*)", saved)
        assert rows(db_url, "select service_radius_km, service_zips from business") == [(30.0, '["78701", "78702"]')]
        shown = browser.get("/owner/settings").text
        assert 'value="30"' in shown and 'value="78701, 78702"' in shown
        browser.post("/owner/settings", data={**form, "service_radius_km": "", "service_zips": ""})
        assert rows(db_url, "select service_radius_km, service_zips from business") == [(None, "[]")]
