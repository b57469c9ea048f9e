"""Deposits through Stripe Checkout, over the official `stripe` SDK.

One Checkout Session per booking (a Payment Link could be paid twice), in payment mode, with one line
item ("Deposit: Full Detail, Tue Mar 10, 2:00 PM"), the booking in `client_reference_id` and metadata
(copied onto the PaymentIntent, and by Stripe onto its charge, so refunds find their booking too), and
an idempotency key so a retried request gets the same session. Webhook events are verified here
(`read_event`) and reduced to the few facts bot.deposit acts on.
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from bot.adapters.payment import Checkout, EventKind, GatewayEvent, PaymentUnavailable

log = logging.getLogger(__name__)

# Stripe takes a session's expires_at from 30 minutes to 24 hours after it creates the session, timed by
# its own clock on arrival: keep clear of both ends by a margin for clock drift and the request's trip.
SESSION_MIN_LIFE = timedelta(minutes=30)
SESSION_MAX_LIFE = timedelta(hours=24)
CLOCK_MARGIN = timedelta(minutes=2)
# The SDK retries connection errors, 409s and 5xx itself, with the same idempotency key; a turn waits
# at most about (1 + retries) x timeout for Stripe, well inside the 15 s Twilio gives a webhook.
NETWORK_RETRIES = 1
TIMEOUT_SECONDS = 5
# Stripe signs each delivery with the time it was sent; older than this and a replay is refused.
SIGNATURE_TOLERANCE_SECONDS = 300

PAID_TYPES = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
EXPIRED_TYPES = frozenset({"checkout.session.expired", "checkout.session.async_payment_failed"})
REFUNDED_TYPES = frozenset({"charge.refunded"})


def stripe_client(secret_key: str, *, api_base: str = "") -> stripe.StripeClient:
    """The SDK client: Stripe itself, or `api_base` (a local stand-in in tests)."""
    return stripe.StripeClient(secret_key, base_addresses={"api": api_base} if api_base else None,
                               max_network_retries=NETWORK_RETRIES,
                               http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS))


def session_expiry(deadline: datetime, now: datetime) -> datetime:
    """The expires_at to ask for: the hold's own deadline when Stripe accepts it, else the nearest time it
    does. A session that outlives its hold is expired by us when the hold lapses (bot.duework), and a
    payment in between is a late payment (bot.deposit: booked if still free, else refunded)."""
    return min(max(deadline, now + SESSION_MIN_LIFE + CLOCK_MARGIN), now + SESSION_MAX_LIFE - CLOCK_MARGIN)


class StripePayments:
    provider = "stripe"

    def __init__(self, client: stripe.StripeClient, *, return_url: str,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        # `clock` is the real one: expires_at is checked against Stripe's clock, not the business's.
        self.client, self.return_url, self.clock = client, return_url, clock

    def checkout(self, *, token: str, reference: str, amount_cents: int, currency: str, description: str,
                 expires_at: datetime, idempotency_key: str, metadata: dict[str, str] | None = None,
                 phone: str | None = None, name: str | None = None, payer_ref: str | None = None) -> Checkout:
        expires = session_expiry(expires_at, self.clock())
        tags = {**(metadata or {}), "reference": reference}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {"currency": currency, "unit_amount": amount_cents,
                                                          "product_data": {"name": description}}}],
            "client_reference_id": reference,
            "metadata": tags,
            "payment_intent_data": {"description": description, "metadata": tags},
            "expires_at": int(expires.timestamp()),
            # Where the browser goes afterwards; the booking itself moves on the webhook, not on this page.
            "success_url": f"{self.return_url}?paid=1",
            "cancel_url": f"{self.return_url}?paid=0",
        }
        try:
            if phone and not payer_ref:
                payer_ref = self._payer(phone, name, idempotency_key=f"{idempotency_key}-payer", tags=tags)
            if payer_ref:
                # Checkout fills in the phone only from a Customer, and shows it only when it collects one.
                params["customer"] = payer_ref
                params["phone_number_collection"] = {"enabled": True}
            session = self.client.v1.checkout.sessions.create(params=params,
                                                              options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise PaymentUnavailable(_describe(error)) from error
        return Checkout(url=session.url or "", provider_ref=session.id, expires_at=expires, payer_ref=payer_ref)

    def refund(self, *, provider_ref: str, amount_cents: int, idempotency_key: str) -> str:
        try:
            if provider_ref.startswith("cs_"):  # a checkout: refund the payment it took
                session = self.client.v1.checkout.sessions.retrieve(provider_ref)
                provider_ref = _id(session.payment_intent) or ""
                if not provider_ref:
                    raise PaymentUnavailable(f"checkout {session.id} has no payment to refund")
            target = "charge" if provider_ref.startswith(("ch_", "py_")) else "payment_intent"
            refund = self.client.v1.refunds.create(params={target: provider_ref, "amount": amount_cents},
                                                   options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise PaymentUnavailable(_describe(error)) from error
        return refund.id

    def expire(self, *, provider_ref: str) -> bool:
        try:
            self.client.v1.checkout.sessions.expire(provider_ref)
        except stripe.InvalidRequestError as error:
            # Already paid or expired: nothing left to stop (a payment is on its way to the webhook).
            log.info("checkout %s not expired: %s", provider_ref, _describe(error))
            return False
        except stripe.StripeError as error:
            raise PaymentUnavailable(_describe(error)) from error
        return True

    def _payer(self, phone: str, name: str | None, *, idempotency_key: str, tags: dict[str, str]) -> str:
        params: dict[str, Any] = {"phone": phone, "metadata": tags}
        if name:
            params["name"] = name
        return self.client.v1.customers.create(params=params, options={"idempotency_key": idempotency_key}).id


class BadEvent(Exception):
    """A webhook call we must refuse (400): bad or stale signature, or not a Stripe event."""


def read_event(payload: bytes, signature: str | None, secret: str,
               *, tolerance: int = SIGNATURE_TOLERANCE_SECONDS) -> GatewayEvent:
    """Verify `Stripe-Signature` over the raw body and reduce the event to what the bot acts on."""
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", secret, tolerance=tolerance)
        data = event.to_dict()
    except stripe.SignatureVerificationError as error:
        raise BadEvent(f"signature: {error}") from error
    except (ValueError, TypeError, AttributeError) as error:  # signed, but not a JSON object
        raise BadEvent("body is not a JSON event") from error
    return gateway_event(data)


def gateway_event(data: dict[str, Any]) -> GatewayEvent:
    """The facts of one Stripe event (a dict as Stripe sends it)."""
    event_id, kind_name, body = data.get("id"), data.get("type"), data.get("data")
    obj = body.get("object") if isinstance(body, dict) else None
    if not (isinstance(event_id, str) and event_id and isinstance(kind_name, str) and isinstance(obj, dict)):
        raise BadEvent("not a Stripe event (id, type and data.object expected)")
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    booking_id = _booking_id(metadata.get("booking_id"), obj.get("client_reference_id"))
    intent = _id(obj.get("payment_intent"))
    if kind_name in PAID_TYPES:
        # A completed session with a delayed method (a bank debit) is not paid yet: async_payment_succeeded follows.
        paid = kind_name != "checkout.session.completed" or obj.get("payment_status") in ("paid", "no_payment_required")
        return GatewayEvent(event_id, kind_name, EventKind.PAID if paid else EventKind.IGNORED,
                            provider_ref=_id(obj.get("id")), booking_id=booking_id, payment_intent=intent,
                            amount_cents=_cents(obj.get("amount_total")))
    if kind_name in EXPIRED_TYPES:
        return GatewayEvent(event_id, kind_name, EventKind.EXPIRED, provider_ref=_id(obj.get("id")),
                            booking_id=booking_id, payment_intent=intent)
    if kind_name in REFUNDED_TYPES:
        return GatewayEvent(event_id, kind_name, EventKind.REFUNDED, booking_id=booking_id, payment_intent=intent,
                            amount_cents=_cents(obj.get("amount_refunded")))
    return GatewayEvent(event_id, kind_name, EventKind.IGNORED)


def _id(value: Any) -> str | None:
    """An id, whether Stripe sent it bare or expanded into its object."""
    if isinstance(value, dict):
        value = value.get("id")
    elif value is not None and not isinstance(value, str):
        value = getattr(value, "id", None)
    return value if isinstance(value, str) and value else None


def _booking_id(meta: Any, reference: Any) -> int | None:
    for value in (meta, reference):
        text = str(value or "").removeprefix("booking-")
        if text.isdigit():
            return int(text)
    return None


def _cents(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _describe(error: stripe.StripeError) -> str:
    code = getattr(error, "code", None)
    return f"{type(error).__name__} {error.http_status or ''} {code or ''}: {error.user_message or error}".strip()
