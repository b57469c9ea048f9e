"""The outbox: texts the bot starts (confirmations, reminders, owner notices) are `message` rows with
status "queued", written in the same transaction as their cause; `deliver` sends them.

A send happens between two short transactions, never inside one (a provider call must not hold
database locks, and a rollback cannot unsend a text):

1. claim: lock a batch of queued rows (SKIP LOCKED: concurrent senders take disjoint rows), check
   consent *now* (an opt-out since the row was queued suppresses it), choose free text or an
   approved WhatsApp template, mark them "sending", commit;
2. send each through the MessageSender, with its idempotency key;
3. record: "sent" with the provider's id, or back to "queued" with a backoff, or "failed".

A sender killed between 1 and 3 leaves rows in "sending". After `claim_timeout` (longer than any
sender may live: the Celery task's hard time limit is shorter) `settle_stale` asks the provider
whether each went out (MessageSender.find) and records it, or queues it again: nothing is lost and
nothing that left is sent twice.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.adapters.messaging import MessageSender, SendError, Template
from bot.db import queries
from bot.db.session import transaction
from bot.db.tables import Business, Conversation, Message
from bot.domain.phone import Channel, address_of

log = logging.getLogger(__name__)

BATCH = 500
MAX_ATTEMPTS = 6                      # 30 s + 1 + 2 + 4 + 8 min of backoff: a provider outage of ~15 min
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)
# WhatsApp's customer-service window: free text only within 24 h of the customer's last message.
WHATSAPP_WINDOW = timedelta(hours=24)
# Twilio's codes for recipients who can never get a text from us: 21610 is a carrier-level STOP.
UNSUBSCRIBED_CODES = frozenset({"21610"})
NO_TEMPLATE = "no-template"


@dataclass(frozen=True)
class Outgoing:
    """A claimed row, as plain data: the send happens outside any transaction."""

    message_id: int
    to_address: str
    from_address: str
    body: str
    template: Template | None

    @property
    def idempotency_key(self) -> str:
        return key_of(self.message_id)


@dataclass
class Delivery:
    sent: int = 0
    suppressed: int = 0
    retrying: int = 0
    failed: int = 0
    settled: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return len(self.ids)


def queue_text(session: Session, business: Business, *, phone: str, channel: Channel, body: str,
               now: datetime, kind: str | None = None, template_variables: dict[str, str] | None = None) -> Message:
    """An outbox row: a message the bot starts, sent after commit. `kind` names what it is ("reminder",
    ...): on WhatsApp outside the 24 h window it goes as that kind's approved template
    (Business.whatsapp_templates) with `template_variables`."""
    message = Message(business_id=business.id, direction="out", channel=channel.value, phone=phone, body=body,
                      status="queued", created_at=now, kind=kind, template_variables=template_variables)
    session.add(message)
    return message


def queue_owner_text(session: Session, business: Business, text: str, *, now: datetime) -> None:
    for phone in business.owner_phones:
        queue_text(session, business, phone=phone, channel=Channel.SMS, body=text, now=now, kind="owner")


def steer(conversation: Conversation, *, flow: str, state: str, data: dict, now: datetime) -> None:
    """Point a thread at the question a text we queued asks, so the customer's reply is read as its answer."""
    conversation.flow, conversation.state, conversation.data = flow, state, data
    conversation.version += 1
    conversation.updated_at = now


def key_of(message_id: int) -> str:
    """The idempotency key of an outbox row: the same on every attempt, so a provider can dedupe."""
    return f"outbox-{message_id}"


def message_id_of(key: str) -> int | None:
    prefix, _, number = key.partition("-")
    return int(number) if prefix == "outbox" and number.isdigit() else None


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def deliver(database_url: str, *, sender: MessageSender, now: datetime, limit: int = BATCH) -> Delivery:
    """Claim, send and record one batch of queued messages."""
    with transaction(database_url) as session:
        claimed, done = claim(session, now=now, limit=limit)
    results = send_all(claimed, sender)
    if results:
        with transaction(database_url) as session:
            record(session, results, now=now, done=done)
    return done


def claim(session: Session, *, now: datetime, limit: int) -> tuple[list[Outgoing], Delivery]:
    """Lock up to `limit` due rows, suppress the opted-out, mark the rest "sending"."""
    rows = queries.claim_queued_messages(session, now=now, limit=limit)
    done = Delivery(ids=[m.id for m in rows])
    if not rows:
        return [], done
    businesses = queries.load_by_ids(session, Business, [m.business_id for m in rows])  # noqa: F841 (kept alive)
    opted_out = queries.opted_out_among(session, keys=[(m.business_id, m.phone) for m in rows])
    whatsapp = [(m.business_id, m.phone, m.channel) for m in rows if m.channel == Channel.WHATSAPP]
    threads = queries.conversations_by_key(session, keys=whatsapp)
    claimed, suppressed, no_template = [], [], []
    for message in rows:
        business = session.get(Business, message.business_id)
        if (message.business_id, message.phone) in opted_out:
            suppressed.append(message.id)  # consent is checked at send time, not only when queued
            continue
        channel = Channel(message.channel)
        template = None
        if channel is Channel.WHATSAPP:
            thread = threads.get((message.business_id, message.phone, message.channel))
            last_inbound = thread.last_inbound_at if thread is not None else None
            if last_inbound is None or now - last_inbound >= WHATSAPP_WINDOW:
                content_sid = business.whatsapp_templates.get(message.kind or "")
                if content_sid is None:
                    # Free text would be refused (Twilio error 63016); the owner must add a template.
                    log.warning("message %s (%s) is outside the WhatsApp window and the business has no "
                                "approved template for it; not sent", message.id, message.kind)
                    no_template.append(message.id)
                    continue
                template = Template(content_sid, dict(message.template_variables or {}))
        own_phone = (business.whatsapp_phone if channel is Channel.WHATSAPP else business.sms_phone) or ""
        claimed.append(Outgoing(message.id, address_of(channel, message.phone), address_of(channel, own_phone),
                                message.body, template))
    # Set-based updates: a reminder storm claims thousands of rows, and row-by-row ORM updates were most
    # of the sender's time.
    queries.mark_messages(session, ids=suppressed, status="suppressed")
    queries.mark_messages(session, ids=no_template, status="failed", error_code=NO_TEMPLATE)
    queries.mark_sending(session, ids=[out.message_id for out in claimed], now=now)
    done.suppressed, done.failed = len(suppressed), len(no_template)
    return claimed, done


