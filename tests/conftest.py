"""Shared fixtures: a fresh seeded database per test, a frozen clock, and a client that signs like Twilio."""

import os
import re
import shutil
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select
from twilio.request_validator import RequestValidator

from api.main import create_app
from bot.config import Settings
from bot.db.seed import DEMO_SLUG, prepare
from bot.db.tables import Business, Customer
from bot.db.session import engine_for, transaction
from tasks.local_loop import LocalDispatcher

# stripe_base, twilio_base: Prism stand-ins on loopback; stripe_payments, stripe_app: the Stripe SDK against it
pytest_plugins = ["tests.support.prism", "tests.support.stripe_standin"]

CHICAGO = ZoneInfo("America/Chicago")
TUESDAY_MORNING = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_BASE = "https://bot.example.com"
BUSINESS_SMS = "+15550001111"
OWNER = "+15550002222"
DANA = "+15550100001"
LEE = "+15550100002"
PAT = "+15550100003"   # a new customer: the bot must ask where the job is before offering times
# Returning customers: the bot knows where to drive, so it offers times straight away.
REGULARS = {DANA: ("1100 Congress Ave, Austin, TX", 30.2747, -97.7404),
            LEE: ("500 E Cesar Chavez St, Austin, TX", 30.2626, -97.7393)}


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """A migrated, seeded SQLite file, made once; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "bot.db"
    url = f"sqlite:///{path}"
    prepare(url)
    with transaction(url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        for phone, (address, lat, lng) in REGULARS.items():
            session.add(Customer(business_id=business.id, phone=phone, address=address, lat=lat, lng=lng))
    engine_for(url).dispose()  # closing the last connection checkpoints the WAL into the main file
    return path


@pytest.fixture
def db_url(template_db, tmp_path) -> str:
    path = tmp_path / "bot.db"
    shutil.copy(template_db, path)
    url = f"sqlite:///{path}"
    yield url
    engine_for(url).dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY_MORNING)


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                    _env_file=None)


@pytest.fixture
def app(settings, clock):
    return create_app(settings, clock=clock)


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def dispatcher(app, settings, clock) -> LocalDispatcher:
    """The embedded default's dispatcher, ticked by hand in tests."""
    return LocalDispatcher(settings.database_url, app.state.adapters, clock, interval=3600)


def twilio_form(body: str, *, from_: str = DANA, to: str = BUSINESS_SMS, sid: str | None = None,
                **extra: str) -> dict[str, str]:
    """The fields Twilio posts for an inbound message."""
    return {"MessageSid": sid or "SM" + uuid.uuid4().hex, "SmsSid": sid or "", "AccountSid": "AC" + "0" * 32,
            "From": from_, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01",
            **extra}


def signed_post(client: TestClient, form: dict[str, str], *, path: str = "/twilio/messages",
                token: str = AUTH_TOKEN, signature: str | None = None):
    """POST the form with X-Twilio-Signature computed exactly as Twilio does, for the public URL."""
    sig = signature if signature is not None else RequestValidator(token).compute_signature(PUBLIC_BASE + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": sig})


def replies(response) -> list[str]:
    """The <Message> bodies of a TwiML response."""
    from xml.etree import ElementTree

    return [m.text or "" for m in ElementTree.fromstring(response.text).iter("Message")]


def rows(db_url: str, sql: str, **params) -> list[tuple]:
    with transaction(db_url) as session:
        return [tuple(r) for r in session.connection().execute(text(sql), params)]


def calendar_line(db_url: str, phone: str, language: str = "en") -> str:
    """The "Add to calendar" line under a confirmation of the customer's (only) booking."""
    [(code,)] = rows(db_url, "select b.code from booking b join customer c on c.id = b.customer_id "
                             "where c.phone = :p", p=phone)
    lead = "Agrégalo a tu calendario" if language == "es" else "Add to calendar"
    return f"{lead}: {PUBLIC_BASE}/b/{code}.ics (Google: {PUBLIC_BASE}/b/{code}/google)"


def execute(db_url: str, sql: str, **params) -> None:
    with transaction(db_url) as session:
        session.connection().execute(text(sql), params)
        if re.match(r"\s*update\s+business\b", sql, re.IGNORECASE):
            # Raw SQL passes the ORM listener that renews a changed business's stamp, under which processes keep
            # its row (bot/db/schedule_stamp.py): do what it would have done.
            session.connection().execute(text("update business set schedule_stamp = :stamp"),
                                         {"stamp": uuid.uuid4().hex})


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database; skipped without a server, except under CI=true."""
    base = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    from sqlalchemy.engine import make_url

    parsed = make_url(base)
    if not _reachable(parsed.host or "127.0.0.1", parsed.port or 5432):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {parsed.host}:{parsed.port} is required under CI=true but not reachable")
        pytest.skip(f"no PostgreSQL server at {parsed.host}:{parsed.port} (set TEST_POSTGRES_URL)")
    name = f"bot_test_{uuid.uuid4().hex[:12]}"
    admin = engine_for(base.replace("+psycopg", "+psycopg", 1))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = parsed.set(database=name).render_as_string(hide_password=False)
    yield url
    engine_for(url).dispose()
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    """A Redis server for Celery tests (its own key prefix per test); skipped without one, except under CI=true."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if not _reachable(parts.hostname or "127.0.0.1", parts.port or 6379):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {parts.hostname}:{parts.port} is required under CI=true but not reachable")
        pytest.skip(f"no Redis server at {parts.hostname}:{parts.port} (set TEST_REDIS_URL)")
    return url
