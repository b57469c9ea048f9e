"""Taking deposits: a checkout link per booking, and refunds."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Checkout:
    url: str
    provider_ref: str


class PaymentGateway(Protocol):
    provider: str

    def checkout(self, *, token: str, amount_cents: int, currency: str, description: str,
                 expires_at: datetime) -> Checkout:
        """A payment page for one deposit; `token` is ours, unique per booking's deposit."""
        ...

    def refund(self, *, provider_ref: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund a paid deposit and return the provider's refund id."""
        ...


@dataclass
class LocalPayments:
    """The embedded default: the link opens our own /pay/{token} page, where "Pay deposit" is the payment."""

    public_base_url: str
    refunds: list[dict[str, object]] = field(default_factory=list)
    provider: str = "local"

    def checkout(self, *, token: str, amount_cents: int, currency: str, description: str,
                 expires_at: datetime) -> Checkout:
        return Checkout(url=f"{self.public_base_url}/pay/{token}", provider_ref=f"local_{token}")

    def refund(self, *, provider_ref: str, amount_cents: int, idempotency_key: str) -> str:
        self.refunds.append({"ref": provider_ref, "amount_cents": amount_cents, "key": idempotency_key})
        return f"local_refund_{idempotency_key}"
