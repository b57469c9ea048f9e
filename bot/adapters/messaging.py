"""Sending texts the bot starts itself (replies to an inbound text go back as TwiML instead)."""

import uuid
from dataclasses import dataclass, field
from typing import Protocol


class MessageSender(Protocol):
    def send(self, *, to_address: str, from_address: str, body: str, idempotency_key: str) -> str:
        """Send one message and return the provider's id for it."""
        ...


@dataclass
class LocalMessages:
    """The embedded default: nothing leaves the machine; the simulator shows the stored messages."""

    sent: list[dict[str, str]] = field(default_factory=list)

    def send(self, *, to_address: str, from_address: str, body: str, idempotency_key: str) -> str:
        provider_id = "LM" + uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex
        self.sent.append({"to": to_address, "from": from_address, "body": body, "id": provider_id})
        return provider_id
