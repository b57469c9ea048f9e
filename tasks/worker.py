"""Celery, the production runner of due work and the outbox (Redis is the broker and result backend).

    celery -A tasks.worker worker --concurrency 4      # runs the tasks
    celery -A tasks.worker beat                          # enqueues them on a schedule

The tasks are thin: each calls a function in `bot/` that `bot demo` also runs on its in-process loop
(tasks/local_loop.py). They take no ORM objects and keep no state: the database is the source of
truth. A due row is claimed with FOR UPDATE SKIP LOCKED and marked done in the transaction that acts
on it; an outbox row is claimed, sent with its idempotency key, then recorded (bot/outbox.py). So a
task may run twice, late, or concurrently with itself (two beats, a redelivered message) and nothing
is done twice; and a task that dies loses nothing, because the next beat tick finds the rows still
due. No task is scheduled with an ETA or countdown: anything with a deadline is a `due_work` row.

Reliability settings, on purpose:
- task_acks_late: a task's message is acknowledged when it finishes, not when it starts, so a worker
  that dies mid-task leaves the message in Redis to be delivered again.
- task_reject_on_worker_lost: when the process running a task is killed (SIGKILL, out of memory),
  the message goes back to the queue instead of being recorded as failed. Safe only because every
  task is idempotent (see above).
- worker_prefetch_multiplier = 1: a worker process reserves one message at a time. The senders are
  slow (a network call per text, paced per number) and long prefetch would park messages behind a
  busy process while another sits idle, and strand them there if that worker dies.
- visibility_timeout (Redis transport): an unacknowledged message is handed to another worker after
  this long. It must exceed the longest task run, or a slow task would be run twice at once: every
  task has a hard time limit well below it.
- beat messages expire after one interval: if the workers are down for an hour, they come back to one
  dispatch, not sixty queued copies of it.
- task_ignore_result: nothing waits for these results; the backend is there for `celery inspect` and
  ad-hoc calls.
"""

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from celery import Celery
from celery.signals import worker_process_init

from bot.calendar_sync import refresh_busy, sync_calendars
from bot.config import Settings, get_settings
from bot.db.session import transaction
from bot.duework import BATCH as DUE_BATCH
from bot.duework import run_due_work
from bot.outbox import BATCH as OUTBOX_BATCH
from bot.outbox import deliver, settle_stale
from bot.wiring import Adapters, adapters_from

log = logging.getLogger(__name__)

