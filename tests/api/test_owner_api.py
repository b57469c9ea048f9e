"""The owner API (/api/v1) over HTTP, with real bearer tokens: who may see what, then each resource."""

import pytest

from tests.conftest import DANA, LEE, OWNER, replies, rows, signed_post, twilio_form
from tests.support.owner import auth, bearer, other, requires_approval, texted_request, token  # noqa: F401 (fixtures)

TABLES = ("business", "service", "staff", "weekly_hours", "time_off", "customer", "booking", "message", "due_work")
WED_10 = "2026-03-11T10:00"          # local (America/Chicago, CDT since 8 March)


def snapshot(db_url: str) -> dict[str, list[tuple]]:
    """Every row a route could change (api_token aside: using a token stamps it)."""
    return {table: rows(db_url, f"select * from {table} order by id") for table in TABLES}


def book(client, auth, **fields):
    body = {"service_id": 2, "start_at": WED_10, "phone": "+1 512 555 0100", "name": "Ray Lopez", **fields}
    return client.post("/api/v1/bookings", headers=auth, json=body)


@pytest.fixture
def ours(client, auth):
    """One of each of our business's things the id routes name."""
    booking = book(client, auth).json()
    time_off = client.post("/api/v1/time-off", headers=auth, json={
        "technician_ids": [2], "start_at": "2026-03-20T08:00", "end_at": "2026-03-20T12:00"}).json()
    return {"service_id": 1, "technician_id": 1, "booking_id": booking["id"], "customer_id": booking["customer"]["id"],
            "time_off_id": time_off[0]["id"]}


# A valid body for each changing route, so that only ownership decides the answer.
BODIES = {
    ("PATCH", "/api/v1/settings"): {"buffer_minutes": 5},
    ("POST", "/api/v1/services"): {"name": "Wax", "duration_minutes": 60, "price_cents": 5000},
    ("PATCH", "/api/v1/services/{service_id}"): {"price_cents": 1},
    ("POST", "/api/v1/technicians"): {"name": "Robin"},
    ("PATCH", "/api/v1/technicians/{technician_id}"): {"name": "Mallory"},
    ("PUT", "/api/v1/technicians/{technician_id}/hours"): {"intervals": []},
    ("POST", "/api/v1/time-off"): {"start_at": "2026-03-21T08:00", "end_at": "2026-03-21T09:00"},
    ("POST", "/api/v1/bookings"): {"service_id": 1, "start_at": "2026-03-12T10:00", "phone": "+15125550199"},
    ("POST", "/api/v1/bookings/{booking_id}/reschedule"): {"start_at": "2026-03-12T13:00", "force": True},
    ("POST", "/api/v1/bookings/{booking_id}/decline"): {"reason": "no"},
    ("PATCH", "/api/v1/customers/{customer_id}"): {"name": "Mallory"},
}


def api_routes(client):
    """Every (method, path) of the owner API, from the app's own OpenAPI document."""
    paths = client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() if path.startswith("/api/v1")
                  for method in item)


def test_every_route_wants_a_valid_token_and_changes_nothing_without_one(app, client, db_url, ours, token):
    before = snapshot(db_url)
    checked = 0
    for method, path in api_routes(client):
        url = path.format(**ours)
        body = BODIES.get((method, path))
        for headers in ({}, bearer("bk_" + "x" * 43), bearer(token[:-1]), {"Authorization": f"Basic {token}"}):
            response = client.request(method, url, headers=headers, json=body)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
        checked += 1
    assert checked == 28
    assert snapshot(db_url) == before


def test_another_business_gets_404_for_our_ids_and_changes_nothing(app, client, db_url, ours, other):
    before = snapshot(db_url)
    theirs = bearer(other.token)
    for method, path in api_routes(client):
        if "{" not in path:
            continue
        response = client.request(method, path.format(**ours), headers=theirs, json=BODIES.get((method, path)))
        assert response.status_code == 404, (method, path, response.text)
    assert snapshot(db_url) == before


