"""The rows every text reads and writes: its business, its sender's customer row and their conversation.

They are read and written with Core statements into plain records, not as ORM objects. Every turn loads all
three and saves the conversation; as ORM objects that was about a quarter of a simple turn's time
(bench/turn_bench.py): building the objects, the identity map, and the unit of work working out at commit
what had changed. Now it is one SELECT for the business, one for the customer and conversation, and at the
end one UPDATE of the conversation and, when the turn changed the customer, one UPDATE of the columns it
changed.

What the records mean for other code in the same turn:
- The business is a read-only row. Code that changes business or schedule rows (an owner's turn) loads the
  ORM object instead (`session.get(Business, id)`), so the schedule stamp it renews is the one it reads.
- A customer changed by the turn is written back by `save_customer`, which the engine calls at the end of
  the turn, before its replies are stored. Code that loads the same customer as an ORM object in between
  (`session.get(Customer, id)`: a move or a cancellation reads the name and phone for the owner's text) sees
  the row as it was when the turn began. No such code reads what a customer's own turn changes (language,
  name, address, opt-out), and only the changed columns are written, so nothing such code changes is undone.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, and_, bindparam, insert, select, update
from sqlmodel import Session

from bot.db.tables import Business, Conversation, Customer
from bot.domain.phone import Channel

BUSINESS = Business.__table__
CUSTOMER = Customer.__table__
CONVERSATION = Conversation.__table__


@dataclass(eq=False, slots=True)
class CustomerRecord:
    """A customer row as a turn reads and changes it (the columns of bot.db.tables.Customer)."""

    id: int | None
    business_id: int
    phone: str
    name: str | None = None
    opted_out: bool = False
    opted_out_at: datetime | None = None
    address: str | None = None
    language: str = "en"
    no_show_count: int = 0
    payer_ref: str | None = None
    lat: float | None = None
    lng: float | None = None
    stored: tuple = field(default=(), repr=False)   # the column values as last read or written

    def values(self) -> tuple:
        return tuple(getattr(self, name) for name in CUSTOMER_COLUMNS)


@dataclass(eq=False, slots=True)
class ConversationRecord:
    """A conversation row as a turn reads and changes it (the columns of bot.db.tables.Conversation)."""

    id: int | None
    business_id: int
    phone: str
    channel: str
    flow: str = ""
    state: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    last_inbound_at: datetime | None = None
    updated_at: datetime | None = None


CUSTOMER_COLUMNS = tuple(f.name for f in fields(CustomerRecord) if f.name != "stored")
CONVERSATION_COLUMNS = tuple(f.name for f in fields(ConversationRecord))
# Statements every turn runs, built once (building a select() took about as long as running it).
_BUSINESS_BY_SMS = select(BUSINESS).where(BUSINESS.c.sms_phone == bindparam("phone"))
_BUSINESS_BY_WHATSAPP = select(BUSINESS).where(BUSINESS.c.whatsapp_phone == bindparam("phone"))
_THREAD_KEY = and_(CONVERSATION.c.business_id == bindparam("business_id"), CONVERSATION.c.phone == bindparam("phone"),
                   CONVERSATION.c.channel == bindparam("channel"))
_CUSTOMER_AND_CONVERSATION = (
    select(*(CUSTOMER.c[name] for name in CUSTOMER_COLUMNS), *(CONVERSATION.c[name] for name in CONVERSATION_COLUMNS))
    .select_from(CUSTOMER.outerjoin(CONVERSATION, (CONVERSATION.c.business_id == CUSTOMER.c.business_id)
                                    & (CONVERSATION.c.phone == CUSTOMER.c.phone)
                                    & (CONVERSATION.c.channel == bindparam("channel"))))
    .where(CUSTOMER.c.business_id == bindparam("business_id"), CUSTOMER.c.phone == bindparam("phone")))
_CONVERSATION = select(*(CONVERSATION.c[name] for name in CONVERSATION_COLUMNS)).where(_THREAD_KEY)
_INSERT_CUSTOMER = insert(CUSTOMER)
_INSERT_CONVERSATION = insert(CONVERSATION)
_SAVED_COLUMNS = ("flow", "state", "data", "version", "last_inbound_at", "updated_at")
_SAVE_CONVERSATION = (update(CONVERSATION).where(CONVERSATION.c.id == bindparam("conversation_id"))
                      .values({name: bindparam(f"new_{name}", type_=CONVERSATION.c[name].type)
                               for name in _SAVED_COLUMNS}))


def business_by_number(session: Session, *, channel: Channel, phone: str) -> Row | None:
    """The business texted on this number, as a read-only row (its attributes are Business's columns)."""
    statement = _BUSINESS_BY_WHATSAPP if channel is Channel.WHATSAPP else _BUSINESS_BY_SMS
    return session.connection().execute(statement, {"phone": phone}).first()


def customer_and_conversation(session: Session, *, business_id: int, phone: str, channel: Channel,
                              now: datetime) -> tuple[CustomerRecord, ConversationRecord]:
    """The customer with this phone and their conversation on this channel: one query for a returning
    customer. A first contact's customer is inserted at once (the turn may need its id: a hold, a waitlist
    entry); a new conversation gets an id only when save_conversation inserts it with the turn's result."""
    connection = session.connection()
    key = {"business_id": business_id, "phone": phone, "channel": channel.value}
    row = connection.execute(_CUSTOMER_AND_CONVERSATION, key).first()
    width = len(CUSTOMER_COLUMNS)
    if row is None:
        customer = CustomerRecord(None, business_id, phone)
        customer.id = connection.execute(_INSERT_CUSTOMER, _customer_values(customer)).inserted_primary_key[0]
    else:
        customer = CustomerRecord(*row[:width])
    customer.stored = customer.values()
    if row is not None and row[width] is not None:
        return customer, ConversationRecord(*row[width:])
    # The join cannot see a conversation kept without its customer row: ask for it alone.
    return customer, conversation(session, business_id=business_id, phone=phone, channel=channel, now=now)


def conversation(session: Session, *, business_id: int, phone: str, channel: Channel,
                 now: datetime) -> ConversationRecord:
    """The conversation with this phone on this channel; a new record (not yet stored) on first contact."""
    row = session.connection().execute(_CONVERSATION, {"business_id": business_id, "phone": phone,
                                                       "channel": channel.value}).first()
    if row is not None:
        return ConversationRecord(*row)
    return ConversationRecord(None, business_id, phone, channel.value, updated_at=now)


def save_customer(session: Session, customer: CustomerRecord) -> None:
    """Write the columns the turn changed, if any."""
    values = customer.values()
    changed = {name: value for name, value, before in zip(CUSTOMER_COLUMNS, values, customer.stored) if value != before}
    if changed:
        session.connection().execute(_update_customer(tuple(changed)), {
            "customer_id": customer.id, **{f"new_{name}": value for name, value in changed.items()}})
        customer.stored = values


@lru_cache(maxsize=64)
def _update_customer(names: tuple[str, ...]):
    """The UPDATE of these customer columns, built once per set of columns (a turn changes one or two)."""
    return (update(CUSTOMER).where(CUSTOMER.c.id == bindparam("customer_id"))
            .values({name: bindparam(f"new_{name}", type_=CUSTOMER.c[name].type) for name in names}))


def save_conversation(session: Session, conversation: ConversationRecord) -> None:
    """Store the conversation as the turn leaves it: an INSERT the first time, an UPDATE after that. A
    conversation started by another turn at the same time makes the INSERT fail on the unique key, and the
    engine runs this turn again on that one's result."""
    connection = session.connection()
    if conversation.id is None:
        values = {name: getattr(conversation, name) for name in CONVERSATION_COLUMNS if name != "id"}
        conversation.id = connection.execute(_INSERT_CONVERSATION, values).inserted_primary_key[0]
        return
    connection.execute(_SAVE_CONVERSATION, {"conversation_id": conversation.id,
                                            **{f"new_{name}": getattr(conversation, name) for name in _SAVED_COLUMNS}})


def _customer_values(customer: CustomerRecord) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CUSTOMER_COLUMNS if name != "id"}
