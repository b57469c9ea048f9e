"""The database engine: SQLite in WAL mode with a busy timeout, or PostgreSQL; one per URL."""

import asyncio
from collections.abc import Iterator
import threading
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from bot.db import schedule_stamp  # noqa: F401  (registers the listener that renews schedule stamps)
from bot.db import booking_revision  # noqa: F401  (registers the listener that counts calendar revisions)
from bot.db import calendar_mirror  # noqa: F401  (registers the listener that queues Google Calendar syncs)

SQLITE_BUSY_TIMEOUT_MS = 10_000  # writers queue behind each other instead of failing with "locked"


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """The engine for a database URL, created once per process."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let the dialect's begin (below) open transactions, instead of pysqlite's own deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode; a crash loses at most the last commit
        cursor.close()

    # Take the write lock at the start: a turn reads availability and then books, and the read must still be
    # true when the write lands. Deferred transactions would let two turns read the same free slot and then
    # fail (or worse) when both upgrade to writers. Done as this engine's dialect's begin (pysqlite's own does
    # nothing), at the moment a "begin" event would run: with any engine event listening, SQLAlchemy
    # dispatches its execute events around every statement: 0.7M instructions of a 12M-instruction turn.
    engine.dialect.do_begin = _begin_immediate
    return engine


def _begin_immediate(dbapi_connection) -> None:
    dbapi_connection.execute("BEGIN IMMEDIATE")


@lru_cache(maxsize=8)
def one_writer_at_a_time(url: str) -> bool:
    """Whether every transaction on this database takes its only write lock at the start (SQLite, BEGIN IMMEDIATE
    in engine_for): transactions then run one by one, and what one reads stays true until it commits."""
    return make_url(url).get_backend_name() == "sqlite"


def holds_the_write_lock(session: Session) -> bool:
    """one_writer_at_a_time for the database of a session inside `transaction`: nothing another transaction does
    can change what this one has read, so checks against concurrent writers (a version claim, a savepoint for a
    constraint that is not there) can be left out."""
    return session.get_bind().dialect.name == "sqlite"


class _WriterLock:
    """The process's queue for SQLite's one writer (see _writer_lock). Taken again by the thread that holds it
    (a transaction opened inside another: SQLAlchemy begins only at the first statement, so the outer one may not
    hold SQLite's lock yet), and released by whichever thread ends the transaction: a request's transaction
    (api/deps.get_session) is opened and closed by FastAPI in two calls to its thread pool, which may be two
    threads, and an RLock may only be released by the thread that took it ("cannot release un-acquired lock",
    seen in the simulator's browser test)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        if _on_an_event_loop():
            # The holder may be a request's transaction that only this loop can end (FastAPI leaves it in a
            # thread-pool call the loop schedules): waiting here would stop the loop and never end.
            raise RuntimeError("a SQLite transaction opened on the event loop's thread; run it in the thread pool")
        me = threading.get_ident()
        if self._holder == me:   # nested in the thread that holds it
            yield
            return
        with self._lock:
            self._holder = me
            try:
                yield
            finally:
                self._holder = None


def _on_an_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@lru_cache(maxsize=8)
def _writer_lock(url: str) -> "_WriterLock | None":
    """SQLite has one writer at a time and every transaction takes the write lock (BEGIN IMMEDIATE).
    Threads that wait in SQLite's busy handler sleep in growing steps (up to 100 ms) and wake in no order,
    which measured as a 3.4 s p99 turn with 32 customers at once (bench/turn_bench.py); queueing them on a
    lock in this process hands the database over the moment it is free. Other processes still wait in
    the busy handler."""
    return _WriterLock() if one_writer_at_a_time(url) else None


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on an exception."""
    lock = _writer_lock(url)
    with lock.held() if lock is not None else nullcontext():
        with Session(engine_for(url), expire_on_commit=False) as session:
            with session.begin():
                yield session
