"""Statements run straight on the driver (bot/db/prepared.py) store and read exactly what Core does, on SQLite
and PostgreSQL: the same type processing of every parameter and column, fixed IN lists, RETURNING, and the
same SQLAlchemy exceptions."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.db.prepared import Prepared, insert_of
from bot.db.seed import prepare
from bot.db.session import transaction
from bot.db.tables import Conversation, Customer, Message

NOW = datetime(2026, 3, 10, 15, 0, 30, 123456, tzinfo=UTC)
MESSAGE = Message.__table__
CONVERSATION = Conversation.__table__
CUSTOMER = Customer.__table__
COLUMNS = ("business_id", "direction", "channel", "phone", "body", "status", "offers", "created_at", "attempts")
INSERT = Prepared(insert_of(MESSAGE, COLUMNS).returning(MESSAGE.c.id))
# A fixed IN list and an OR of them, as the bookings query has, next to bound parameters.
READ = Prepared(select(MESSAGE).where(MESSAGE.c.phone == bindparam("phone"),
                                      or_(MESSAGE.c.status.in_(["replied", "received"]),
                                          MESSAGE.c.created_at > bindparam("after")))
                .order_by(MESSAGE.c.id))


def _message(phone: str, **changes) -> dict:
    return {"business_id": 1, "direction": "in", "channel": "sms", "phone": phone, "body": "hola ñandú 🚗",
            "status": "replied", "offers": [NOW.isoformat(), "x"], "created_at": NOW, "attempts": 0, **changes}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, db_url):
    if request.param == "sqlite":
        return db_url
    pg = request.getfixturevalue("postgres_url")
    prepare(pg)
    return pg


def test_rows_read_back_as_core_reads_them(url):
    with transaction(url) as session:
        ids = [INSERT.scalar(session, _message("+15550101000")),
               INSERT.scalar(session, _message("+15550101000", status="queued", created_at=NOW + timedelta(days=1)))]
        INSERT.scalar(session, _message("+15550101000", status="queued"))   # matches neither condition
        core = [tuple(row) for row in session.connection().execute(READ.statement, {"phone": "+15550101000",
                                                                                   "after": NOW})]
        prepared = READ.rows(session, {"phone": "+15550101000", "after": NOW})
        assert prepared == core
        assert [row[0] for row in prepared] == ids
        first = prepared[0]
        assert first[MESSAGE.c.keys().index("created_at")] == NOW            # aware UTC, microseconds kept
        assert first[MESSAGE.c.keys().index("offers")] == [NOW.isoformat(), "x"]
        assert READ.first(session, {"phone": "+15550101000", "after": NOW}) == core[0]
        assert READ.first(session, {"phone": "+15550109999", "after": NOW}) is None
        session.rollback()


def test_updates_count_their_rows_and_many_rows_go_in_at_once(url):
    with transaction(url) as session:
        Prepared(insert_of(MESSAGE, COLUMNS)).run_many(session, [_message("+15550102000", body=str(n))
                                                                 for n in range(3)])
        mark = Prepared(update(MESSAGE).where(MESSAGE.c.phone == bindparam("who")).values(status="received"))
        assert mark.run(session, {"who": "+15550102000"}) == 3
        assert mark.run(session, {"who": "+15550109999"}) == 0
        stored = session.connection().execute(select(MESSAGE.c.body, MESSAGE.c.status)
                                              .where(MESSAGE.c.phone == "+15550102000")
                                              .order_by(MESSAGE.c.id)).all()
        assert [tuple(row) for row in stored] == [("0", "received"), ("1", "received"), ("2", "received")]
        session.rollback()


def test_json_booleans_and_none_are_stored_as_core_stores_them(url):
    columns = ("business_id", "phone", "channel", "flow", "state", "data", "version", "last_inbound_at",
               "updated_at")
    insert_conversation = Prepared(insert_of(CONVERSATION, columns).returning(CONVERSATION.c.id))
    data = {"offered": [NOW.isoformat()], "nested": {"n": 1, "ok": True, "none": None}, "text": "¿mañana?"}
    with transaction(url) as session:
        conversation_id = insert_conversation.scalar(session, {
            "business_id": 1, "phone": "+15550103000", "channel": "whatsapp", "flow": "booking", "state": "ask",
            "data": data, "version": 3, "last_inbound_at": None, "updated_at": NOW})
        row = session.connection().execute(select(CONVERSATION).where(CONVERSATION.c.id == conversation_id)).one()
        assert (row.data, row.version, row.last_inbound_at, row.updated_at) == (data, 3, None, NOW)
        customer_id = Prepared(insert_of(CUSTOMER, ("business_id", "phone", "opted_out", "language", "no_show_count"))
                               .returning(CUSTOMER.c.id)).scalar(session, {
            "business_id": 1, "phone": "+15550103000", "opted_out": True, "language": "es", "no_show_count": 0})
        read = Prepared(select(CUSTOMER.c.opted_out, CUSTOMER.c.opted_out_at).where(CUSTOMER.c.id == bindparam("id")))
        assert read.first(session, {"id": customer_id}) == (True, None)
        session.rollback()


def test_the_drivers_errors_are_sqlalchemys(url):
    with transaction(url) as session:
        INSERT.scalar(session, _message("+15550104000"))
        provider = Prepared(insert_of(MESSAGE, (*COLUMNS, "provider_id")).returning(MESSAGE.c.id))
        provider.scalar(session, {**_message("+15550104000"), "provider_id": "SM-once"})
        with pytest.raises(IntegrityError):
            with session.begin_nested():
                provider.scalar(session, {**_message("+15550104000"), "provider_id": "SM-once"})
        # The transaction goes on after the failed statement, as it does after Core's.
        assert INSERT.scalar(session, _message("+15550104000")) is not None
        session.rollback()


def test_a_missing_parameter_is_an_error_not_a_null(url):
    with pytest.raises(KeyError, match="phone"):
        with transaction(url) as session:
            INSERT.scalar(session, {key: value for key, value in _message("+15550105000").items() if key != "phone"})
