"""The owner's web page over HTTP: signing in (rate limit, cookie flags), CSRF on every form, each page."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD
from tests.conftest import DANA, LEE, replies, rows, signed_post, twilio_form
from tests.support.owner import other, requires_approval, texted_request  # noqa: F401 (fixtures)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def browser(app):
    """A client on https (the session cookie is Secure: the test settings' public URL is https)."""
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def csrf_of(page) -> str:
    return CSRF.search(page.text).group(1)


def sign_in(browser, *, email=DEMO_OWNER_EMAIL, password=DEMO_OWNER_PASSWORD):
    form = browser.get("/owner/login")
    return browser.post("/owner/login", data={"email": email, "password": password, "csrf_token": csrf_of(form)},
                        follow_redirects=False)


@pytest.fixture
def owner(browser):
    """A signed-in browser and the CSRF token of its session."""
    assert sign_in(browser).status_code == 303
    return browser, csrf_of(browser.get("/owner/day"))


def test_pages_send_strangers_to_the_sign_in_page(browser):
    for path in ("/owner", "/owner/day", "/owner/week", "/owner/approvals", "/owner/hours", "/owner/time-off",
                 "/owner/services", "/owner/settings"):
        response = browser.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/owner/login"), path


def test_sign_in_sets_a_protected_session_cookie(browser, db_url):
    response = sign_in(browser)
    assert (response.status_code, response.headers["location"]) == (303, "/owner")
    cookie = response.headers["set-cookie"].lower()
    assert "owner_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    assert "path=/owner" in cookie
    token = browser.cookies["owner_session"]
    assert token not in str(rows(db_url, "select * from owner_session"))          # stored hashed
    assert rows(db_url, "select password_hash like '$argon2id$%' from owner_account") == [(1,)]
    page = browser.get("/owner")
    assert page.status_code == 200 and "Shine Mobile Detailing" in page.text and "Alex" in page.text


@pytest.mark.parametrize(("email", "password"), [(DEMO_OWNER_EMAIL, "wrong password"),
                                                 ("nobody@example.com", DEMO_OWNER_PASSWORD), ("", "")])
def test_a_wrong_email_or_password_is_one_message(browser, email, password):
    response = sign_in(browser, email=email, password=password)
    assert response.status_code == 401 and "Wrong email or password." in response.text
    assert "owner_session" not in browser.cookies


def test_sign_in_needs_the_forms_csrf_token(browser):
    browser.get("/owner/login")
    forged = browser.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                                "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and "owner_session" not in browser.cookies
    with TestClient(browser.app, base_url="https://testserver") as stranger:  # no cookie from our form at all
        response = stranger.post("/owner/login", data={"email": DEMO_OWNER_EMAIL, "password": DEMO_OWNER_PASSWORD,
                                                       "csrf_token": ""}, follow_redirects=False)
        assert response.status_code == 403


def test_sign_in_is_rate_limited_per_email(browser, clock):
    for _ in range(5):
        assert sign_in(browser, password="guess").status_code == 401
    limited = sign_in(browser)  # even the right password waits now
    assert limited.status_code == 429 and "Too many failed attempts" in limited.text
    clock.advance(timedelta(minutes=16))
    assert sign_in(browser).status_code == 303


def test_every_form_needs_the_sessions_csrf_token(owner, db_url):
    browser, csrf = owner
    before = rows(db_url, "select * from weekly_hours order by id")
    posts = [("/owner/technicians/1/hours", {"opens_5_0": "09:00", "closes_5_0": "10:00"}),
             ("/owner/settings", {"name": "Hacked"}), ("/owner/services", {"name": "Hacked"}),
             ("/owner/time-off", {"start_day": "2026-03-12"}), ("/owner/bookings/1/cancel", {}),
             ("/owner/logout", {})]
    for path, data in posts:
        for token in (None, "forged", csrf + "x"):
            form = data if token is None else {**data, "csrf_token": token}
            response = browser.post(path, data=form, follow_redirects=False)
            assert response.status_code == 403, (path, token)
    assert rows(db_url, "select * from weekly_hours order by id") == before
    assert rows(db_url, "select name from business where slug = 'shine'") == [("Shine Mobile Detailing",)]
    assert browser.get("/owner/day").status_code == 200  # still signed in


def test_signing_out_ends_the_session(owner):
    browser, csrf = owner
    cookie = browser.cookies["owner_session"]
    assert browser.post("/owner/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    browser.cookies.set("owner_session", cookie, domain="testserver.local", path="/owner")
    assert browser.get("/owner/day", follow_redirects=False).status_code == 303


def test_the_day_and_week_show_bookings_by_technician(owner, client, db_url, dispatcher):
    browser, _ = owner
    texted_request(client, DANA)
    day = browser.get("/owner/day?day=2026-03-11").text
    alex, sam = day.split('aria-label="Alex"')[1].split('aria-label="Sam"')
    assert "2:00 PM–5:00 PM" in alex and "Full Detail" in alex and "Dana" in alex and "Nothing booked." in sam
    week = browser.get("/owner/week?start=2026-03-11").text
    assert "Week of March 9" in week and week.count("Full Detail") == 1 and "Dana" in week


def test_approve_and_decline_from_the_approvals_page(owner, client, db_url, dispatcher):
    browser, csrf = owner
    requires_approval(db_url)
    texted_request(client, DANA)
    texted_request(client, LEE, text="tomorrow afternoon, interior", pick="1", name="Lee")
    page = browser.get("/owner/approvals")
    assert page.text.count("Approve</button>") == 2 and '<span class="badge">2</span>' in page.text
    lee_id, dana_id = [i for (i,) in rows(db_url, "select id from booking order by start_at")]

    approved = browser.post(f"/owner/bookings/{dana_id}/approve", data={"csrf_token": csrf, "next": "/owner/approvals"},
                            follow_redirects=False)
    assert approved.headers["location"].startswith("/owner/approvals?note=")
    declined = browser.post(f"/owner/bookings/{lee_id}/decline", follow_redirects=True,
                            data={"csrf_token": csrf, "next": "https://evil.example/", "reason": "fully booked"})
    assert declined.url.path == "/owner" and f"#{lee_id} declined." in declined.text
    assert rows(db_url, "select status from booking order by start_at") == [("rejected",), ("confirmed",)]
    dispatcher.tick()
    lee = rows(db_url, "select body from message where phone = :p and reply_to_id is null order by id", p=LEE)
    assert ": fully booked. Your $25 deposit has been refunded." in lee[-1][0]
    again = browser.post(f"/owner/bookings/{lee_id}/approve", data={"csrf_token": csrf}, follow_redirects=True)
    assert f"#{lee_id}: a rejected booking cannot be approved" in again.text
    assert "No requests are waiting." in browser.get("/owner/approvals").text


def test_hours_editor_saves_split_shifts_and_refuses_overlaps(owner, db_url):
    browser, csrf = owner
    page = browser.get("/owner/hours?technician=2")
    assert 'name="opens_5_0" value="08:00"' in page.text and "Sam's week" in page.text
    saved = browser.post("/owner/technicians/2/hours", follow_redirects=True, data={
        "csrf_token": csrf, "opens_0_0": "08:00", "closes_0_0": "12:00", "opens_0_1": "13:00", "closes_0_1": "17:00",
        "opens_5_0": "", "closes_5_0": ""})
    assert "Saved Sam&#39;s hours." in saved.text
    assert rows(db_url, "select weekday, opens, closes from weekly_hours where staff_id = 2 order by weekday, opens") == [
        (0, "08:00:00.000000", "12:00:00.000000"), (0, "13:00:00.000000", "17:00:00.000000")]
    bad = browser.post("/owner/technicians/2/hours", follow_redirects=True, data={
        "csrf_token": csrf, "opens_1_0": "08:00", "closes_1_0": "12:00", "opens_1_1": "11:00", "closes_1_1": "14:00"})
    assert "Tue 11:00 AM-2:00 PM overlaps Tue 8:00 AM-12:00 PM" in bad.text
    half = browser.post("/owner/technicians/2/hours", follow_redirects=True,
                        data={"csrf_token": csrf, "opens_1_0": "08:00"})
    assert "Tue: give both an opening and a closing time" in half.text
    assert browser.post("/owner/technicians/999/hours", data={"csrf_token": csrf}).status_code == 404


def test_time_off_shows_clashes_first_then_saves_when_told(owner, client, db_url, dispatcher):
    browser, csrf = owner
    texted_request(client, DANA)   # Wed 2:00 PM, Alex
    clash = browser.post("/owner/time-off", data={"csrf_token": csrf, "technician": "1", "start_day": "2026-03-11",
                                                  "reason": "van service"})
    assert "This time off clashes with 1 booking." in clash.text and "Dana" in clash.text
    assert rows(db_url, "select count(*) from time_off") == [(0,)]
    forced = browser.post("/owner/time-off", follow_redirects=True, data={
        "csrf_token": csrf, "technician": "1", "start_day": "2026-03-11", "end_day": "2026-03-11", "start_time": "",
        "end_time": "", "reason": "van service", "force": "1"})
    assert "Time off saved." in forced.text and "van service" in forced.text
    holiday = browser.post("/owner/time-off", follow_redirects=True, data={
        "csrf_token": csrf, "technician": "all", "start_day": "2026-03-17", "start_time": "12:00",
        "end_day": "2026-03-17", "end_time": "18:00"})
    assert "Tue Mar 17, 12:00 PM to Tue Mar 17, 6:00 PM" in holiday.text
    assert rows(db_url, "select count(*) from time_off") == [(3,)]
    off_id = rows(db_url, "select min(id) from time_off")[0][0]
    browser.post(f"/owner/time-off/{off_id}/delete", data={"csrf_token": csrf})
    assert rows(db_url, "select count(*) from time_off") == [(2,)]


def test_services_page_adds_and_edits(owner, db_url):
    browser, csrf = owner
    added = browser.post("/owner/services", follow_redirects=True, data={
        "csrf_token": csrf, "name": "Headlight Restore", "duration_minutes": "60", "price": "75", "deposit": "20",
        "aliases": "headlights, headlight"})
    assert "Added Headlight Restore." in added.text
    sid = rows(db_url, "select id from service where name = 'Headlight Restore'")[0][0]
    browser.post(f"/owner/services/{sid}", data={"csrf_token": csrf, "name": "Headlight Restore",
                                                 "duration_minutes": "45", "price": "79.50", "deposit": "0",
                                                 "aliases": "headlights"})
    assert rows(db_url, "select duration_minutes, price_cents, deposit_cents, deposit_policy, active, aliases "
                        "from service where id = :i", i=sid) == [(45, 7950, 0, None, 0, '["headlights"]')]
    bad = browser.post("/owner/services", follow_redirects=True, data={
        "csrf_token": csrf, "name": "X", "duration_minutes": "0", "price": "ten"})
    assert "price: write an amount like 50 or 49.99" in bad.text


def test_settings_page_saves_and_shows_the_number_and_booking_link(owner, db_url):
    browser, csrf = owner
    page = browser.get("/owner/settings").text
    assert "(555) 000-1111" in page and "sms:+15550001111?&amp;body=Hi%21%20I%27d%20like%20to%20book" in page
    form = {"csrf_token": csrf, "name": "Shine Detailing", "requires_approval": "1", "approval_hours": "12",
            "buffer_minutes": "20", "min_notice_minutes": "120", "horizon_days": "30", "cancel_refund_hours": "48",
            "deposit_policy": "percent", "deposit": "", "deposit_percent": "25", "no_show_deposit": "40",
            "reminders": "24, 1.5", "quiet_start": "21:30", "quiet_end": "07:30", "morning_start": "07:00",
            "morning_end": "11:00", "afternoon_start": "12:00", "afternoon_end": "17:00", "evening_start": "17:00",
            "evening_end": "20:00"}
    saved = browser.post("/owner/settings", data=form, follow_redirects=True)
    assert "Settings saved." in saved.text
    assert rows(db_url, "select name, requires_approval, approval_hours, deposit_policy, deposit_percent, "
                        "no_show_deposit_cents, reminder_offsets_minutes, quiet_start, day_parts from business "
                        "where slug = 'shine'") == [
        ("Shine Detailing", 1, 12, "percent", 25, 4000, "[1440, 90]", "21:30:00.000000",
         '{"morning": ["07:00", "11:00"], "afternoon": ["12:00", "17:00"], "evening": ["17:00", "20:00"]}')]
    bad = browser.post("/owner/settings", data={**form, "buffer_minutes": "-1"}, follow_redirects=True)
    assert "buffer minutes: Input should be greater than or equal to 0" in bad.text


def test_another_businesss_booking_is_404_on_the_page(owner, other, db_url):
    browser, csrf = owner
    for action in ("approve", "decline", "cancel", "complete", "no-show"):
        response = browser.post(f"/owner/bookings/{other.booking_id}/{action}", data={"csrf_token": csrf})
        assert response.status_code == 404
    assert rows(db_url, "select status from booking where id = :i", i=other.booking_id) == [("confirmed",)]
    assert browser.post(f"/owner/services/{other.service_id}", data={"csrf_token": csrf, "name": "X"}).status_code == 404


def test_the_page_works_on_a_phone_screen(owner):
    browser, _ = owner
    page = browser.get("/owner/day").text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "grid-template-columns: repeat(auto-fit, minmax(260px, 1fr))" in page


def test_owner_texts_go_to_the_owner_flow_not_the_customer_one(client):
    assert "Owner commands" in replies(signed_post(client, twilio_form("menu", from_="+15550002222")))[0]