VISIBILITY_TIMEOUT = 600         # seconds; above every hard time limit below
DISPATCH_TIME_LIMIT = 300
DISPATCH_BUDGET = 45.0           # then hand the rest to a fresh task (other workers can take it)
SEND_WINDOW = 20.0               # seconds of sending one outbox batch may take at the pacing rate
CALENDAR_TIME_LIMIT = 240        # a Google call times out after 10 s; below the sync lease (5 min)
SYNC_BUDGET = 120.0              # calendar syncs left then wait for the next beat tick


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_celery(settings: Settings | None = None,
                  adapters_factory: Callable[[Settings], Adapters] = adapters_from) -> Celery:
    """The Celery app: configuration, the beat schedule and the tasks, for these settings."""
    settings = settings or get_settings()
    app = Celery("booking_bot", broker=settings.redis_url, backend=settings.redis_url)
    claim_seconds = settings.outbox_claim_seconds
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        task_ignore_result=True,
        result_expires=3600,
        task_default_queue=settings.celery_queue,
        task_serializer="json", accept_content=["json"], result_serializer="json",
        broker_connection_retry_on_startup=True,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        timezone="UTC", enable_utc=True,
        beat_schedule={
            "due-work": {"task": "due.dispatch", "schedule": settings.dispatch_every_seconds,
                         "options": {"expires": settings.dispatch_every_seconds}},
            "outbox-sweep": {"task": "outbox.deliver", "schedule": settings.outbox_sweep_seconds,
                             "options": {"expires": settings.outbox_sweep_seconds}},
            "outbox-settle": {"task": "outbox.settle", "schedule": float(claim_seconds),
                              "options": {"expires": float(claim_seconds)}},
            # Google Calendar: busy times older than the TTL read again; booking changes written to it.
            "calendar-refresh": {"task": "calendar.refresh", "schedule": settings.calendar_refresh_seconds,
                                 "options": {"expires": settings.calendar_refresh_seconds}},
            "calendar-sync": {"task": "calendar.sync", "schedule": settings.dispatch_every_seconds,
                              "options": {"expires": settings.dispatch_every_seconds}},
        },
    )
    adapters: dict[int, Adapters] = {}

    def current() -> Adapters:
        # Per process, after the fork: HTTP sessions and Redis connections must not be shared.
        pid = os.getpid()
        if pid not in adapters:
            adapters[pid] = adapters_factory(settings)
        return adapters[pid]

    worker_process_init.connect(lambda **_: adapters.clear(), weak=False)
    # A sender batch is what one task can send within SEND_WINDOW at the pacing rate (Twilio numbers
    # take ~1 text/s); the hard limit then stops a stuck sender long before its claim is settled.
    paced = bool(settings.twilio_account_sid)
    send_batch = (max(1, min(OUTBOX_BATCH, int(settings.twilio_sends_per_second * SEND_WINDOW))) if paced
                  else OUTBOX_BATCH)
    send_limit = max(2, claim_seconds // 2)

    @app.task(name="due.dispatch", time_limit=DISPATCH_TIME_LIMIT, soft_time_limit=DISPATCH_TIME_LIMIT - 30)
    def dispatch() -> int:
        """Run due work in batches (each its own transaction) until none is due or the budget is spent."""
        started, total = time.monotonic(), 0
        while True:
            with transaction(settings.database_url) as session:
                claimed = run_due_work(session, now=utc_now(), payments=current().payments, limit=DUE_BATCH)
            total += claimed
            if claimed:
                deliver_outbox.delay()  # this batch's texts go out while the next batch is prepared
            if claimed < DUE_BATCH:
                return total
            if time.monotonic() - started > DISPATCH_BUDGET:
                dispatch.delay()  # more is due: carry on in a new task, now (not an ETA)
                return total

    @app.task(name="outbox.deliver", time_limit=send_limit, soft_time_limit=send_limit * 0.8)
    def deliver_outbox() -> int:
        """Send queued texts, batch after batch, for at most a third of the time limit."""
        started, total = time.monotonic(), 0
        while True:
            done = deliver(settings.database_url, sender=current().messages, now=utc_now(), limit=send_batch)
            total += done.sent
            if done.claimed < send_batch:
                return total
            if time.monotonic() - started > send_limit / 3:
                deliver_outbox.delay()
                return total

    @app.task(name="outbox.settle", time_limit=send_limit)
    def settle() -> int:
        """Settle texts whose sender died between sending and recording them."""
        settled = settle_stale(settings.database_url, sender=current().messages, now=utc_now(),
                               claim_timeout=timedelta(seconds=claim_seconds))
        if settled:
            deliver_outbox.delay()
        return settled

    @app.task(name="calendar.refresh", time_limit=CALENDAR_TIME_LIMIT, soft_time_limit=CALENDAR_TIME_LIMIT - 30)
    def refresh_calendars() -> int:
        """Read the busy times of connected Google calendars whose copy is older than the TTL."""
        calendars = current().calendars
        if calendars is None:
            return 0
        return refresh_busy(settings.database_url, calendars, now=utc_now(),
                            ttl=timedelta(seconds=settings.google_busy_ttl_seconds))

    @app.task(name="calendar.sync", time_limit=CALENDAR_TIME_LIMIT, soft_time_limit=CALENDAR_TIME_LIMIT - 30)
    def sync_calendar_events() -> int:
        """Write due booking changes to Google Calendar (due work `calendar.sync`, run outside the dispatcher's
        transaction: bot/calendar_sync.py), for at most SYNC_BUDGET seconds."""
        calendars = current().calendars
        if calendars is None:
            return 0
        # What the budget leaves is still due, for the next beat tick.
        return sync_calendars(settings.database_url, calendars, clock=utc_now, budget_seconds=SYNC_BUDGET)

    return app


@lru_cache(maxsize=1)
def default_app() -> Celery:
    return create_celery()


def __getattr__(name: str):
    # `celery -A tasks.worker` looks up `app`: built on first access (settings read then), not at import.
    if name in ("app", "celery"):
        return default_app()
    raise AttributeError(name)
