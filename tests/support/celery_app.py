"""The Celery app the worker tests and the bench start (`celery -A tests.support.celery_app:app worker`):
the production app from tasks/worker.py, with texts going to the Redis-recorded stand-in."""

from functools import lru_cache

from tasks.worker import create_celery
from tests.support.recording import recording_adapters


@lru_cache(maxsize=1)
def _app():
    return create_celery(adapters_factory=recording_adapters)


def __getattr__(name: str):
    if name == "app":
        return _app()
    raise AttributeError(name)
