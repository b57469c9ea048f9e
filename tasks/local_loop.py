"""The embedded default's dispatcher: a background thread that runs due work and sends the outbox."""

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from bot.db.session import transaction
from bot.duework import deliver_outbox, run_due_work
from bot.wiring import Adapters

log = logging.getLogger(__name__)


class LocalDispatcher:
    def __init__(self, database_url: str, adapters: Adapters, clock: Callable[[], datetime], interval: float):
        self.database_url, self.adapters, self.clock, self.interval = database_url, adapters, clock, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def tick(self) -> None:
        """One pass: expire due holds, then send what is queued (in separate transactions)."""
        with transaction(self.database_url) as session:
            run_due_work(session, now=self.clock())
        with transaction(self.database_url) as session:
            deliver_outbox(session, sender=self.adapters.messages, now=self.clock())

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # keep the loop alive; the next tick retries what failed
                log.exception("local dispatcher pass failed")
            self._stop.wait(self.interval)
