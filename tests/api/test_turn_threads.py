"""Where the webhook runs a turn: one at a time on SQLite, TURN_THREADS at once on PostgreSQL (api/twilio_webhook.py)."""

import asyncio
import contextvars
import threading
import time

import pytest

from api.twilio_webhook import run_turn
from bot.config import Settings
from bot.engine import TurnResult

SQLITE = "sqlite:///data/bot.db"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"   # never connected to: run_turn only reads the kind
request_id = contextvars.ContextVar("request_id", default="")


class Overlap:
    """A turn that stays busy for a moment and notes how many turns were running with it, and on which thread."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.lock = threading.Lock()
        self.threads: set[str] = set()

    def __call__(self) -> TurnResult:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.current_thread().name)
        time.sleep(0.05)
        with self.lock:
            self.running -= 1
        return TurnResult(replies=[request_id.get()])


async def run_many(url: str, threads: int, count: int, turn: Overlap) -> list[TurnResult]:
    async def one(n: int) -> TurnResult:
        request_id.set(f"request {n}")
        return await run_turn(url, threads, turn)
    return await asyncio.gather(*(one(n) for n in range(count)))


@pytest.mark.parametrize(("url", "threads", "at_once"), [(SQLITE, 4, 1), (POSTGRES, 3, 3), (POSTGRES, 1, 1)])
def test_turns_run_as_many_at_once_as_the_database_allows(url, threads, at_once):
    turn = Overlap()
    results = asyncio.run(run_many(url, threads, 9, turn))
    assert turn.most == at_once
    assert len(turn.threads) == at_once
    # Each turn ran in its request's context, so its log lines carry that request's id.
    assert [r.replies for r in results] == [[f"request {n}"] for n in range(9)]


def test_a_turn_that_raises_reaches_the_webhook_and_the_threads_go_on():
    def broken() -> TurnResult:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        asyncio.run(run_turn(POSTGRES, 2, broken))
    assert asyncio.run(run_turn(POSTGRES, 2, lambda: TurnResult(replies=["fine"]))).replies == ["fine"]


def test_turn_threads_come_from_the_environment_and_must_be_sane(monkeypatch):
    monkeypatch.setenv("TURN_THREADS", "6")
    assert Settings(_env_file=None).turn_threads == 6
    assert Settings(_env_file=None, turn_threads=4).turn_threads == 4
    for bad in ("0", "-1", "1000", "many"):
        monkeypatch.setenv("TURN_THREADS", bad)
        with pytest.raises(ValueError):
            Settings(_env_file=None)