def test_our_token_gets_404_for_their_ids_and_lists_only_ours(app, client, db_url, auth, other):
    theirs = {"service_id": other.service_id, "technician_id": other.staff_id, "booking_id": other.booking_id,
              "customer_id": other.customer_id, "time_off_id": 10_000}
    before = snapshot(db_url)
    for method, path in api_routes(client):
        if "{" in path:
            response = client.request(method, path.format(**theirs), headers=auth, json=BODIES.get((method, path)))
            assert response.status_code == 404, (method, path, response.text)
    assert snapshot(db_url) == before
    assert "Deep Clean" not in client.get("/api/v1/services", headers=auth).text
    assert "Jo" not in [t["name"] for t in client.get("/api/v1/technicians", headers=auth).json()]
    assert client.get("/api/v1/bookings", headers=auth).json()["total"] == 0
    assert client.get("/api/v1/customers?q=Kim", headers=auth).json()["total"] == 0
    # ...and their token sees only theirs
    assert client.get("/api/v1/bookings", headers=bearer(other.token)).json()["total"] == 1
    # a booking or technician of theirs is "unknown" inside our requests too
    assert book(client, auth, service_id=other.service_id).status_code == 422
    assert book(client, auth, technician_id=other.staff_id).json()["errors"][0]["field"] == "technician_id"


def test_a_revoked_token_stops_working(client, db_url, token):
    assert client.get("/api/v1/settings", headers=bearer(token)).status_code == 200
    from tests.conftest import execute

    execute(db_url, "update api_token set revoked_at = '2026-03-10 00:00:00'")
    assert client.get("/api/v1/settings", headers=bearer(token)).status_code == 401


def test_tokens_are_stored_hashed(db_url, token):
    import hashlib

    assert rows(db_url, "select token_hash from api_token") == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert token not in str(rows(db_url, "select * from api_token"))


