"""Proof under load, through the HTTP API of `uvicorn --workers 3` as real subprocesses, on PostgreSQL and
SQLite: many customers pick the same time at once and the slot is booked exactly as often as it has room;
every webhook delivered several times at once has one effect and one answer.

The servers run on the real clock (a subprocess cannot share the tests' frozen one), so the contested slot
is computed from it: the first time the availability engine offers tomorrow (or the next working day).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlmodel import select
from twilio.request_validator import RequestValidator

from bot.db.seed import DEMO_SLUG, prepare
from bot.db.session import engine_for, transaction
from bot.db.tables import Booking, Business, Conversation, Customer, Message, Payment, Service, Staff
from bot.domain.booking import FIRM, HOLDING
from bot.domain.travel import Place
from bot.front_desk import offers_for
from nlu import TimeWindow
from tests.conftest import AUTH_TOKEN, BUSINESS_SMS, PUBLIC_BASE, replies, rows
from tests.support.stripe_standin import WEBHOOK_SECRET, session_completed, stripe_signature

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
ATTEMPTS = 200
REPLAYS = 5
LIVE = tuple(s.value for s in HOLDING | FIRM)
ADDRESS = ("1100 Congress Ave, Austin, TX", 30.2747, -97.7404)


@pytest.fixture(params=["postgresql", "sqlite"])
def database(request, tmp_path) -> str:
    """A migrated, seeded database of either kind (PostgreSQL: skipped without a server, except under CI=true)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'bot.db'}"
    prepare(url)
    yield url
    engine_for(url).dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(database, tmp_path):
    """`uvicorn api.main:app --workers 3` on the database, in its own process group; yields its base URL."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "STRIPE_", "REDIS_"))}
    env.update(DATABASE_URL=database, TWILIO_AUTH_TOKEN=AUTH_TOKEN, PUBLIC_BASE_URL=PUBLIC_BASE,
               STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, DISPATCHER_INTERVAL_SECONDS="3600",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = tempfile.NamedTemporaryFile("w+", prefix="uvicorn-", suffix=".log", delete=False)
    # cwd: an empty directory, so no .env file there can add settings.
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning"],
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:   # too slow, not dead: leave no server behind holding connections
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)
            raise RuntimeError(f"uvicorn did not start: {Path(log.name).read_text()[-3000:]}")
        time.sleep(0.2)
    time.sleep(1)  # the other workers finish starting too
    yield base
    os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
    server.log = Path(log.name).read_text(errors="replace")


def _contested_slot(url: str, *, capacity: int) -> tuple[datetime, list[list[str]]]:
    """Make the demo business's Express Wash take `capacity` customers at a start (one technician; a group
    class of `capacity` seats when more than one), without a deposit; the first start it offers tomorrow or
    later, and the windows asked for."""
    now = datetime.now(UTC)
    with transaction(url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        staff = session.exec(select(Staff).where(Staff.business_id == business.id).order_by(Staff.id)).all()
        for other in staff[1:]:
            other.active = False
        service = session.exec(select(Service).where(Service.business_id == business.id,
                                                     Service.name == "Express Wash")).one()
        service.seats, service.deposit_policy, service.deposit_cents = capacity, "none", 0
        business.requires_approval = False
        session.flush()
        zone = ZoneInfo(business.time_zone)
        today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
        for ahead in range(1, 8):  # the first day the business works (a day's window keeps re-offers cheap)
            day = (today + timedelta(days=ahead)).replace(tzinfo=zone)
            windows = [TimeWindow(day, day + timedelta(days=1))]
            offered, inside = offers_for(session, business, service, windows, now=now, place=Place(*ADDRESS),
                                         travel=None, asap=False)
            if inside and offered:
                break
    assert inside and offered, "the demo business offers nothing in the coming week"
    return offered[0], [[w.start.isoformat(), w.end.isoformat()] for w in windows]


def _customers_at_pick(url: str, count: int, slot: datetime, windows: list[list[str]]) -> list[str]:
    """`count` customers, each in a thread where the bot just offered them `slot` as choice 1."""
    phones = [f"+1555020{i:04d}" for i in range(count)]
    now = datetime.now(UTC)
    with transaction(url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        for i, phone in enumerate(phones):
            session.add(Customer(business_id=business.id, phone=phone, name=f"Customer {i}", address=ADDRESS[0],
                                 lat=ADDRESS[1], lng=ADDRESS[2]))
            session.add(Conversation(business_id=business.id, phone=phone, channel="sms", flow="booking",
                                     state="pick", updated_at=now,
                                     data={"service": "Express Wash", "offered": [slot.isoformat()],
                                           "windows": windows, "asap": False}))
    return phones


def _twilio_post(client: httpx.Client, base: str, form: dict[str, str], path: str = "/twilio/messages"):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE + path, form)
    return client.post(base + path, data=form, headers={"X-Twilio-Signature": signature})


def _form(body: str, phone: str, sid: str | None = None) -> dict[str, str]:
    return {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": phone,
            "To": BUSINESS_SMS, "Body": body, "NumMedia": "0"}


def _at_once(calls: list) -> list:
    """Run the calls in as many threads, released together."""
    gate = threading.Barrier(len(calls))

    def run(call):
        gate.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _client(n: int) -> httpx.Client:
    return httpx.Client(timeout=60, limits=httpx.Limits(max_connections=n, max_keepalive_connections=n))


def _race(server: str, database: str, capacity: int) -> None:
    slot, windows = _contested_slot(database, capacity=capacity)
    phones = _customers_at_pick(database, ATTEMPTS, slot, windows)
    started = time.monotonic()
    with _client(ATTEMPTS) as client:
        responses = _at_once([lambda p=p: _twilio_post(client, server, _form("1", p)) for p in phones])
    took = time.monotonic() - started
    assert [r.status_code for r in responses] == [200] * ATTEMPTS, {r.status_code for r in responses}
    answers = [" ".join(replies(r)) for r in responses]
    taken = [a for a in answers if "was just taken" in a]
    booked = _live_bookings(database)
    assert len(booked) == capacity
    assert {start for _, start in booked} == {slot}
    assert len(taken) == ATTEMPTS - capacity
    # "Just taken" comes with other times to pick from, and the thread is waiting for that pick.
    assert all("Reply" in a or "1)" in a for a in taken), taken[:3]
    picks = rows(database, "select count(*) from conversation where state = 'pick'")[0][0]
    assert picks == ATTEMPTS - capacity
    print(f"\n{database.split(':')[0]}: {ATTEMPTS} attempts at capacity {capacity} -> {len(booked)} bookings, "
          f"{len(taken)} 'just taken', {took:.1f} s")


def _live_bookings(url: str) -> list[tuple[int, datetime]]:
    with transaction(url) as session:
        return [(b.customer_id, b.start_at) for b in session.exec(select(Booking))
                if b.status in LIVE]


def test_200_customers_picking_the_one_free_slot_at_once_book_it_once(server, database):
    _race(server, database, capacity=1)


def test_200_customers_picking_a_class_of_3_seats_at_once_fill_3(server, database):
    _race(server, database, capacity=3)


def test_one_inbound_text_delivered_5_times_at_once_is_one_turn_with_one_answer(server, database):
    slot, windows = _contested_slot(database, capacity=1)
    (phone,) = _customers_at_pick(database, 1, slot, windows)
    form = _form("1", phone)
    with _client(REPLAYS) as client:
        responses = _at_once([lambda: _twilio_post(client, server, form)] * REPLAYS)
    assert [r.status_code for r in responses] == [200] * REPLAYS
    answers = [replies(r) for r in responses]
    assert all(a == answers[0] for a in answers) and answers[0], answers
    assert len(_live_bookings(database)) == 1
    assert rows(database, "select count(*) from message where direction = 'in'")[0][0] == 1
    assert rows(database, "select count(*) from message where direction = 'out' and reply_to_id is not null"
                )[0][0] == len(answers[0])


def test_one_delivery_report_delivered_5_times_at_once_records_one_status(server, database):
    with transaction(database) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        session.add(Message(business_id=business.id, direction="out", channel="sms", phone="+15550200001",
                            body="See you tomorrow", provider_id="SMout0001", status="sent",
                            created_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC)))
    form = {"MessageSid": "SMout0001", "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}
    with _client(REPLAYS) as client:
        responses = _at_once([lambda: _twilio_post(client, server, form, "/twilio/status")] * REPLAYS)
    assert [r.status_code for r in responses] == [204] * REPLAYS
    assert rows(database, "select status from message where provider_id = 'SMout0001'") == [("delivered",)]


def test_one_stripe_event_delivered_5_times_at_once_pays_once(server, database):
    slot, windows = _contested_slot(database, capacity=1)
    now = datetime.now(UTC)
    with transaction(database) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        customer = Customer(business_id=business.id, phone="+15550200002", name="Dana", address=ADDRESS[0])
        session.add(customer)
        session.flush()
        service = session.exec(select(Service).where(Service.name == "Express Wash")).one()
        staff = session.exec(select(Staff).where(Staff.active).order_by(Staff.id)).first()
        booking = Booking(code=uuid.uuid4().hex[:16], business_id=business.id, customer_id=customer.id,
                          staff_id=staff.id, service_id=service.id, status="awaiting_payment", start_at=slot,
                          end_at=slot + timedelta(minutes=service.duration_minutes),
                          hold_expires_at=now + timedelta(minutes=30), deposit_cents=1000, created_at=now,
                          updated_at=now)
        session.add(booking)
        session.flush()
        session.add(Payment(booking_id=booking.id, token=uuid.uuid4().hex, provider="stripe", status="pending",
                            amount_cents=1000, currency="usd", url="https://checkout.stripe.test/c/pay/cs_1",
                            provider_ref="cs_test_race", created_at=now, expires_at=now + timedelta(minutes=30)))
        booking_id = booking.id
    payload = json.dumps(session_completed("cs_test_race", booking_id, amount=1000))
    with _client(REPLAYS) as client:
        responses = _at_once([lambda: client.post(server + "/stripe/webhook", content=payload.encode(), headers={
            "Content-Type": "application/json", "Stripe-Signature": stripe_signature(payload)})] * REPLAYS)
    assert [r.status_code for r in responses] == [200] * REPLAYS, [r.text for r in responses]
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes.count("duplicate") == REPLAYS - 1, outcomes
    assert rows(database, "select status from payment") == [("paid",)]
    assert rows(database, "select status from booking") == [("confirmed",)]
    assert rows(database, "select count(*) from provider_event")[0][0] == 1
    owner_texts = rows(database, "select count(*) from message where direction = 'out' and reply_to_id is null "
                                 "and phone = '+15550002222'")[0][0]
    assert owner_texts == 1


def test_five_different_texts_from_one_customer_at_once_each_move_the_conversation_once(server, database):
    slot, windows = _contested_slot(database, capacity=1)
    (phone,) = _customers_at_pick(database, 1, slot, windows)
    with _client(REPLAYS) as client:
        responses = _at_once([lambda: _twilio_post(client, server, _form("1", phone))] * REPLAYS)
    assert [r.status_code for r in responses] == [200] * REPLAYS
    assert all(replies(r) for r in responses)
    assert len(_live_bookings(database)) == 1
    # Optimistic locking: every stored turn saw the state the one before it left (no lost update), so the
    # version counts them exactly; a turn that lost twice asked to be sent again and stored nothing.
    stored = rows(database, "select count(*) from message where direction = 'in'")[0][0]
    again = sum("send that again" in " ".join(replies(r)) for r in responses)
    assert stored + again == REPLAYS
    assert rows(database, "select version from conversation where phone = :phone", phone=phone) == [(stored,)]
