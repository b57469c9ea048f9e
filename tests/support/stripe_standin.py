"""The real stripe SDK against Prism, plus Stripe's own way of signing webhooks.

Prism answers from the spec, not from state: every id is the literal "string" and nothing is
remembered (../shared/contracts/README.md). `RecordingHttp` sits where the SDK does its HTTP (a
`stripe.RequestsClient`, the SDK's own default) and does two things on the wire and nothing else:
it records each request (method, path, idempotency key, form fields) for the tests to read, and it
gives the ids Prism returns ("string") a unique, Stripe-shaped value (cs_test_1, re_test_1, ...), so
two bookings do not share one Checkout Session. `prefer` sets Prism's `Prefer` header, e.g.
"code=400" to make Stripe refuse.
"""

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe

from bot.adapters.stripe_payments import StripePayments
from bot.config import Settings
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, TUESDAY_MORNING

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
SECRET_KEY = "sk_test_0123456789abcdef"
PREFIXES = {"checkout.session": "cs_test_", "refund": "re_test_", "customer": "cus_test_"}


@dataclass
class Call:
    method: str
    path: str
    idempotency_key: str | None
    form: dict[str, str]


class RecordingHttp(stripe.RequestsClient):
    def __init__(self, **kwargs):
        super().__init__(timeout=10, **kwargs)
        self.calls: list[Call] = []
        self.prefer: str | None = None
        self._numbers = itertools.count(1)

    def request(self, method, url, headers, post_data=None):
        headers = dict(headers or {})
        if self.prefer:
            headers["Prefer"] = self.prefer
        form = dict(parse_qsl(post_data.decode() if isinstance(post_data, bytes) else post_data or ""))
        self.calls.append(Call(method.upper(), urlsplit(url).path, headers.get("Idempotency-Key"), form))
        body, status, response_headers = super().request(method, url, headers, post_data)
        return self._unique_ids(body), status, response_headers

    def _unique_ids(self, body: bytes) -> bytes:
        try:
            obj = json.loads(body)
        except ValueError:
            return body
        prefix = PREFIXES.get(obj.get("object")) if isinstance(obj, dict) else None
        if prefix and obj.get("id") == "string":
            obj["id"] = f"{prefix}{next(self._numbers)}"
            if "url" in obj:
                obj["url"] = f"https://checkout.stripe.test/c/pay/{obj['id']}"
            return json.dumps(obj).encode()
        return body

    def posts(self, path_start: str) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and c.path.startswith(path_start)]


@pytest.fixture
def stripe_http() -> RecordingHttp:
    return RecordingHttp()


@pytest.fixture
def stripe_payments(stripe_base, stripe_http) -> StripePayments:
    """StripePayments over the real SDK, talking to Prism; its clock is the tests' frozen one."""
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": stripe_base}, max_network_retries=0,
                                 http_client=stripe_http)
    return StripePayments(client, return_url=f"{PUBLIC_BASE}/stripe/return", clock=lambda: TUESDAY_MORNING)


@pytest.fixture
def stripe_settings(db_url, stripe_base) -> Settings:
    return Settings(database_url=db_url, public_base_url=PUBLIC_BASE, twilio_auth_token=AUTH_TOKEN,
                    stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET, stripe_api_base=stripe_base,
                    _env_file=None)


@pytest.fixture
def stripe_app(stripe_settings, clock, stripe_payments):
    """The app as configured with Stripe keys (wiring picks StripePayments), with the recording client swapped in."""
    from api.main import create_app

    app = create_app(stripe_settings, clock=clock)
    assert isinstance(app.state.adapters.payments, StripePayments)
    app.state.adapters.payments = stripe_payments
    return app


def stripe_signature(payload: str, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """`Stripe-Signature` as Stripe computes it: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<raw body>")."""
    t = int(time.time()) if at is None else at
    v1 = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={v1}"


def post_event(client, event: dict | str, *, secret: str = WEBHOOK_SECRET, at: int | None = None,
               signature: str | None = None):
    """POST an event to /stripe/webhook, signed over the exact bytes sent."""
    payload = event if isinstance(event, str) else json.dumps(event)
    headers = {"Content-Type": "application/json",
               "Stripe-Signature": signature if signature is not None else stripe_signature(payload, secret=secret,
                                                                                               at=at)}
    return client.post("/stripe/webhook", content=payload.encode(), headers=headers)


_events = itertools.count(1)


def event(kind: str, obj: dict, *, event_id: str | None = None) -> dict:
    """A Stripe event envelope, as Stripe sends it."""
    return {"id": event_id or f"evt_test_{next(_events)}", "object": "event", "api_version": "2023-08-16",
            "created": int(time.time()), "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None}, "type": kind, "data": {"object": obj}}


def session_completed(session_id: str, booking_id: int, *, amount: int = 5000, payment_intent: str = "pi_test_1",
                      event_id: str | None = None, payment_status: str = "paid") -> dict:
    return event("checkout.session.completed", {
        "id": session_id, "object": "checkout.session", "mode": "payment", "status": "complete",
        "payment_status": payment_status, "amount_total": amount, "currency": "usd",
        "client_reference_id": f"booking-{booking_id}", "metadata": {"booking_id": str(booking_id)},
        "payment_intent": payment_intent}, event_id=event_id)


def session_expired(session_id: str, booking_id: int, *, event_id: str | None = None) -> dict:
    return event("checkout.session.expired", {
        "id": session_id, "object": "checkout.session", "mode": "payment", "status": "expired",
        "payment_status": "unpaid", "client_reference_id": f"booking-{booking_id}",
        "metadata": {"booking_id": str(booking_id)}, "payment_intent": None}, event_id=event_id)


def charge_refunded(booking_id: int, *, payment_intent: str = "pi_test_1", amount: int = 5000,
                    refunded: int = 5000, event_id: str | None = None) -> dict:
    return event("charge.refunded", {
        "id": "ch_test_1", "object": "charge", "amount": amount, "amount_refunded": refunded,
        "refunded": refunded >= amount, "currency": "usd", "payment_intent": payment_intent,
        "metadata": {"booking_id": str(booking_id)}}, event_id=event_id)
