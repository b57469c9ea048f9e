"""Concurrent dispatchers on PostgreSQL take disjoint due rows (FOR UPDATE SKIP LOCKED) and never wait."""

from datetime import UTC, datetime

from sqlmodel import Session

from bot.db.queries import claim_due_work, claim_queued_messages
from bot.db.seed import prepare
from bot.db.session import engine_for
from tests.support.due_reminders import seed_due_reminders


def test_two_open_claims_get_different_rows(postgres_url):
    prepare(postgres_url)
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    seed_due_reminders(postgres_url, 10, now=now)
    engine = engine_for(postgres_url)
    with Session(engine) as first, Session(engine) as second:
        with first.begin(), second.begin():
            mine = {row.id for row in claim_due_work(first, now=now, limit=6)}
            theirs = {row.id for row in claim_due_work(second, now=now, limit=6)}  # does not block on mine
            assert len(mine) == 6 and len(theirs) == 4 and not mine & theirs
            assert claim_queued_messages(second, now=now, limit=10) == []
