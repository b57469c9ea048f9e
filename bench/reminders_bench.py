"""100,000 due reminders through a real Celery worker to a local messaging stand-in: reminders per second
and duplicates (must be 0). Target: at least 1,000 per second.

Needs PostgreSQL and Redis on loopback (TEST_POSTGRES_URL, TEST_REDIS_URL override them). It makes a
fresh database, seeds the demo business and N confirmed bookings each with a reminder due now, starts
one worker (prefork, --workers processes), sends one due.dispatch per process (as beat ticks would),
and times from the first task until the stand-in has counted every reminder.

    python bench/reminders_bench.py [--count 100000] [--workers 2]
"""

import argparse
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.db.seed import prepare  # noqa: E402
from bot.db.session import engine_for, transaction  # noqa: E402
from tasks.worker import create_celery  # noqa: E402
from tests.support.due_reminders import seed_due_reminders  # noqa: E402
from tests.support.recording import RecordedMessages  # noqa: E402
from tests.support.workers import celery_env, start_worker, stop  # noqa: E402

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


def main() -> None:
    import os

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (--concurrency)")
    args = parser.parse_args()
    base = os.environ.get("TEST_POSTGRES_URL", POSTGRES)
    redis_url = os.environ.get("TEST_REDIS_URL", REDIS)
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = engine_for(base)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    recorder = RecordedMessages(redis_url, name)
    worker = None
    try:
        prepare(url)
        started = time.monotonic()
        seed_due_reminders(url, args.count)
        print(f"seeded {args.count:,} due reminders in {time.monotonic() - started:.1f} s")
        settings = dict(database_url=url, redis_url=redis_url, celery_queue=name)
        client = create_celery(Settings(**settings, _env_file=None))
        worker = start_worker(celery_env(**settings, recording_prefix=name), "bench", concurrency=args.workers)
        started = time.monotonic()
        for _ in range(args.workers):
            client.send_task("due.dispatch")
        last, last_at, dispatched_in = 0, started, None
        while True:
            sent = recorder.redis.hlen(f"{name}:count")
            if sent >= args.count:
                break
            if dispatched_in is None and int(time.monotonic() * 20) % 20 == 0:
                with transaction(url) as session:
                    if not session.connection().execute(text(
                            "select exists (select 1 from due_work where done_at is null)")).scalar():
                        dispatched_in = time.monotonic() - started
            if sent != last:
                last, last_at = sent, time.monotonic()
            elif time.monotonic() - last_at > 60:
                raise SystemExit(f"stalled at {sent:,} reminders")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        time.sleep(2)  # anything sent twice would show up now
        counts = recorder.counts()
        duplicates = sum(c - 1 for c in counts.values())
        with transaction(url) as session:
            recorded = session.connection().execute(text(
                "select count(*) from message where kind = 'reminder' and status = 'sent'")).scalar()
        print(f"{len(counts):,} reminders in {elapsed:.1f} s: {len(counts) / elapsed:,.0f} reminders/s "
              f"({args.workers} worker processes); duplicates: {duplicates}; recorded as sent: {recorded:,}")
        if dispatched_in is not None:
            print(f"(all due rows claimed and queued after {dispatched_in:.1f} s; the rest is sending)")
    finally:
        if worker is not None:
            stop(worker)
        for key in recorder.redis.scan_iter(match=f"*{name}*"):  # the recording, our queue, kombu's bindings
            recorder.redis.delete(key)
        engine_for(url).dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
