"""A per-sender rate limit: carriers and Twilio accept only so many texts a second from one number
(about 1/s for a US long code, more for toll-free, short codes and 10DLC tiers); sending faster
fills Twilio's queue and ends in error 30001 (queue overflow)."""

import threading
import time
from dataclasses import dataclass, field
from typing import Protocol


class Pacing(Protocol):
    def wait(self, sender: str) -> None:
        """Block until `sender` may send one more message."""
        ...


@dataclass
class LocalPacing:
    """For one process (the embedded default): messages from one sender at least 1/per_second apart."""

    per_second: float
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, sender: str) -> None:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get(sender, 0.0))
            self._next[sender] = at + 1 / self.per_second
        if at > now:
            time.sleep(at - now)


class RedisPacing:
    """Shared by every worker: at most `per_second` sends per sender in each wall-clock second (a
    counter per sender and second in Redis, which expires on its own)."""

    def __init__(self, redis_url: str, per_second: float):
        import redis

        self.redis = redis.Redis.from_url(redis_url)
        self.per_second = max(1, int(per_second))

    def wait(self, sender: str) -> None:
        while True:
            now = time.time()
            second = int(now)
            key = f"pace:{sender}:{second}"
            with self.redis.pipeline() as pipe:
                count, _ = pipe.incr(key).expire(key, 5).execute()
            if count <= self.per_second:
                return
            time.sleep(second + 1 - now)
