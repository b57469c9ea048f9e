"""Taking deposits: a checkout link per booking, refunds, and what the provider tells us afterwards.

Two implementations: `LocalPayments` (the embedded default's /pay/{token} page) and
`bot.adapters.stripe_payments.StripePayments` (Stripe Checkout), chosen in bot/wiring.py.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Checkout:
    url: str
    provider_ref: str                      # Stripe: the Checkout Session id (cs_...)
    expires_at: datetime | None = None     # when the page stops taking payments, if the provider says
    payer_ref: str | None = None           # the provider's customer, to reuse next time


class PaymentUnavailable(Exception):
    """The provider did not make a link or take a call (down, timed out, refused). The customer gets a kind
    message and can try again; nothing was charged."""


class EventKind(StrEnum):
    PAID = "paid"            # the deposit was paid
    EXPIRED = "expired"      # the link can no longer be paid
    REFUNDED = "refunded"    # money went back (by us or from the provider's dashboard)
    IGNORED = "ignored"      # a type we do not act on


@dataclass(frozen=True)
class GatewayEvent:
    """A provider's webhook event, verified and reduced to what the bot acts on."""

    id: str                                 # the provider's event id: each is applied once
    type: str                               # the provider's name for it, e.g. "checkout.session.completed"
    kind: EventKind
    provider_ref: str | None = None         # the checkout it is about (Stripe cs_...)
    booking_id: int | None = None           # from the metadata we attached
    payment_intent: str | None = None
    amount_cents: int | None = None         # paid (PAID) or refunded so far in total (REFUNDED)


class PaymentGateway(Protocol):
    provider: str

    def checkout(self, *, token: str, reference: str, amount_cents: int, currency: str, description: str,
                 expires_at: datetime, idempotency_key: str, metadata: dict[str, str] | None = None,
                 phone: str | None = None, name: str | None = None, payer_ref: str | None = None) -> Checkout:
        """A payment page for one deposit. `token` is ours and unique per attempt; `reference` names the
        booking; the same `idempotency_key` never makes a second page. Raises PaymentUnavailable."""
        ...

    def refund(self, *, provider_ref: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund a paid deposit (`provider_ref`: the payment, or its checkout) and return the refund's id.
        The same key never refunds twice. Raises PaymentUnavailable."""
        ...

    def expire(self, *, provider_ref: str) -> bool:
        """Stop a checkout from taking payments; False when it can no longer be expired (paid or expired)."""
        ...


@dataclass
class LocalPayments:
    """The embedded default: the link opens our own /pay/{token} page, where "Pay deposit" is the payment."""

    public_base_url: str
    checkouts: list[dict[str, object]] = field(default_factory=list)
    refunds: list[dict[str, object]] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)
    provider: str = "local"

    def checkout(self, *, token: str, reference: str, amount_cents: int, currency: str, description: str,
                 expires_at: datetime, idempotency_key: str, metadata: dict[str, str] | None = None,
                 phone: str | None = None, name: str | None = None, payer_ref: str | None = None) -> Checkout:
        self.checkouts.append({"token": token, "reference": reference, "amount_cents": amount_cents,
                               "description": description, "key": idempotency_key})
        return Checkout(url=f"{self.public_base_url}/pay/{token}", provider_ref=f"local_{token}",
                        expires_at=expires_at)

    def refund(self, *, provider_ref: str, amount_cents: int, idempotency_key: str) -> str:
        self.refunds.append({"ref": provider_ref, "amount_cents": amount_cents, "key": idempotency_key})
        return f"local_refund_{idempotency_key}"

    def expire(self, *, provider_ref: str) -> bool:
        # No provider to tell. The page still takes a late payment (as a checkout paid in its last second
        # would be), and bot.deposit.record_payment books or refunds it.
        self.expired.append(provider_ref)
        return True
