"""The process's queue for SQLite's one writer (bot/db/session.py) works the way FastAPI uses transactions."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from bot.db.session import transaction


def test_a_transaction_opened_in_one_thread_and_closed_in_another_frees_the_queue(db_url):
    """api/deps.get_session: FastAPI enters and leaves the transaction in two calls to its thread pool."""
    opened = transaction(db_url)
    with ThreadPoolExecutor(1) as first, ThreadPoolExecutor(1) as second:
        session = first.submit(opened.__enter__).result()
        session.connection().execute(text("update business set name = 'Shine Two'"))
        second.submit(opened.__exit__, None, None, None).result()   # raised "cannot release un-acquired lock"
    done = threading.Event()

    def next_writer():
        with transaction(db_url) as session:
            done.set()
            return session.connection().execute(text("select name from business")).scalar()

    with ThreadPoolExecutor(1) as third:
        assert third.submit(next_writer).result(timeout=5) == "Shine Two" and done.is_set()


def test_a_transaction_inside_another_in_the_same_thread_does_not_wait_for_itself(db_url):
    """SQLAlchemy begins at the first statement, so the outer one may not have SQLite's lock yet."""
    with transaction(db_url):
        with transaction(db_url) as inner:
            assert inner.connection().execute(text("select count(*) from business")).scalar() == 1


def test_writers_in_other_threads_wait_their_turn(db_url):
    order = []
    with transaction(db_url) as session:
        session.connection().execute(text("update business set name = 'first'"))
        waiting = ThreadPoolExecutor(1)
        later = waiting.submit(lambda: _rename(db_url, "second", order))
        assert not later.done()
        order.append("first")
    later.result(timeout=5)
    waiting.shutdown()
    assert order == ["first", "second"]


def _rename(url: str, name: str, order: list[str]) -> None:
    with transaction(url) as session:
        session.connection().execute(text("update business set name = :n"), {"n": name})
        order.append(name)


def test_a_transaction_on_the_event_loop_fails_at_once_instead_of_stopping_the_loop(db_url):
    """The writer may be a request whose transaction only the loop can end: waiting for it there never ends
    (the simulator's POST once did this, and its browser test timed out)."""
    import asyncio

    import pytest

    async def on_the_loop():
        with transaction(db_url):
            pass

    with pytest.raises(RuntimeError, match="event loop"):
        asyncio.run(on_the_loop())

    async def in_the_pool():
        return await asyncio.get_running_loop().run_in_executor(None, _count_businesses, db_url)

    assert asyncio.run(in_the_pool()) == 1


def _count_businesses(url: str) -> int:
    with transaction(url) as session:
        return session.connection().execute(text("select count(*) from business")).scalar()