def test_the_openapi_document_describes_the_owner_api(client):
    spec = client.get("/openapi.json").json()
    assert "/api/v1/bookings/{booking_id}/decline" in spec["paths"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "BookingCreate" in spec["components"]["schemas"]


# Settings

def test_settings_read_and_change(client, auth):
    settings = client.get("/api/v1/settings", headers=auth).json()
    assert (settings["slug"], settings["time_zone"], settings["requires_approval"]) == ("shine", "America/Chicago", False)
    assert settings["booking_links"]["sms"].startswith("sms:+15550001111")
    changed = client.patch("/api/v1/settings", headers=auth, json={
        "requires_approval": True, "approval_hours": 6, "reminder_offsets_minutes": [1440],
        "day_parts": {"morning": ["07:00", "11:00"]}, "quiet_start": None, "quiet_end": None}).json()
    assert (changed["requires_approval"], changed["approval_hours"], changed["reminder_offsets_minutes"]) == (True, 6, [1440])
    assert changed["day_parts"] == {"morning": ["07:00:00", "11:00:00"]} and changed["quiet_start"] is None
    assert client.get("/api/v1/settings", headers=auth).json()["approval_hours"] == 6


@pytest.mark.parametrize(("body", "field"), [
    ({"buffer_minutes": -5}, "buffer_minutes"),
    ({"deposit_policy": "always"}, "deposit_policy"),
    ({"reminder_offsets_minutes": [1]}, "reminder_offsets_minutes"),
    ({"quiet_start": None}, "quiet_end"),
    ({"day_parts": {"morning": ["12:00", "08:00"]}}, "day_parts"),
    ({"day_parts": {"brunch": ["10:00", "12:00"]}}, "day_parts.brunch.[key]"),
    ({"time_zone": "Europe/Paris"}, "time_zone"),
])
def test_settings_refuse_bad_values_with_the_field(client, auth, body, field):
    response = client.patch("/api/v1/settings", headers=auth, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_day_parts_change_what_the_next_customer_text_means(client, auth):
    client.patch("/api/v1/settings", headers=auth, json={"day_parts": {"morning": ["10:00", "12:00"]}})
    offers = replies(signed_post(client, twilio_form("tomorrow morning express wash", from_=LEE)))[0]
    assert "1) Wed Mar 11, 10:00 AM" in offers and "8:00 AM" not in offers


# Services

def test_services_crud(client, auth):
    created = client.post("/api/v1/services", headers=auth, json={
        "name": "Ceramic Coating", "aliases": ["ceramic"], "duration_minutes": 240, "price_cents": 60000,
        "deposit_policy": "percent", "deposit_percent": 20})
    assert created.status_code == 201
    service = created.json()
    assert (service["name"], service["active"], service["deposit_percent"]) == ("Ceramic Coating", True, 20)
    sid = service["id"]
    assert client.get(f"/api/v1/services/{sid}", headers=auth).json()["aliases"] == ["ceramic"]
    patched = client.patch(f"/api/v1/services/{sid}", headers=auth, json={"price_cents": 65000, "rebook_weeks": None})
    assert patched.json()["price_cents"] == 65000
    assert [s["name"] for s in client.get("/api/v1/services", headers=auth).json()][-1] == "Ceramic Coating"
    assert client.delete(f"/api/v1/services/{sid}", headers=auth).status_code == 204
    assert "Ceramic Coating" not in [s["name"] for s in client.get("/api/v1/services", headers=auth).json()]
    everything = client.get("/api/v1/services?include_inactive=true", headers=auth).json()
    assert [s["active"] for s in everything if s["id"] == sid] == [False]
    # a retired service is not offered by text any more
    assert "Ceramic" not in replies(signed_post(client, twilio_form("ceramic coating friday", from_=LEE)))[0]


@pytest.mark.parametrize(("body", "fields"), [
    ({"name": "", "duration_minutes": 60, "price_cents": 1}, ["name"]),
    ({"name": "X", "duration_minutes": 0, "price_cents": -1}, ["duration_minutes", "price_cents"]),
    ({"name": "X", "duration_minutes": 60, "price_cents": 1, "colour": "red"}, ["colour"]),
])
def test_service_validation_names_each_field(client, auth, body, fields):
    response = client.post("/api/v1/services", headers=auth, json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == fields


# Technicians, hours and time off

def test_technicians_and_their_weekly_hours(client, auth):
    robin = client.post("/api/v1/technicians", headers=auth, json={"name": "Robin", "service_ids": [1]}).json()
    assert (robin["name"], robin["hours"], robin["service_ids"]) == ("Robin", [], [1])
    split = {"intervals": [{"weekday": 5, "opens": "08:00", "closes": "11:00"},
                           {"weekday": 5, "opens": "13:00", "closes": "16:30"}]}
    hours = client.put(f"/api/v1/technicians/{robin['id']}/hours", headers=auth, json=split).json()
    assert hours["intervals"] == [{"weekday": 5, "opens": "08:00:00", "closes": "11:00:00"},
                                  {"weekday": 5, "opens": "13:00:00", "closes": "16:30:00"}]
    assert client.get(f"/api/v1/technicians/{robin['id']}/hours", headers=auth).json() == hours
    assert client.patch(f"/api/v1/technicians/{robin['id']}", headers=auth,
                        json={"active": False}).json()["active"] is False
    assert [t["name"] for t in client.get("/api/v1/technicians", headers=auth).json()] == ["Alex", "Sam"]


@pytest.mark.parametrize(("intervals", "field"), [
    ([{"weekday": 5, "opens": "08:00", "closes": "11:00"}, {"weekday": 5, "opens": "10:00", "closes": "12:00"}],
     "hours"),
    ([{"weekday": 5, "opens": "12:00", "closes": "11:00"}], "intervals.0.closes"),
    ([{"weekday": 7, "opens": "08:00", "closes": "11:00"}], "intervals.0.weekday"),
])
def test_weekly_hours_refuse_overlaps_and_reversed_times(client, auth, intervals, field):
    response = client.put("/api/v1/technicians/1/hours", headers=auth, json={"intervals": intervals})
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == [field]
    assert len(client.get("/api/v1/technicians/1/hours", headers=auth).json()["intervals"]) == 6


def test_new_hours_apply_to_the_very_next_customer_text(client, auth):
    saturday_afternoon = {"intervals": [{"weekday": 5, "opens": "13:00", "closes": "16:00"}]}
    for technician in (1, 2):
        client.put(f"/api/v1/technicians/{technician}/hours", headers=auth, json=saturday_afternoon)
    offers = replies(signed_post(client, twilio_form("saturday express wash", from_=LEE)))[0]
    # 1:30 is the first: the van leaves its base at 1:00 and drives to Lee first
    assert offers.splitlines()[1:4] == ["1) Sat Mar 14, 1:30 PM", "2) Sat Mar 14, 2:30 PM", "3) Sat Mar 14, 3:00 PM"]


def test_time_off_lists_clashes_unless_forced_and_a_holiday_covers_everyone(client, auth):
    booked = book(client, auth).json()                       # Wed 10:00-13:00, Alex
    clash = client.post("/api/v1/time-off", headers=auth, json={
        "technician_ids": [booked["technician_id"]], "start_at": "2026-03-11T12:00", "end_at": "2026-03-11T17:00"})
    assert clash.status_code == 422
    assert clash.json()["errors"] == [{"field": "start_at", "message": f"clashes with booking #{booked['id']}; move or "
                                       "cancel them first, or send force=true to keep them anyway"}]
    forced = client.post("/api/v1/time-off", headers=auth, json={
        "technician_ids": [booked["technician_id"]], "start_at": "2026-03-11T12:00", "end_at": "2026-03-11T17:00",
        "force": True, "reason": "dentist"})
    assert forced.status_code == 201 and forced.json()[0]["start_at"] == "2026-03-11T17:00:00Z"
    holiday = client.post("/api/v1/time-off", headers=auth, json={
        "start_at": "2026-03-17T00:00", "end_at": "2026-03-18T00:00", "reason": "St Patrick's"}).json()
    assert sorted(t["technician_id"] for t in holiday) == [1, 2]
    listed = client.get("/api/v1/time-off?from=2026-03-17&to=2026-03-17", headers=auth).json()
    assert [t["reason"] for t in listed] == ["St Patrick's", "St Patrick's"]
    # nobody works the holiday, so a customer asking for it gets the nearest other times
    offers = replies(signed_post(client, twilio_form("march 17 express wash", from_=LEE)))[0]
    assert "Tue Mar 17" not in offers
    assert client.delete(f"/api/v1/time-off/{holiday[0]['id']}", headers=auth).status_code == 204
    assert len(client.get("/api/v1/time-off", headers=auth).json()) == 2
    offers = replies(signed_post(client, twilio_form("march 17 express wash", from_=LEE)))[0]
    assert "1) Tue Mar 17" in offers  # one technician is back at work that day


# Bookings

def test_a_manual_booking_takes_a_free_slot_and_is_confirmed_with_reminders(client, db_url, auth):
    response = book(client, auth, note="called in", origin="phone")
    assert response.status_code == 201
    booking = response.json()
    assert (booking["status"], booking["service"], booking["start_at"], booking["start_local"]) == (
        "confirmed", "Full Detail", "2026-03-11T15:00:00Z", "2026-03-11T10:00:00-05:00")
    assert (booking["customer"]["phone"], booking["customer"]["name"], booking["origin"], booking["forced"]) == (
        "+15125550100", "Ray Lopez", "phone", False)
    assert rows(db_url, "select kind from due_work where booking_id = :b order by due_at", b=booking["id"]) == [
        ("reminder",), ("reminder",), ("follow_up",)]
    assert rows(db_url, "select count(*) from message where phone = '+15125550100'") == [(0,)]  # no text asked for
    # the slot is now busy for texting customers: Alex and Sam both have one job at 10
    book(client, auth, phone="+15125550101")
    offers = replies(signed_post(client, twilio_form("tomorrow 10am full detail", from_=LEE)))[0]
    assert "10:00 AM" not in offers


def test_a_walk_in_with_text_confirmation(client, db_url, auth):
    booking = book(client, auth, origin="walk_in", text_customer=True, service_id=1,
                   start_at="2026-03-10T13:10", address="9 Elm St").json()
    assert (booking["origin"], booking["start_local"], booking["address"]) == (
        "walk_in", "2026-03-10T13:10:00-05:00", "9 Elm St")
    [(code,)] = rows(db_url, "select code from booking")
    assert rows(db_url, "select body, status from message where phone = '+15125550100'") == [
        ("You're booked! Express Wash on Tue Mar 10, 1:10 PM with Shine Mobile Detailing (we come to you at 9 Elm St). "
         "Questions or changes? Just reply.\n"
         f"Add to calendar: https://bot.example.com/b/{code}.ics (Google: https://bot.example.com/b/{code}/google)",
         "queued")]


@pytest.mark.parametrize(("fields", "field"), [
    ({"service_id": 99}, "service_id"),
    ({"phone": "not a phone"}, "phone"),
    ({"start_at": "2026-03-09T10:00"}, "start_at"),             # yesterday
    ({"start_at": "2026-03-15T10:00"}, "start_at"),             # Sunday: nobody works
    ({"start_at": "tomorrow"}, "start_at"),
    ({"origin": "email"}, "origin"),
    ({"technician_id": 42}, "technician_id"),
])
def test_manual_booking_refusals_name_the_field(client, db_url, auth, fields, field):
    response = book(client, auth, **fields)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert rows(db_url, "select count(*) from booking") == [(0,)]


def test_a_clash_is_refused_unless_forced_and_the_override_is_recorded(client, auth):
    for phone in ("+15125550100", "+15125550101"):
        assert book(client, auth, phone=phone).status_code == 201
    taken = book(client, auth, phone="+15125550102")
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["message"].startswith("Wed Mar 11, 10:00 AM is not free")
    on_alex = book(client, auth, phone="+15125550102", technician_id=1, force=True)
    assert on_alex.status_code == 201 and (on_alex.json()["forced"], on_alex.json()["technician"]) == (True, "Alex")


def test_list_bookings_by_day_range_status_with_pagination(client, auth):
    for n, start in enumerate(("2026-03-11T08:00", "2026-03-11T12:00", "2026-03-12T09:00", "2026-03-13T09:00")):
        assert book(client, auth, phone=f"+1512555020{n}", start_at=start, service_id=1).status_code == 201
    day = client.get("/api/v1/bookings?day=2026-03-11", headers=auth).json()
    assert (day["total"], [b["start_local"][11:16] for b in day["items"]]) == (2, ["08:00", "12:00"])
    page = client.get("/api/v1/bookings?from=2026-03-11&to=2026-03-12&limit=2&offset=2", headers=auth).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 2, 1)
    none = client.get("/api/v1/bookings?status=pending_approval", headers=auth).json()
    assert none["total"] == 0
    assert client.get("/api/v1/bookings?status=confirmed&status=completed", headers=auth).json()["total"] == 4
    assert client.get("/api/v1/bookings?status=maybe", headers=auth).status_code == 422
    bad = client.get("/api/v1/bookings?from=2026-03-12&to=2026-03-11", headers=auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    assert client.get("/api/v1/bookings?limit=0", headers=auth).json()["errors"][0]["field"] == "limit"


def test_reschedule_moves_the_booking_and_tells_the_customer(client, db_url, auth):
    booking = book(client, auth).json()
    moved = client.post(f"/api/v1/bookings/{booking['id']}/reschedule", headers=auth,
                        json={"start_at": "2026-03-12T14:00"})
    assert moved.status_code == 200
    assert moved.json()["booking"]["start_local"] == "2026-03-12T14:00:00-05:00"
    [(code,)] = rows(db_url, "select code from booking")
    assert rows(db_url, "select body from message where phone = '+15125550100'") == [
        ("Shine Mobile Detailing moved your Full Detail to Thu Mar 12, 2:00 PM (we come to you). "
         "Doesn't suit you? Just reply.\n"
         f"Add to calendar: https://bot.example.com/b/{code}.ics (Google: https://bot.example.com/b/{code}/google)",)]
    sunday = client.post(f"/api/v1/bookings/{booking['id']}/reschedule", headers=auth,
                         json={"start_at": "2026-03-15T10:00"})
    assert sunday.status_code == 422 and sunday.json()["errors"][0]["field"] == "start_at"


def test_cancel_complete_and_no_show(client, db_url, auth, clock):
    first = book(client, auth).json()
    cancelled = client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=auth).json()
    assert (cancelled["booking"]["status"], cancelled["changed"]) == ("cancelled", True)
    assert client.post(f"/api/v1/bookings/{first['id']}/cancel", headers=auth).json()["changed"] is False
    assert client.post(f"/api/v1/bookings/{first['id']}/complete", headers=auth).status_code == 409
    assert rows(db_url, "select body from message where phone = '+15125550100'") == [
        ("Sorry, Shine Mobile Detailing had to cancel your Full Detail on Wed Mar 11, 10:00 AM. Text a day and time "
         "to book another.",)]

    done, missed = book(client, auth, phone="+15125550101").json(), book(client, auth, phone="+15125550102").json()
    early = client.post(f"/api/v1/bookings/{done['id']}/complete", headers=auth)
    assert early.status_code == 409 and early.json()["errors"][0]["message"] == "it has not started yet"
    from datetime import timedelta

    clock.advance(timedelta(days=1, hours=3))
    assert client.post(f"/api/v1/bookings/{done['id']}/complete", headers=auth).json()["booking"]["status"] == "completed"
    no_show = client.post(f"/api/v1/bookings/{missed['id']}/no-show", headers=auth).json()
    assert no_show["booking"]["status"] == "no_show"
    customer = client.get(f"/api/v1/customers/{missed['customer']['id']}", headers=auth).json()
    assert customer["no_show_count"] == 1


def test_approve_and_decline_a_texted_request(client, db_url, auth, dispatcher):
    requires_approval(db_url)
    texted_request(client, DANA)
    texted_request(client, LEE, text="tomorrow afternoon, interior", pick="1", name="Lee")
    lee, dana = client.get("/api/v1/bookings?status=pending_approval", headers=auth).json()["items"]
    assert (dana["customer"]["name"], lee["customer"]["name"]) == ("Dana", "Lee")

    approved = client.post(f"/api/v1/bookings/{dana['id']}/approve", headers=auth).json()
    assert (approved["booking"]["status"], approved["changed"]) == ("confirmed", True)
    assert client.post(f"/api/v1/bookings/{dana['id']}/approve", headers=auth).json()["changed"] is False
    assert client.post(f"/api/v1/bookings/{dana['id']}/decline", headers=auth).status_code == 409

    declined = client.post(f"/api/v1/bookings/{lee['id']}/decline", headers=auth, json={"reason": "van in the shop"})
    assert declined.json()["booking"]["status"] == "rejected" and declined.json()["refunded_cents"] == 2500
    assert len(declined.json()["offered"]) == 3
    dispatcher.tick()
    texts = rows(db_url, "select body from message where phone = :p and reply_to_id is null and direction = 'out' "
                         "order by id", p=LEE)
    assert texts[-1][0].startswith("Sorry, Shine Mobile Detailing can't take your Interior Detail on Wed Mar 11, "
                                   "12:00 PM: van in the shop. Your $25 deposit has been refunded. Other times for "
                                   "Interior Detail:\n1) ")
    assert rows(db_url, "select body from message where phone = :p and reply_to_id is null and direction = 'out' "
                        "order by id", p=DANA)[-1][0].startswith("You're confirmed! Full Detail on Wed Mar 11, 2:00 PM")
    # Lee's reply picks one of the other times, as after any offer
    # (Lee gave a name before, so the bot goes straight to the deposit)
    assert replies(signed_post(client, twilio_form("1", from_=LEE)))[0].startswith(
        "To lock in your Interior Detail on Wed Mar 11, 9:00 AM")


def test_customers_search_history_and_opt_out_state(client, db_url, auth):
    booking = book(client, auth, name="Ray Lopez").json()
    signed_post(client, twilio_form("STOP", from_=DANA))
    by_name = client.get("/api/v1/customers?q=lopez", headers=auth).json()
    assert [c["phone"] for c in by_name["items"]] == ["+15125550100"]
    by_phone = client.get("/api/v1/customers?q=(555) 010-0001", headers=auth).json()
    assert [(c["phone"], c["opted_out"]) for c in by_phone["items"]] == [(DANA, True)]
    detail = client.get(f"/api/v1/customers/{booking['customer']['id']}", headers=auth).json()
    assert ([b["id"] for b in detail["bookings"]], detail["no_show_count"], detail["opted_out"]) == (
        [booking["id"]], 0, False)
    renamed = client.patch(f"/api/v1/customers/{booking['customer']['id']}", headers=auth, json={"name": "Ray L."})
    assert renamed.json()["name"] == "Ray L."
    cannot = client.patch(f"/api/v1/customers/{booking['customer']['id']}", headers=auth, json={"opted_out": False})
    assert cannot.status_code == 422
    assert client.get("/api/v1/customers?limit=1&offset=1", headers=auth).json()["total"] == 3
    assert OWNER not in client.get("/api/v1/customers", headers=auth).text
