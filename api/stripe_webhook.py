"""POST /stripe/webhook: Stripe's events about deposits; GET /stripe/return: where Checkout sends the browser."""

import logging
from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from api.deps import AdaptersDep, ClockDep, SettingsDep
from bot.adapters.payment import GatewayEvent, PaymentGateway, PaymentUnavailable
from bot.db.session import transaction
from bot.deposit import receive_event

log = logging.getLogger(__name__)
router = APIRouter()
PROVIDER = "stripe"


@router.post("/stripe/webhook", tags=["webhooks"])
async def stripe_webhook(request: Request, settings: SettingsDep, clock: ClockDep,
                         adapters: AdaptersDep) -> dict[str, str]:
    """A signed Stripe event. 400 (nothing changed) for a bad or stale signature or a body that is not an
    event; 2xx for everything verified, including duplicates and types we ignore, so Stripe stops retrying."""
    if not settings.stripe_webhook_secret:
        # 503, not 400: Stripe keeps retrying, and the events apply once the secret is configured.
        log.error("a Stripe webhook arrived but STRIPE_WEBHOOK_SECRET is not set")
        raise HTTPException(503, "Stripe webhooks are not configured")
    # Imported here: the Stripe SDK (with requests) loads on the first event, not in every process's start.
    from bot.adapters.stripe_payments import BadEvent, read_event

    payload = await request.body()  # the raw bytes: the signature covers exactly what Stripe sent
    try:
        event = read_event(payload, request.headers.get("Stripe-Signature"), settings.stripe_webhook_secret)
    except BadEvent as error:
        log.warning("refused a Stripe webhook: %s", error)
        raise HTTPException(400, "invalid Stripe webhook (signature or body)")
    try:
        outcome = await run_in_threadpool(apply_event, settings.database_url, event, now=clock(),
                                          payments=adapters.payments, public_base_url=settings.public_base_url)
    except PaymentUnavailable as error:
        # A refund this event calls for did not go through: nothing was kept, and Stripe's retry (with
        # backoff, for up to three days) applies the event again; the refund's key makes it one refund.
        log.warning("stripe event %s not applied, the provider failed: %s", event.id, error)
        raise HTTPException(503, "payment provider unavailable; retry later")
    return {"received": event.id, "outcome": outcome}


def apply_event(database_url: str, event: GatewayEvent, *, now: datetime, payments: PaymentGateway,
                public_base_url: str = "") -> str:
    """The event in its own transaction; the same event delivered twice at once is answered as a duplicate."""
    try:
        with transaction(database_url) as session:
            return receive_event(session, event, provider=PROVIDER, now=now, payments=payments,
                                 public_base_url=public_base_url)
    except IntegrityError:
        with transaction(database_url) as session:
            return receive_event(session, event, provider=PROVIDER, now=now, payments=payments,
                                 public_base_url=public_base_url)


@router.get("/stripe/return", response_class=HTMLResponse, include_in_schema=False)
def checkout_return(paid: int = 0) -> HTMLResponse:
    """The page after Checkout. The booking moves on the webhook, not here (this URL can be opened by anyone)."""
    text = ("Thanks! Your deposit is paid. We'll text you the confirmation in a moment." if paid else
            "No payment was taken. Your time stays held until the link expires; text us if you need help.")
    return HTMLResponse(f"<!doctype html><meta name=viewport content='width=device-width'>"
                        f"<title>Deposit</title><p style='font:18px sans-serif;margin:2em'>{text}</p>")
