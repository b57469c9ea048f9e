"""A turn's own rows as plain records (bot/db/turn_rows.py) read and write what the ORM objects did."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.db import turn_rows
from bot.db.schedule_stamp import crew_of
from bot.db.session import transaction
from bot.db.tables import Business, CalendarLink, Conversation, Customer
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


def _rows(session, phone: str = NEW, channel: Channel = Channel.SMS) -> turn_rows.TextRows:
    return turn_rows.rows_for_text(session, channel=channel, business_phone="+15550001111", phone=phone, now=NOW)


def test_the_business_row_reads_as_the_business_and_follows_its_changes(db_url):
    with transaction(db_url) as session:
        orm = session.exec(select(Business)).first()
        row = _rows(session).business
        for name in Business.__table__.columns.keys():
            assert getattr(row, name) == getattr(orm, name), name
        assert _rows(session, channel=Channel.WHATSAPP).business.id == orm.id
        assert turn_rows.rows_for_text(session, channel=Channel.SMS, business_phone="+15559990000", phone=NEW,
                                       now=NOW) is None
    # The row is kept under the business's stamp, which any change to the row through the ORM renews.
    with transaction(db_url) as session:
        session.exec(select(Business)).first().requires_approval = True
    with transaction(db_url) as session:
        assert _rows(session).business.requires_approval is True
        assert _rows(session).business.schedule_stamp != orm.schedule_stamp


def test_adding_or_removing_a_calendar_link_renews_the_stamp_the_crew_tells_links_by(db_url):
    def crew():
        with transaction(db_url) as session:
            business = session.exec(select(Business)).first()
            return business.schedule_stamp, crew_of(session, business, since=NOW)

    stamp, before = crew()
    assert before.has_calendar_links is False
    with transaction(db_url) as session:
        session.add(CalendarLink(business_id=_business_id(db_url), calendar_id="primary", auth_kind="oauth",
                                 created_at=NOW))
    linked_stamp, linked = crew()
    assert linked_stamp != stamp and linked.has_calendar_links is True
    with transaction(db_url) as session:   # Google's answers change the link, not the stamp
        session.exec(select(CalendarLink)).one().fetched_at = NOW
    assert crew()[0] == linked_stamp
    with transaction(db_url) as session:
        session.delete(session.exec(select(CalendarLink)).one())
    unlinked_stamp, unlinked = crew()
    assert unlinked_stamp != linked_stamp and unlinked.has_calendar_links is False


def test_first_contact_stores_the_customer_and_the_conversation_with_the_turns_result(db_url):
    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        found = _rows(session, channel=Channel.WHATSAPP)
        assert found.customer is None and found.conversation.id is None and found.conversation.updated_at == NOW
        customer = turn_rows.stored_customer(session, found.customer, business_id=business_id, phone=NEW)
        assert customer.id is not None
        conversation = found.conversation
        conversation.flow, conversation.state, conversation.data = "booking", "ask_time", {"service": "Full Detail"}
        conversation.version += 1
        turn_rows.save_conversation(session, conversation)
    with transaction(db_url) as session:
        stored = session.exec(select(Conversation).where(Conversation.phone == NEW)).one()
        assert (stored.id, stored.channel, stored.flow, stored.state, stored.data, stored.version, stored.updated_at) == \
            (conversation.id, "whatsapp", "booking", "ask_time", {"service": "Full Detail"}, 1, NOW)
        again = _rows(session, channel=Channel.WHATSAPP)
        assert again.customer.id == customer.id and again.conversation.id == conversation.id
        assert again.conversation.data == {"service": "Full Detail"}
        # The same phone on the other channel is another conversation, not yet stored.
        sms = _rows(session).conversation
        assert sms.id is None and sms.channel == "sms"


def test_save_customer_writes_only_what_the_turn_changed(db_url):
    """Code in the same turn that changed the customer as an ORM object (another column) keeps its change."""
    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        customer = turn_rows.stored_customer(session, None, business_id=business_id, phone=NEW)
        orm = session.get(Customer, customer.id)
        orm.no_show_count = 2
        session.flush()
        customer.language, customer.name = "es", "Dana"
        turn_rows.save_customer(session, customer)
        turn_rows.save_customer(session, customer)   # nothing changed since: no statement
    with transaction(db_url) as session:
        stored = session.get(Customer, customer.id)
        assert (stored.language, stored.name, stored.no_show_count) == ("es", "Dana", 2)
        assert _rows(session).customer.values() == tuple(getattr(stored, n) for n in turn_rows.CUSTOMER_COLUMNS)


def test_a_conversation_kept_without_its_customer_row_is_found(db_url):
    business_id = _business_id(db_url)
    with transaction(db_url) as session:
        session.add(Conversation(business_id=business_id, phone=NEW, channel="sms", flow="booking", state="pick",
                                 data={"offered": []}, version=4, updated_at=NOW - timedelta(hours=1)))
    with transaction(db_url) as session:
        found = _rows(session)
        conversation = found.conversation
        assert found.customer is None
        assert (conversation.state, conversation.version, conversation.updated_at) == ("pick", 4, NOW - timedelta(hours=1))
        conversation.state, conversation.version, conversation.last_inbound_at = "name", 5, NOW
        turn_rows.save_conversation(session, conversation)
    with transaction(db_url) as session:
        stored = session.get(Conversation, conversation.id)
        assert (stored.state, stored.version, stored.last_inbound_at) == ("name", 5, NOW)


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WHATSAPP])
def test_a_second_first_contact_on_one_thread_fails_on_the_unique_key(db_url, channel):
    """The engine re-runs a turn whose new conversation another turn stored first (IntegrityError)."""
    with transaction(db_url) as session:
        first, second = _rows(session, channel=channel).conversation, _rows(session, channel=channel).conversation
        turn_rows.save_conversation(session, first)
        with pytest.raises(IntegrityError):
            with session.begin_nested():
                turn_rows.save_conversation(session, second)
