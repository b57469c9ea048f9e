"""Real Celery workers and beats as subprocesses, for the integration tests and the bench."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.support.celery_app:app"


def celery_env(**settings: str) -> dict[str, str]:
    """This environment without Twilio/Stripe keys, plus the given settings (DATABASE_URL=..., ...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "STRIPE_"))}
    env.update({k.upper(): str(v) for k, v in settings.items()})
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start(kind: str, env: dict[str, str], *args: str) -> subprocess.Popen:
    """`celery worker` or `celery beat` in its own process group (so a kill takes its children too)."""
    log = tempfile.NamedTemporaryFile("w+", prefix=f"celery-{kind}-", suffix=".log", delete=False)
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", APP, kind, "--loglevel=INFO", *args],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log_path = log.name  # type: ignore[attr-defined]
    return proc


def start_worker(env: dict[str, str], name: str, concurrency: int = 2, timeout: float = 60) -> subprocess.Popen:
    proc = start("worker", env, "--pool=prefork", f"--concurrency={concurrency}", "-n", f"{name}@%h",
                 "--without-gossip", "--without-mingle", "--without-heartbeat")
    wait_for(lambda: "ready." in log_of(proc) or proc.poll() is not None, timeout, f"worker {name} to start")
    if proc.poll() is not None:
        raise RuntimeError(f"celery worker exited: {log_of(proc)[-3000:]}")
    return proc


def start_beat(env: dict[str, str], schedule_file: Path) -> subprocess.Popen:
    return start("beat", env, "-s", str(schedule_file))


def log_of(proc: subprocess.Popen) -> str:
    return Path(proc.log_path).read_text(errors="replace")  # type: ignore[attr-defined]


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group: the worker and its pool processes die mid-whatever."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def stop(proc: subprocess.Popen) -> None:
    """A warm shutdown (SIGTERM), then SIGKILL if it does not end."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        kill(proc)


def wait_for(condition: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise TimeoutError(f"waited {timeout} s for {what}")
