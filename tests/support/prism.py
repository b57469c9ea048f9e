"""Prism on loopback, serving Stripe's and Twilio's own OpenAPI specs, so the real SDKs are tested over HTTP.

`package.json` pins Prism; `.ci/run` installs it with `npm ci`. Without it (or without the specs beside the
repo in ../shared/contracts) the tests that need it skip with the reason, except under CI=true, where a
missing stand-in is a failure.
"""

import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
CONTRACTS = ROOT.parent / "shared" / "contracts"
STRIPE_SPEC = CONTRACTS / "stripe" / "spec3.2023-08-16.prism-booking.json"
TWILIO_SPEC = CONTRACTS / "twilio" / "twilio_api_v2010.json"


def start_prism(spec: Path, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """Start Prism on a free loopback port; returns the process and its base URL once it listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tempfile.NamedTemporaryFile("w+", suffix=".prism.log", delete=False)
    # node_modules/.bin/prism directly, not npx: terminating npx leaves Prism running.
    proc = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec)],
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log.seek(0)
        if "Prism is listening" in log.read():
            return proc, f"http://127.0.0.1:{port}"
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"prism exited: {log.read()[-2000:]}")
        time.sleep(0.1)
    proc.kill()
    raise TimeoutError(f"prism did not start serving {spec.name} within {timeout} s")


def prism_for(spec: Path):
    """A generator for a session fixture: the base URL of Prism serving `spec`."""
    missing = [str(p) for p in (PRISM, spec) if not p.exists()]
    if missing:
        reason = f"Prism stand-in unavailable (missing {', '.join(missing)}; run `npm ci`)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " - required under CI=true")
        pytest.skip(reason)
    proc, base = start_prism(spec)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def stripe_base():
    """Base URL of a Prism serving Stripe's spec (the booking subset)."""
    yield from prism_for(STRIPE_SPEC)


@pytest.fixture(scope="session")
def twilio_base():
    """Base URL of a Prism serving Twilio's Messages API spec."""
    yield from prism_for(TWILIO_SPEC)
