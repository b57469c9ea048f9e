"""Understanding texts with a running Rasa server (`POST /model/parse`), our own parser as its fallback.

`nlu.parse` is the local twin of `RasaNlu.parse`: same signature, no server. A dead, slow or confused
Rasa never breaks a conversation: any network error, timeout, non-2xx answer or body that is not
Rasa's shape is logged (rate-limited) and the text goes to `nlu.parse`; after a failure Rasa rests for
RETRY_AFTER so a down server does not add a timeout to every text.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Protocol

import httpx

import nlu
from nlu.rasa_response import parse_from_rasa
from nlu.text import cleaned, has_letters_or_digits

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 1.5  # a customer waits for the reply; our own parser answers in well under a millisecond
RETRY_AFTER = 10.0     # seconds without calling Rasa after a failure
LOG_EVERY = 60.0       # at most one "still failing" warning a minute while Rasa stays down


class Understanding(Protocol):
    """Text in, meaning out: `nlu.parse` and `RasaNlu.parse` both fit."""

    def __call__(self, text: str, *, now: datetime, tz: str, services: Sequence[str] = (),
                 offered: Sequence[datetime] = (), aliases: Mapping[str, Sequence[str]] | None = None,
                 day_parts: Mapping[str, tuple[clock_time, clock_time]] | None = None,
                 horizon: timedelta = ...) -> nlu.Parse: ...


class RasaNlu:
    """A Rasa server's intents and entities mapped onto `Parse` (nlu/rasa_response.py)."""

    def __init__(self, url: str, *, timeout: float = TIMEOUT_SECONDS, retry_after: float = RETRY_AFTER,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        base = httpx.URL(url)
        # Rasa's --auth-token travels as ?token=...: keep the query, add the path.
        self.endpoint = base.copy_with(path=base.path.rstrip("/") + "/model/parse")
        self._where = f"{base.host}:{base.port}" if base.port else base.host
        # One client: the connection to Rasa is kept alive across turns. Rasa runs beside the bot, so
        # proxy settings in the environment are not for it.
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), trust_env=False)
        self._retry_after, self._monotonic = retry_after, monotonic
        self._lock = threading.Lock()
        self._resting_until = float("-inf")
        self._failures = 0
        self._logged_at = float("-inf")

    def parse(self, text: str, *, now: datetime, tz: str, services: Sequence[str] = (),
              offered: Sequence[datetime] = (), aliases: Mapping[str, Sequence[str]] | None = None,
              day_parts: Mapping[str, tuple[clock_time, clock_time]] | None = None,
              horizon: timedelta = timedelta(days=60)) -> nlu.Parse:
        """The meaning of `text`, as `nlu.parse` gives it, from Rasa when it answers; never raises on any text."""
        context = dict(now=now, tz=tz, services=services, offered=offered, aliases=aliases, day_parts=day_parts,
                       horizon=horizon)
        text = cleaned(text)
        if not has_letters_or_digits(text) or self._resting():
            return nlu.parse(text, **context)
        try:
            response = self._client.post(self.endpoint, json={"text": text})
            response.raise_for_status()
            meaning = parse_from_rasa(response.json(), text=text, **context)
        except (httpx.HTTPError, ValueError) as error:  # ValueError: a body that is not JSON or not Rasa's shape
            self._failed(error)
            return nlu.parse(text, **context)
        self._answered()
        return meaning

    def close(self) -> None:
        self._client.close()

    def _resting(self) -> bool:
        with self._lock:
            return self._monotonic() < self._resting_until

    def _failed(self, error: Exception) -> None:
        with self._lock:
            now = self._monotonic()
            self._failures += 1
            self._resting_until = now + self._retry_after
            if now - self._logged_at < LOG_EVERY:
                return
            self._logged_at = now
            failures = self._failures
        log.warning("Rasa at %s failed (%s: %s; %d failure(s) in a row); our own parser answers meanwhile",
                    self._where, type(error).__name__, _short(error), failures)

    def _answered(self) -> None:
        with self._lock:
            failures, self._failures = self._failures, 0
            self._logged_at = float("-inf")
        if failures:
            log.info("Rasa at %s answers again after %d failure(s)", self._where, failures)


def _short(error: Exception) -> str:
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return str(error)[:200]
