"""A turn's own rows as plain records (bot/db/turn_rows.py) read and write what the ORM objects did."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.db import turn_rows
from bot.db.session import transaction
from bot.db.tables import Business, Conversation, Customer
from bot.domain.phone import Channel

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NEW = "+15550109999"


def _business_id(url: str) -> int:
    with transaction(url) as session:
        return session.exec(select(Business.id)).first()


def test_the_records_have_exactly_the_columns_of_their_tables():
    assert set(turn_rows.CUSTOMER_COLUMNS) == set(Customer.__table__.columns.keys())
    assert set(turn_rows.CONVERSATION_COLUMNS) == set(Conversation.__table__.columns.keys())
    # A new record's defaults are the table model's: a first contact stores what Customer(...) stored.
    orm = Customer(business_id=1, phone=NEW)
    record = turn_rows.CustomerRecord(None, 1, NEW)
    assert {name: getattr(record, name) for name in turn_rows.CUSTOMER_COLUMNS} == \
        {name: getattr(orm, name) for name in turn_rows.CUSTOMER_COLUMNS}
    assert [f.name for f in fields(turn_rows.ConversationRecord)] == list(turn_rows.CONVERSATION_COLUMNS)


def test_business_row_reads_as_the_business(db_url):
    with transaction(db_url) as session:
        orm = session.exec(select(Business)).first()
        row = turn_rows.business_by_number(session, channel=Channel.SMS, phone=orm.sms_phone)
        for name in Business.__table__.columns.keys():
            assert getattr(row, name) == getattr(orm, name), name
        assert turn_rows.business_by_number(session, channel=Channel.WHATSAPP, phone=orm.whatsapp_phone).id == orm.id
        assert turn_rows.business_by_number(session, channel=Channel.SMS, phone="+15559990000") is None


def test_first_contact_stores_the_customer_and_the_conversation_with_the_turns_result(db_url):
    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        customer, conversation = turn_rows.customer_and_conversation(
            session, business_id=business_id, phone=NEW, channel=Channel.WHATSAPP, now=NOW)
        assert customer.id is not None and conversation.id is None
        conversation.flow, conversation.state, conversation.data = "booking", "ask_time", {"service": "Full Detail"}
        conversation.version += 1
        turn_rows.save_conversation(session, conversation)
    with transaction(db_url) as session:
        stored = session.exec(select(Conversation).where(Conversation.phone == NEW)).one()
        assert (stored.id, stored.channel, stored.flow, stored.state, stored.data, stored.version, stored.updated_at) == \
            (conversation.id, "whatsapp", "booking", "ask_time", {"service": "Full Detail"}, 1, NOW)
        again, thread = turn_rows.customer_and_conversation(session, business_id=business_id, phone=NEW,
                                                            channel=Channel.WHATSAPP, now=NOW)
        assert again.id == customer.id and thread.id == conversation.id and thread.data == {"service": "Full Detail"}
        # The same phone on the other channel is another conversation, not yet stored.
        _, sms = turn_rows.customer_and_conversation(session, business_id=business_id, phone=NEW, channel=Channel.SMS,
                                                     now=NOW)
        assert sms.id is None and sms.channel == "sms"


def test_save_customer_writes_only_what_the_turn_changed(db_url):
    """Code in the same turn that changed the customer as an ORM object (another column) keeps its change."""
    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        customer, _ = turn_rows.customer_and_conversation(session, business_id=business_id, phone=NEW,
                                                          channel=Channel.SMS, now=NOW)
        orm = session.get(Customer, customer.id)
        orm.no_show_count = 2
        session.flush()
        customer.language, customer.name = "es", "Dana"
        turn_rows.save_customer(session, customer)
        turn_rows.save_customer(session, customer)   # nothing changed since: no statement
    with transaction(db_url) as session:
        stored = session.get(Customer, customer.id)
        assert (stored.language, stored.name, stored.no_show_count) == ("es", "Dana", 2)


def test_a_conversation_kept_without_its_customer_row_is_found(db_url):
    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        session.add(Conversation(business_id=business_id, phone=NEW, channel="sms", flow="booking", state="pick",
                                 data={"offered": []}, version=4, updated_at=NOW - timedelta(hours=1)))
    with transaction(db_url) as session:
        customer, conversation = turn_rows.customer_and_conversation(session, business_id=business_id, phone=NEW,
                                                                     channel=Channel.SMS, now=NOW)
        assert customer.id is not None
        assert (conversation.state, conversation.version, conversation.updated_at) == ("pick", 4, NOW - timedelta(hours=1))
        conversation.state, conversation.version, conversation.last_inbound_at = "name", 5, NOW
        turn_rows.save_conversation(session, conversation)
    with transaction(db_url) as session:
        stored = session.get(Conversation, conversation.id)
        assert (stored.state, stored.version, stored.last_inbound_at) == ("name", 5, NOW)


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WHATSAPP])
def test_a_second_first_contact_on_one_thread_fails_on_the_unique_key(db_url, channel):
    """The engine re-runs a turn whose new conversation another turn stored first (IntegrityError)."""
    from sqlalchemy.exc import IntegrityError

    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        _, first = turn_rows.customer_and_conversation(session, business_id=business_id, phone=NEW, channel=channel,
                                                       now=NOW)
        _, second = turn_rows.customer_and_conversation(session, business_id=business_id, phone=NEW, channel=channel,
                                                        now=NOW)
        turn_rows.save_conversation(session, first)
        with pytest.raises(IntegrityError):
            with session.begin_nested():
                turn_rows.save_conversation(session, second)
