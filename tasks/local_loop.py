"""The embedded default's dispatcher: a background thread that runs due work and sends the outbox.

The same functions the Celery tasks call (tasks/worker.py), on a loop inside `bot demo`: no Redis.
"""

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.calendar_sync import refresh_busy, sync_calendars
from bot.db.session import transaction
from bot.duework import BATCH, run_due_work
from bot.outbox import deliver, settle_stale
from bot.wiring import Adapters

log = logging.getLogger(__name__)
# One process sends here, so a row left "sending" can only be from a run that crashed: settle it soon.
CLAIM_TIMEOUT = timedelta(minutes=2)
CALENDAR_TTL = timedelta(minutes=5)   # GOOGLE_BUSY_TTL_SECONDS's default


class LocalDispatcher:
    def __init__(self, database_url: str, adapters: Adapters, clock: Callable[[], datetime], interval: float,
                 calendar_ttl: timedelta = CALENDAR_TTL):
        self.database_url, self.adapters, self.clock, self.interval = database_url, adapters, clock, interval
        self.calendar_ttl = calendar_ttl
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def tick(self) -> None:
        """One pass: run all due work, send everything queued (each batch its own transaction), then bring the
        Google calendars up to date (busy times older than the TTL, bookings changed since)."""
        while True:
            with transaction(self.database_url) as session:
                if run_due_work(session, now=self.clock(), payments=self.adapters.payments) < BATCH:
                    break
        settle_stale(self.database_url, sender=self.adapters.messages, now=self.clock(), claim_timeout=CLAIM_TIMEOUT)
        while deliver(self.database_url, sender=self.adapters.messages, now=self.clock()).claimed:
            pass
        if self.adapters.calendars is not None:
            refresh_busy(self.database_url, self.adapters.calendars, now=self.clock(), ttl=self.calendar_ttl)
            sync_calendars(self.database_url, self.adapters.calendars, clock=self.clock)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # keep the loop alive; the next tick retries what failed
                log.exception("local dispatcher pass failed")
            self._stop.wait(self.interval)
