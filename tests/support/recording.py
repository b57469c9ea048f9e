"""A messaging stand-in shared by processes: every send is counted in Redis under its idempotency key.

Celery workers run in other processes than the test (or the bench), so the in-memory LocalMessages
cannot show what they sent. This one records each `send` call (a duplicate send shows as a count of
2), and answers `find` like a provider that remembers what it accepted. RECORDING_DELAY_MS slows each
send down, to catch a worker in the middle of a batch.
"""

import os
import time
import uuid
from datetime import datetime

import redis

from bot.adapters.messaging import Template
from bot.config import Settings
from bot.wiring import Adapters, adapters_from


class RecordedMessages:
    def __init__(self, redis_url: str, prefix: str, delay: float = 0.0):
        self.redis, self.prefix, self.delay = redis.Redis.from_url(redis_url), prefix, delay

    def send(self, *, to_address: str, from_address: str, body: str, idempotency_key: str,
             template: Template | None = None) -> str:
        if self.delay:
            time.sleep(self.delay)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(f"{self.prefix}:count", idempotency_key, 1).hset(f"{self.prefix}:body", idempotency_key, body)
            pipe.execute()
        return self.provider_id(idempotency_key)

    def find(self, *, idempotency_key: str, to_address: str, from_address: str, body: str,
             since: datetime) -> str | None:
        return self.provider_id(idempotency_key) if self.redis.hexists(f"{self.prefix}:count", idempotency_key) else None

    @staticmethod
    def provider_id(key: str) -> str:
        return "RM" + uuid.uuid5(uuid.NAMESPACE_URL, key).hex

    def counts(self) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.redis.hgetall(f"{self.prefix}:count").items()}

    def bodies(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.redis.hgetall(f"{self.prefix}:body").items()}


def recording_adapters(settings: Settings) -> Adapters:
    """The real adapters, but texts go to the Redis-recorded stand-in named by RECORDING_PREFIX."""
    adapters = adapters_from(settings)
    adapters.messages = RecordedMessages(settings.redis_url, os.environ["RECORDING_PREFIX"],
                                         delay=float(os.environ.get("RECORDING_DELAY_MS", "0")) / 1000)
    return adapters
