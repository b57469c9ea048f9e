"""A per-sender token bucket for the public webhooks: in Redis when REDIS_URL is set (shared by every
worker process), in this process otherwise."""

import threading
import time
from collections import OrderedDict
from typing import Protocol

# Atomic refill-and-take in Redis: tokens refill at `rate` per second up to `burst`.
TAKE = """
local tokens = tonumber(redis.call('HGET', KEYS[1], 't') or ARGV[2])
local stamp = tonumber(redis.call('HGET', KEYS[1], 's') or ARGV[3])
tokens = math.min(tonumber(ARGV[2]), tokens + (tonumber(ARGV[3]) - stamp) * tonumber(ARGV[1]))
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tokens, 's', ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) / tonumber(ARGV[1])) + 1)
return allowed
"""


class SenderLimit(Protocol):
    def is_allowed(self, sender: str) -> bool: ...


class LocalBuckets:
    """Buckets in this process; the least recently seen senders are forgotten past `capacity`."""

    def __init__(self, *, per_minute: float, burst: int, capacity: int = 10_000,
                 clock=time.monotonic) -> None:
        self.rate, self.burst, self.capacity, self.clock = per_minute / 60, burst, capacity, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.lock = threading.Lock()

    def is_allowed(self, sender: str) -> bool:
        now = self.clock()
        with self.lock:
            tokens, stamp = self.buckets.pop(sender, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            allowed = tokens >= 1
            self.buckets[sender] = (tokens - 1 if allowed else tokens, now)
            while len(self.buckets) > self.capacity:
                self.buckets.popitem(last=False)
            return allowed


class RedisBuckets:
    def __init__(self, url: str, *, per_minute: float, burst: int, prefix: str = "throttle:") -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self.take = self.client.register_script(TAKE)
        self.rate, self.burst, self.prefix = per_minute / 60, burst, prefix

    def is_allowed(self, sender: str) -> bool:
        try:
            return bool(self.take(keys=[self.prefix + sender], args=[self.rate, self.burst, time.time()]))
        except Exception:
            return True  # Redis away: answering customers matters more than the limit


def sender_limit(redis_url: str, *, per_minute: float, burst: int, prefix: str) -> SenderLimit:
    """Redis-backed when there is a Redis, else in-process."""
    if redis_url:
        return RedisBuckets(redis_url, per_minute=per_minute, burst=burst, prefix=prefix)
    return LocalBuckets(per_minute=per_minute, burst=burst)