@dataclass(frozen=True)
class Result:
    message_id: int
    provider_id: str | None = None
    error: SendError | None = None


def send_all(claimed: Sequence[Outgoing], sender: MessageSender) -> list[Result]:
    """Send each claimed message; a failure is recorded for its row, never raised."""
    results = []
    for out in claimed:
        try:
            provider_id = sender.send(to_address=out.to_address, from_address=out.from_address, body=out.body,
                                      idempotency_key=out.idempotency_key, template=out.template)
            results.append(Result(out.message_id, provider_id=provider_id))
        except SendError as error:
            log.warning("send of message %s failed (%s, code %s): %s", out.message_id,
                        "permanent" if error.permanent else "will retry", error.code, error)
            results.append(Result(out.message_id, error=error))
        except Exception as error:  # an unexpected fault in the adapter: retried like a transient one
            log.exception("send of message %s raised", out.message_id)
            results.append(Result(out.message_id, error=SendError(str(error), permanent=False)))
    return results


def record(session: Session, results: Sequence[Result], *, now: datetime, done: Delivery) -> None:
    """Write what became of each send."""
    sent = [(r.message_id, r.provider_id) for r in results if r.error is None]
    queries.record_sent(session, sent=sent, now=now)  # a status callback may already have moved some on
    done.sent += len(sent)
    failed = [r for r in results if r.error is not None]
    rows = {m.id: m for m in queries.messages_by_ids(session, ids=[r.message_id for r in failed])} if failed else {}
    for result in failed:
        message = rows[result.message_id]
        if result.error.permanent or message.attempts >= MAX_ATTEMPTS:
            message.status, message.error_code = "failed", result.error.code
            done.failed += 1
            if result.error.code in UNSUBSCRIBED_CODES:
                opt_out(session, message, now=now)
        else:
            message.status, message.next_attempt_at = "queued", now + retry_delay(message.attempts)
            message.error_code = result.error.code
            done.retrying += 1


def settle_stale(database_url: str, *, sender: MessageSender, now: datetime, claim_timeout: timedelta,
                 limit: int = BATCH) -> int:
    """Rows left in "sending" by a sender that died: sent if the provider has them, else queued again."""
    with transaction(database_url) as session:
        rows = queries.claim_stale_sending(session, claimed_before=now - claim_timeout, limit=limit)
        businesses = queries.load_by_ids(session, Business, [m.business_id for m in rows])  # noqa: F841 (kept alive)
        for message in rows:
            business = session.get(Business, message.business_id)
            channel = Channel(message.channel)
            own_phone = (business.whatsapp_phone if channel is Channel.WHATSAPP else business.sms_phone) or ""
            try:
                provider_id = sender.find(idempotency_key=key_of(message.id),
                                          to_address=address_of(channel, message.phone),
                                          from_address=address_of(channel, own_phone), body=message.body,
                                          since=message.claimed_at)
            except SendError as error:  # cannot tell now: leave it "sending" and ask again next pass
                log.warning("could not settle message %s: %s", message.id, error)
                continue
            if provider_id is not None:
                message.status, message.provider_id, message.sent_at = "sent", provider_id, now
            else:
                message.status, message.next_attempt_at = "queued", None
        return len(rows)


# Twilio's delivery states, in the order a message moves through them; a late callback never moves a
# row backwards (Twilio does not promise callbacks arrive in order).
STATUS_RANK = {"queued": 0, "sending": 1, "accepted": 1, "scheduled": 1, "sent": 2, "failed": 3,
               "undelivered": 3, "delivered": 4, "read": 5}
KNOWN_STATUSES = {"sent", "failed", "undelivered", "delivered", "read"}


def record_status(session: Session, *, provider_id: str, status: str, error_code: str | None, key: str | None,
                  now: datetime) -> bool:
    """Apply a provider's delivery report; False when no outbox row matches."""
    message = queries.outbound_by_provider_id(session, provider_id=provider_id)
    if message is None and key and (message_id := message_id_of(key)) is not None:
        # The sender died after the provider took the message but before recording its id.
        message = session.get(Message, message_id)
        if message is None or message.direction != "out" or message.provider_id not in (None, provider_id):
            return False
        message.provider_id = provider_id
        if message.status in ("sending", "queued"):
            message.status, message.sent_at = "sent", message.sent_at or now
    if message is None:
        return False
    status = status.lower()
    if status in KNOWN_STATUSES and STATUS_RANK[status] >= STATUS_RANK.get(message.status, 0):
        message.status = status
    if error_code:
        message.error_code = error_code[:12]
        if error_code in UNSUBSCRIBED_CODES:
            opt_out(session, message, now=now)
    return True


def opt_out(session: Session, message: Message, *, now: datetime) -> None:
    """The carrier says this recipient unsubscribed (they texted STOP to the carrier, not to us)."""
    customer = queries.find_customer(session, business_id=message.business_id, phone=message.phone)
    if customer is not None and not customer.opted_out:
        customer.opted_out, customer.opted_out_at = True, now
