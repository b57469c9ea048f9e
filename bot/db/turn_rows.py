"""The rows every text reads and writes: its business, its sender's customer row and their conversation.

They are read and written with Core statements, run straight on the driver's connection (bot/db/prepared.py),
into plain records, not as ORM objects. Every turn loads all
three and saves the conversation; as ORM objects that was about a quarter of a simple turn's time
(bench/turn_bench.py): building the objects, the identity map, and the unit of work working out at commit
what had changed. Now it is one SELECT of the business's id and schedule stamp, the customer and the
conversation (the business row itself is kept under its stamp), and at the end one UPDATE of the conversation
and, when the turn changed the customer, one UPDATE of the columns it changed.

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

from sqlalchemy import Row, Select, bindparam, select
from sqlmodel import Session

from bot.db.prepared import Prepared, insert_of, update_by_id
from bot.db.schedule_stamp import KeptUnderStamp
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
# The business row, kept per process under its schedule stamp, which every change to the row renews
# (bot/db/schedule_stamp.py): so a turn reads only the business's id and stamp, in the query that reads the
# customer and conversation. Its JSON values (owner phones, day parts, ...) are shared: never change them.
_businesses: KeptUnderStamp[Row] = KeptUnderStamp()


def _rows_of_text(number_column) -> Select:
    """The business texted on a number (its id and stamp), with the sender's customer row and their conversation
    on this channel when they have them: one query for every text. The conversation joins the business, not
    the customer, so a conversation kept without its customer row is found too."""
    return (select(BUSINESS.c.id, BUSINESS.c.schedule_stamp, *(CUSTOMER.c[name] for name in CUSTOMER_COLUMNS),
                   *(CONVERSATION.c[name] for name in CONVERSATION_COLUMNS))
            .select_from(BUSINESS
                         .outerjoin(CUSTOMER, (CUSTOMER.c.business_id == BUSINESS.c.id)
                                    & (CUSTOMER.c.phone == bindparam("phone")))
                         .outerjoin(CONVERSATION, (CONVERSATION.c.business_id == BUSINESS.c.id)
                                    & (CONVERSATION.c.phone == bindparam("phone"))
                                    & (CONVERSATION.c.channel == bindparam("channel"))))
            .where(number_column == bindparam("number")))


# Every text runs these, straight on the driver's connection (bot/db/prepared.py).
_ROWS_OF_SMS = Prepared(_rows_of_text(BUSINESS.c.sms_phone))
_ROWS_OF_WHATSAPP = Prepared(_rows_of_text(BUSINESS.c.whatsapp_phone))
_BUSINESS = select(BUSINESS).where(BUSINESS.c.id == bindparam("business_id"))
_INSERT_CUSTOMER = Prepared(insert_of(CUSTOMER, CUSTOMER_COLUMNS[1:]).returning(CUSTOMER.c.id))
_INSERT_CONVERSATION = Prepared(insert_of(CONVERSATION, CONVERSATION_COLUMNS[1:]).returning(CONVERSATION.c.id))
_SAVED_COLUMNS = ("flow", "state", "data", "version", "last_inbound_at", "updated_at")
_SAVE_CONVERSATION = Prepared(update_by_id(CONVERSATION, _SAVED_COLUMNS, id_parameter="conversation_id"))


@dataclass(frozen=True)
class TextRows:
    """What a text to a business reads before anything else."""

    business: Row                       # read-only: its attributes are Business's columns
    customer: CustomerRecord | None     # None: the sender has no customer row yet (stored_customer makes it)
    conversation: ConversationRecord    # id None: a new conversation, stored by save_conversation


def rows_for_text(session: Session, *, channel: Channel, business_phone: str, phone: str,
                  now: datetime) -> TextRows | None:
    """The business texted on `business_phone`, and the sender's customer row and conversation; None when no
    business has that number."""
    statement = _ROWS_OF_WHATSAPP if channel is Channel.WHATSAPP else _ROWS_OF_SMS
    row = statement.first(session, {"number": business_phone, "phone": phone, "channel": channel.value})
    if row is None:
        return None
    business_id, stamp = row[0], row[1]
    customer_end = 2 + len(CUSTOMER_COLUMNS)
    customer = CustomerRecord(*row[2:customer_end]) if row[2] is not None else None
    if customer is not None:
        customer.stored = customer.values()
    conversation = (ConversationRecord(*row[customer_end:]) if row[customer_end] is not None
                    else ConversationRecord(None, business_id, phone, channel.value, updated_at=now))
    return TextRows(_business(session, business_id, stamp), customer, conversation)


def _business(session: Session, business_id: int, stamp: str) -> Row:
    key = _businesses.key(session, business_id, stamp)
    business = _businesses.get(key)
    if business is None:
        business = _businesses.keep(key, session.connection().execute(_BUSINESS, {"business_id": business_id}).one())
    return business


def stored_customer(session: Session, customer: CustomerRecord | None, *, business_id: int,
                    phone: str) -> CustomerRecord:
    """The sender's customer record; on first contact a new row, inserted at once (the turn may need its id:
    a hold, a waitlist entry)."""
    if customer is not None:
        return customer
    customer = CustomerRecord(None, business_id, phone)
    customer.id = _INSERT_CUSTOMER.scalar(session, _customer_values(customer))
    customer.stored = customer.values()
    return customer


def save_customer(session: Session, customer: CustomerRecord) -> None:
    """Write the columns the turn changed, if any."""
    values = customer.values()
    changed = {name: value for name, value, before in zip(CUSTOMER_COLUMNS, values, customer.stored) if value != before}
    if changed:
        _update_customer(tuple(changed)).run(session, {
            "customer_id": customer.id, **{f"new_{name}": value for name, value in changed.items()}})
        customer.stored = values


@lru_cache(maxsize=64)
def _update_customer(names: tuple[str, ...]) -> Prepared:
    """The UPDATE of these customer columns, built once per set of columns (a turn changes one or two)."""
    return Prepared(update_by_id(CUSTOMER, names, id_parameter="customer_id"))


def save_conversation(session: Session, conversation: ConversationRecord) -> None:
    """Store the conversation as the turn leaves it: an INSERT the first time, an UPDATE after that. A
    conversation started by another turn at the same time makes the INSERT fail on the unique key, and the
    engine runs this turn again on that one's result."""
    if conversation.id is None:
        values = {name: getattr(conversation, name) for name in CONVERSATION_COLUMNS if name != "id"}
        conversation.id = _INSERT_CONVERSATION.scalar(session, values)
        return
    _SAVE_CONVERSATION.run(session, {"conversation_id": conversation.id,
                                     **{f"new_{name}": getattr(conversation, name) for name in _SAVED_COLUMNS}})


def _customer_values(customer: CustomerRecord) -> dict[str, Any]:
    return {name: getattr(customer, name) for name in CUSTOMER_COLUMNS if name != "id"}
