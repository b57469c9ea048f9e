"""One payment and its provider: refund a deposit, stop a checkout; what happened is kept on the Payment row.

Used by the payment events (bot/deposit.py), cancellations (bot/cancellation.py), hold expiry
(bot/duework.py) and the front desk, so every refund is recorded the same way.
"""

import logging
from datetime import datetime

from bot.adapters.payment import PaymentGateway, PaymentUnavailable
from bot.db.tables import Payment

log = logging.getLogger(__name__)


def refund_deposit(payment: Payment, *, payments: PaymentGateway, idempotency_key: str, now: datetime) -> str:
    """Give a paid deposit back in full and record it on the payment; returns the provider's refund id.
    Raises PaymentUnavailable (the caller's transaction then rolls back, and a retry uses the same key)."""
    ref = payments.refund(provider_ref=payment.payment_intent or payment.provider_ref or payment.token,
                          amount_cents=payment.amount_cents, idempotency_key=idempotency_key)
    payment.status, payment.refund_ref = "refunded", ref
    payment.refunded_cents, payment.refunded_at = payment.amount_cents, now
    return ref


def stop_checkout(payment: Payment, payments: PaymentGateway | None, *, now: datetime) -> None:
    """Stop a pending checkout taking money: its hold lapsed (a Stripe session lives at least 30 minutes,
    so it can outlive a shorter hold) or its booking was cancelled. If that fails, a payment that still
    arrives is a late one, which bot.deposit.record_payment books if the time is free or refunds."""
    if payments is None or payment.provider != payments.provider or not payment.provider_ref:
        return
    if payment.expires_at is not None and payment.expires_at <= now:
        return  # the provider lapses it on its own
    try:
        payments.expire(provider_ref=payment.provider_ref)
    except PaymentUnavailable as error:
        log.warning("could not expire checkout %s of payment %s: %s", payment.provider_ref, payment.id, error)
