"""Sending texts the bot starts itself (replies to an inbound text go back as TwiML instead)."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp template (Twilio content SID, HX...) and its numbered variables."""

    content_sid: str
    variables: dict[str, str]


class SendError(Exception):
    """The provider did not take the message. `permanent`: sending it again will not help (a bad number,
    an unsubscribed recipient); otherwise it is retried later (a timeout, a 5xx, a rate limit)."""

    def __init__(self, message: str, *, permanent: bool, code: str | None = None):
        super().__init__(message)
        self.permanent, self.code = permanent, code


class MessageSender(Protocol):
    def send(self, *, to_address: str, from_address: str, body: str, idempotency_key: str,
             template: Template | None = None) -> str:
        """Send one message (the template instead of the body when given) and return the provider's id;
        raises SendError."""
        ...

    def find(self, *, idempotency_key: str, to_address: str, from_address: str, body: str,
             since: datetime) -> str | None:
        """The provider's id of a message sent with this key since `since`, if it went out (to settle a
        send whose sender died before recording it: resend only what never left)."""
        ...


@dataclass
class LocalMessages:
    """The embedded default: nothing leaves the machine; the simulator shows the stored messages."""

    sent: list[dict[str, str]] = field(default_factory=list)

    def send(self, *, to_address: str, from_address: str, body: str, idempotency_key: str,
             template: Template | None = None) -> str:
        provider_id = "LM" + uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex
        record = {"to": to_address, "from": from_address, "body": body, "id": provider_id, "key": idempotency_key}
        if template is not None:
            record["template"] = template.content_sid
        self.sent.append(record)
        return provider_id

    def find(self, *, idempotency_key: str, to_address: str, from_address: str, body: str,
             since: datetime) -> str | None:
        return next((m["id"] for m in self.sent if m["key"] == idempotency_key), None)
