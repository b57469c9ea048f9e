"""Due reminders through a real Celery worker (a subprocess, not eager mode), real Redis and PostgreSQL.

Texts go to a stand-in that counts every send in Redis by idempotency key, so a duplicate shows as 2.
"""

import time
import uuid

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.db.seed import prepare
from bot.db.session import transaction
from tasks.worker import create_celery
from tests.support.due_reminders import seed_due_reminders
from tests.support.recording import RecordedMessages
from tests.support.workers import celery_env, kill, start_beat, start_worker, stop, wait_for


@pytest.fixture
def setup(postgres_url, redis_url):
    """A seeded database, a queue and a recording of our own; returns (env, client app, recorder)."""
    prepare(postgres_url)
    name = uuid.uuid4().hex[:10]
    settings = dict(database_url=postgres_url, redis_url=redis_url, celery_queue=f"test-{name}",
                    recording_prefix=f"test-{name}", outbox_claim_seconds=12)
    client = create_celery(Settings(**{k: v for k, v in settings.items() if k != "recording_prefix"},
                                    _env_file=None))
    recorder = RecordedMessages(redis_url, f"test-{name}")
    yield celery_env(**settings), client, recorder
    forget(recorder.redis, f"test-{name}")


def forget(redis, name: str) -> None:
    """Leave the shared Redis as we found it: our queue, kombu's bindings for it, the recording, and the
    unacknowledged messages a killed worker left (otherwise restored to our queue after the visibility timeout)."""
    for key in redis.scan_iter(match=f"*{name}*"):
        redis.delete(key)
    for tag, payload in redis.hgetall("unacked").items():
        if name.encode() in payload:
            redis.hdel("unacked", tag)
            redis.zrem("unacked_index", tag)


def statuses(url: str) -> dict[str, int]:
    with transaction(url) as session:
        return dict(session.connection().execute(text(
            "select status, count(*) from message where kind = 'reminder' group by status")).all())


def open_due(url: str) -> int:
    with transaction(url) as session:
        return session.connection().execute(text("select count(*) from due_work where done_at is null")).scalar()


def test_due_reminders_are_sent_once(setup, postgres_url):
    env, client, recorder = setup
    seed_due_reminders(postgres_url, 300)
    worker = start_worker(env, "once")
    try:
        client.send_task("due.dispatch")
        client.send_task("due.dispatch")  # two dispatchers at once: SKIP LOCKED splits the rows
        wait_for(lambda: statuses(postgres_url).get("sent") == 300, 60, "300 reminders sent")
    finally:
        stop(worker)
    counts = recorder.counts()
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert all(body.startswith("Reminder: your Full Detail with Shine Mobile Detailing is on ") and
               body.endswith("Reply C to confirm, R to reschedule, X to cancel.") for body in recorder.bodies().values())
    assert open_due(postgres_url) == 0


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(setup, postgres_url):
    env, client, recorder = setup
    seed_due_reminders(postgres_url, 600)
    slow = {**env, "RECORDING_DELAY_MS": "10"}  # 200 texts a batch take ~2 s: time to kill it halfway
    worker = start_worker(slow, "doomed")
    try:
        client.send_task("due.dispatch")
        wait_for(lambda: len(recorder.counts()) >= 50, 60, "the first texts to go out")
    finally:
        kill(worker)
    assert statuses(postgres_url).get("sending", 0) > 0  # claimed, some sent, none recorded: the worst moment
    assert len(recorder.counts()) < 600

    worker = start_worker(env, "phoenix")
    try:
        # What beat does every minute: dispatch what is still due, settle claims older than the claim
        # timeout (12 s here) with the provider, deliver the rest.
        def settled() -> bool:
            client.send_task("outbox.settle")
            client.send_task("due.dispatch")
            client.send_task("outbox.deliver")
            return statuses(postgres_url) == {"sent": 600}
        wait_for(settled, 90, "every reminder sent after the restart", every=2)
    finally:
        stop(worker)
    counts = recorder.counts()
    assert len(counts) == 600 and set(counts.values()) == {1}
    assert open_due(postgres_url) == 0


def test_two_beats_do_not_double_send(setup, postgres_url, tmp_path):
    env, client, recorder = setup
    env = {**env, "DISPATCH_EVERY_SECONDS": "1", "OUTBOX_SWEEP_SECONDS": "1"}
    seed_due_reminders(postgres_url, 200)
    worker = start_worker(env, "beaten", concurrency=3)
    beats = [start_beat(env, tmp_path / "beat-a"), start_beat(env, tmp_path / "beat-b")]
    try:
        wait_for(lambda: statuses(postgres_url).get("sent") == 200, 60, "200 reminders sent")
        seed_due_reminders(postgres_url, 100)  # more come due while both beats keep ticking
        wait_for(lambda: statuses(postgres_url).get("sent") == 300, 60, "300 reminders sent")
        time.sleep(3)  # both beats tick a few more times with nothing due
    finally:
        for proc in (*beats, worker):
            stop(proc)
    counts = recorder.counts()
    assert len(counts) == 300 and set(counts.values()) == {1}
