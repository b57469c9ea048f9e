"""One conversation turn: an inbound text in, the replies out, all in one database transaction."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.adapters.maps import Geocoder, TravelMatrix
from bot.adapters.payment import PaymentGateway
from bot.back_office import BackOffice
from bot.db import queries, turn_rows
from bot.db.session import holds_the_write_lock, transaction
from bot.db.tables import Business
from bot.db.turn_rows import ConversationRecord as Conversation, CustomerRecord as Customer
from bot.domain.phone import Channel, masked, split_address
from bot.domain.travel import Place, TravelTimes
from bot.front_desk import FrontDesk
from bot.policy import day_parts_of
from flows import help as help_flow
from flows import owner as owner_flow
from flows.booking import FREE_TEXT_STEPS, outside_area_text, unknown_text
from flows.context import Said, Turn
from flows.phrases import phrase, reply_language
from flows.registry import CUSTOMER_FLOWS, DEFAULT_FLOW, interruption
from nlu import Intent, Parse, parse

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 1500  # one Twilio message is at most 1,600 characters


@dataclass(frozen=True)
class Inbound:
    """A text as Twilio delivers it: addresses may carry the "whatsapp:" prefix."""

    to_address: str
    from_address: str
    body: str
    provider_id: str
    media_count: int = 0
    location: Place | None = None         # a shared location (WhatsApp pin): Latitude/Longitude/Address


@dataclass
class TurnResult:
    replies: list[str]
    handled: bool = True                  # False: no business has that number; nothing was stored
    duplicate: bool = False
    offers: list[datetime] = field(default_factory=list)


# Said when a turn lost the race for its conversation twice running (see ConversationChanged).
SAY_AGAIN = "Sorry, one moment: please send that again."


class ConversationChanged(Exception):
    """Another turn of the same conversation saved first (the version this turn loaded is gone)."""


def receive_text(database_url: str, inbound: Inbound, *, now: datetime, payments: PaymentGateway,
                 understand: Callable[..., Parse] = parse, public_base_url: str = "",
                 travel: TravelTimes | TravelMatrix | None = None, geocoder: Geocoder | None = None) -> TurnResult:
    """One turn in its own transaction. A concurrent duplicate (same provider id) is answered on a re-read;
    a turn that lost its conversation to another message of the same customer runs once more from scratch,
    on the state that message left, and if it loses again asks the customer to say it again (nothing stored,
    so Twilio's retry of it is a fresh turn)."""
    for attempt in range(2):
        try:
            with transaction(database_url) as session:
                return receive(session, inbound, now=now, payments=payments, understand=understand,
                               public_base_url=public_base_url, travel=travel, geocoder=geocoder)
        except (IntegrityError, ConversationChanged) as error:
            log.info("turn for %s re-run (attempt %s): %s", masked(inbound.from_address), attempt + 1,
                     type(error).__name__)
    with transaction(database_url) as session:
        first = queries.inbound_by_provider_id(session, provider_id=inbound.provider_id)
        if first is not None:
            return TurnResult([m.body for m in queries.replies_to(session, message_id=first.id)], duplicate=True)
    return TurnResult([SAY_AGAIN])


def receive(session: Session, inbound: Inbound, *, now: datetime, payments: PaymentGateway,
            understand: Callable[..., Parse] = parse, public_base_url: str = "",
            travel: TravelTimes | TravelMatrix | None = None, geocoder: Geocoder | None = None) -> TurnResult:
    """Handle one inbound text inside the caller's transaction and return the replies to send back.
    `public_base_url` (Settings.public_base_url): where the calendar links in confirmations point; "": none.
    `travel`, `geocoder` (bot/wiring.py): drive times and where addresses are; None: estimates, no geocoding."""
    channel, business_phone = split_address(inbound.to_address)
    _, phone = split_address(inbound.from_address)
    found = business_phone and phone and turn_rows.rows_for_text(session, channel=channel,
                                                                 business_phone=business_phone, phone=phone, now=now)
    if not found:
        log.warning("inbound text to unknown number %s from %s; ignored", inbound.to_address,
                    masked(inbound.from_address))
        return TurnResult([], handled=False)
    business, conversation = found.business, found.conversation
    message = queries.record_inbound(session, business_id=business.id, channel=channel.value, phone=phone,
                                     body=inbound.body[:1600], provider_id=inbound.provider_id, now=now)
    if message is None:
        # Twilio retries a webhook it thinks failed: answer exactly as the first time, do nothing twice.
        first = queries.inbound_by_provider_id(session, provider_id=inbound.provider_id)
        return TurnResult([m.body for m in queries.replies_to(session, message_id=first.id)], duplicate=True)

    if phone in business.owner_phones:
        # The owner's commands change the business's schedule ("off fri"): they get the ORM object, whose schedule
        # stamp a flush renews (turn_rows.py).
        business = session.get(Business, business.id)
        office = BackOffice(session, business, now, payments, public_base_url=public_base_url)
        # The owner's thread keeps its own state: "which request?" and "block it anyway?" wait for a reply.
        _claim(session, conversation)
        meaning = understand(inbound.body, now=now, tz=business.time_zone, day_parts=day_parts_of(business))
        turn = owner_flow.step(conversation.state if conversation.flow == "owner" else "", meaning,
                               dict(conversation.data), office, inbound.body)
        _save(conversation, turn, now)
        turn_rows.save_conversation(session, conversation)
        return _answered(session, business, message, turn)

    customer = turn_rows.stored_customer(session, found.customer, business_id=business.id, phone=phone)
    _claim(session, conversation)
    desk = FrontDesk(session, business, customer, channel, now, payments, public_base_url=public_base_url,
                     travel=travel, geocoder=geocoder)
    offered = [datetime.fromisoformat(s) for s in conversation.data.get("offered", [])]
    meaning = understand(inbound.body, now=now, tz=business.time_zone, services=[s.name for s in desk.services],
                         offered=offered, aliases={s.name: s.aliases for s in desk.services},
                         day_parts=day_parts_of(business))
    _follow_language(customer, conversation, meaning, inbound.body, desk)
    turn = _step(business, customer, conversation, Said(inbound.body, meaning, inbound.location), desk, inbound)
    conversation.last_inbound_at = now
    if turn is None:
        _count_turn(conversation)
    else:
        _save(conversation, turn, now)
    turn_rows.save_customer(session, customer)
    turn_rows.save_conversation(session, conversation)
    return _answered(session, business, message, turn or Turn([], conversation.state))


def _step(business: Business, customer: Customer, conversation: Conversation, said: Said, desk: FrontDesk,
          inbound: Inbound) -> Turn | None:
    """Compliance keywords first, then global intents, then the conversation's current flow step."""
    intent = said.parse.intent
    if intent is Intent.OPTOUT:
        customer.opted_out, customer.opted_out_at = True, desk.now
        return Turn([f"You're unsubscribed from {business.name} and won't get more texts. Reply START to "
                     f"subscribe again."], "", {})
    if intent is Intent.OPTIN:
        customer.opted_out, customer.opted_out_at = False, None
        return Turn([f"You're subscribed to {business.name} again. {help_flow.menu_text(desk)}"], "", {})
    if customer.opted_out:
        return None  # they asked us to stop: store the text, answer nothing
    if inbound.location is not None and conversation.state != "ask_address":
        # A pin outside the address question: keep it for the next booking, stay where we were.
        pin = inbound.location
        outside = desk.take_address(pin.address, pin.lat, pin.lng)
        text = (outside_area_text(outside, pin.address, desk.language, desk.contact) if outside is not None
                else phrase(desk.language, "pin_saved", address=pin.address))
        return Turn([text], conversation.state,
                    conversation.data)
    if not said.text.strip() and inbound.location is None and conversation.state != "ask_address":
        text = phrase(desk.language, "picture") if inbound.media_count else ""
        return Turn([text + help_flow.menu_text(desk)], conversation.state, conversation.data)
    in_flow = conversation.state not in ("", None)
    if intent in help_flow.HANDLED and not (in_flow and intent in (Intent.GREET, Intent.THANKS)):
        return Turn([help_flow.answer(said, desk)], conversation.state, conversation.data)
    name = conversation.flow if conversation.flow in CUSTOMER_FLOWS else DEFAULT_FLOW
    state = conversation.state
    takeover = interruption(said.parse)
    # "cancel my appointment" or "can I move it" starts its flow from anywhere, except that a new time
    # named while a booking is under way ("can I do friday instead") changes that booking.
    if takeover and takeover != name and not (name == DEFAULT_FLOW and in_flow and said.parse.windows):
        name, state = takeover, ""
    turn = CUSTOMER_FLOWS[name](state, said, dict(conversation.data), desk)
    turn.flow = turn.flow or name
    if not turn.replies:
        turn.replies = [unknown_text(desk.language)]
    return turn


def _follow_language(customer: Customer, conversation: Conversation, meaning: Parse, text: str,
                     desk: FrontDesk) -> None:
    """Answer in the language the customer writes (sticky; the rule is flows.phrases.reply_language)."""
    customer.language = reply_language(customer.language, getattr(meaning, "language", "en"), text,
                                       ignore=[n for s in desk.services for n in (s.name, *s.aliases)],
                                       free_text=conversation.state in FREE_TEXT_STEPS)


def _claim(session: Session, conversation: Conversation) -> None:
    """Optimistic locking of the conversation: move it past the version this turn loaded, or raise
    ConversationChanged when another turn got there first. Done before the turn decides anything, so on
    PostgreSQL a second message of the same customer waits on the row and then re-runs on the first one's
    result, instead of both answering from one state. Not on SQLite: there every transaction takes the write
    lock before it reads (BEGIN IMMEDIATE, bot/db/session.py), so no other turn can have saved the
    conversation since this one loaded it, and the claim could only succeed (one UPDATE a turn for nothing).
    The version still moves on once a turn: _save, or _count_turn when the turn changes nothing else.
    A conversation this turn started (no id yet) needs no claim either: a turn starting it at the same time
    fails on its unique key and runs again on this one's result."""
    if conversation.id is None or holds_the_write_lock(session):
        return
    if not queries.claim_conversation_version(session, conversation_id=conversation.id, loaded=conversation.version):
        raise ConversationChanged(f"conversation {conversation.id} moved past version {conversation.version}")


def _count_turn(conversation: Conversation) -> None:
    """A turn that answers nothing still counts in the version, as _save counts the others (on PostgreSQL the
    claim has already written the same number; on SQLite there is no claim)."""
    conversation.version += 1


def _save(conversation: Conversation, turn: Turn, now: datetime) -> None:
    conversation.flow = (turn.flow or conversation.flow or DEFAULT_FLOW) if turn.state else ""
    conversation.state = turn.state
    conversation.data = turn.data
    conversation.version += 1
    conversation.updated_at = now


def _answered(session: Session, business: Business, inbound: queries.Inbound, turn: Turn) -> TurnResult:
    replies = [r[:MAX_REPLY_CHARS] for r in turn.replies]
    queries.record_replies(session, inbound=inbound, bodies=replies, offers=[o.isoformat() for o in turn.offers])
    return TurnResult(replies, offers=list(turn.offers))


