"""Whole conversation turns through the signed Twilio webhook, against the cheapest possible webhook.

Starts the app under uvicorn (one worker, loopback) on a fresh SQLite file, and on PostgreSQL too when
DATABASE_URL points at one; N simulated customers at once each run booking conversations ("tomorrow
afternoon express wash", the address, "1", a name: four turns) until the conversation count or the time
limit is reached. In the same run it drives bench/bare_app.py, which parses the same form and returns a
fixed TwiML string, and bench/fixed_turn_app.py, the real app with the turn replaced by a fixed reply: the
webhook's own cost, a ceiling no turn can beat. Prints turns/s, p50/p99 turn latency, the ratio to the bare
endpoint, the server's peak RSS and the cold start (process start to the first answered webhook).

    python bench/turn_bench.py [--conversations 2000] [--concurrency 32] [--seconds 60]

Targets (one worker, 32 conversations at once): p99 under 50 ms, turns/s at least 25% of the bare
endpoint's requests/s, RSS under 200 MB after 10,000 conversations, cold start under 1.5 s.
"""

import argparse
import asyncio
import compileall
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db.seed import prepare  # noqa: E402

TOKEN = "bench-auth-token-0123456789abcdef"
BUSINESS = "+15550001111"
CONVERSATION = ("tomorrow afternoon express wash", "1100 Congress Ave, Austin", "1", "Robin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def form(body: str, phone: str) -> dict[str, str]:
    sid = "SM" + uuid.uuid4().hex
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32, "From": phone, "To": BUSINESS,
            "Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01"}


def compile_bytecode() -> None:
    """Compile the project's modules to bytecode first, as a deployment does (the Docker image's `pip install .`
    writes it), so a cold start is not also a compile of every module; the sandbox sets PYTHONDONTWRITEBYTECODE,
    which would otherwise make every launch parse all our sources again (about 0.1 s)."""
    for package in ("api", "bot", "flows", "nlu", "tasks"):
        compileall.compile_dir(ROOT / package, quiet=1)


class Server:
    """One uvicorn worker in its own process, on loopback."""

    def __init__(self, app: str, env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.validator = RequestValidator(TOKEN)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env={**os.environ, **env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.port}",
                           "TWILIO_AUTH_TOKEN": TOKEN})

    def headers(self, data: dict[str, str]) -> dict[str, str]:
        return {"X-Twilio-Signature": self.validator.compute_signature(f"{self.base}/twilio/messages", data)}

    def first_answer(self) -> float:
        """Seconds from process start to the first answered webhook (the cold start)."""
        data = form("hi", "+15559990000")
        with httpx.Client() as client:
            while time.perf_counter() - self.started < 30:
                try:
                    if client.post(f"{self.base}/twilio/messages", data=data, headers=self.headers(data)).status_code == 200:
                        return time.perf_counter() - self.started
                except httpx.TransportError:
                    time.sleep(0.005)
        raise RuntimeError("the server did not answer within 30 s")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Connection:
    """A bare keep-alive HTTP/1.1 client on asyncio streams: the client must cost far less than the server
    it measures (httpx's own overhead, on a 2-core machine, capped the bare endpoint at a few hundred/s)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                           f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
                           f"{head}\r\n").encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def drive(server: Server, *, conversations: int, concurrency: int, seconds: float,
                turns: tuple[str, ...], prefix: int) -> tuple[list[float], float, int]:
    """Run conversations with `concurrency` customers at once; latencies (s), wall time, failures."""
    latencies: list[float] = []
    failures = 0
    next_conversation = 0
    deadline = time.perf_counter() + seconds

    async def customer() -> None:
        nonlocal next_conversation, failures
        connection = Connection(server.port)
        try:
            while next_conversation < conversations and time.perf_counter() < deadline:
                number = next_conversation
                next_conversation += 1
                phone = f"+1{prefix:03d}{number:07d}"
                for text in turns:
                    data = form(text, phone)
                    body = urlencode(data).encode()
                    started = time.perf_counter()
                    status = await connection.post("/twilio/messages", body, server.headers(data))
                    latencies.append(time.perf_counter() - started)
                    failures += status != 200
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(customer() for _ in range(concurrency)))
    return latencies, time.perf_counter() - started, failures


@dataclass(frozen=True)
class Phase:
    """What one server did under the customers: requests/s, p99 (ms), conversations run, cold start (s)."""

    rate: float
    p99: float
    conversations: int
    cold: float


def run_phase(name: str, server: Server, args: argparse.Namespace, prefix: int) -> Phase:
    """Wait for the server's first answer, drive the customers at it, print a line of figures."""
    cold = server.first_answer()
    latencies, wall, failures = asyncio.run(drive(
        server, conversations=args.conversations, concurrency=args.concurrency, seconds=args.seconds,
        turns=CONVERSATION, prefix=prefix))
    ms = sorted(x * 1000 for x in latencies)
    rate = len(ms) / wall
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<28} {len(ms):>7} requests  {rate:>8.0f}/s  p50 {statistics.median(ms):6.1f} ms  "
          f"p99 {p99:6.1f} ms  failed {failures}")
    return Phase(rate, p99, len(ms) // len(CONVERSATION), cold)


@contextmanager
def serving(app: str, database_url: str | None = None) -> Iterator[Server]:
    """A uvicorn worker serving `app`, on a database migrated and seeded first when one is given."""
    env = {}
    if database_url is not None:
        prepare(database_url)
        env = {"DATABASE_URL": database_url, "REDIS_URL": ""}
    server = Server(app, env)
    try:
        yield server
    finally:
        server.stop()


def bench_bot(label: str, database_url: str, args: argparse.Namespace, bare_rate: float) -> None:
    with serving("api.main:app", database_url) as server:
        bot = run_phase(f"bot turns ({label})", server, args, prefix=int(time.time()) % 900 + 100)
        ratio = bot.rate / bare_rate
        print(f"{'':<28} ratio to bare {ratio:6.1%}  peak RSS {server.peak_rss_mb():.0f} MB after "
              f"{bot.conversations} conversations  cold start {bot.cold:.2f} s")
        print(f"{'':<28} targets: p99<50 ms {'met' if bot.p99 < 50 else 'MISSED'}; ratio>=25% "
              f"{'met' if ratio >= 0.25 else 'MISSED'}; cold start<1.5 s {'met' if bot.cold < 1.5 else 'MISSED'}")


def fixed_turn(database_url: str, args: argparse.Namespace, bare_rate: float) -> None:
    """The app with every turn answered by a fixed reply: the most turns/s and the lowest latency the webhook
    itself allows, whatever the turn does."""
    with serving("bench.fixed_turn_app:app", database_url) as server:
        rate = run_phase("app, turn fixed (ceiling)", server, args, prefix=998).rate
    print(f"{'':<28} ratio to bare {rate / bare_rate:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2000, help="booking conversations (4 turns each)")
    parser.add_argument("--concurrency", type=int, default=32, help="customers texting at once")
    parser.add_argument("--seconds", type=float, default=60, help="stop each phase after this long")
    args = parser.parse_args()
    print(f"{args.concurrency} customers at once, up to {args.conversations} conversations or "
          f"{args.seconds:.0f} s per phase, one uvicorn worker on loopback")

    compile_bytecode()
    with serving("bench.bare_app:app") as bare:
        bare_rate = run_phase("bare endpoint", bare, args, prefix=999).rate
    with tempfile.TemporaryDirectory(prefix="turn-bench-") as folder:
        fixed_turn(f"sqlite:///{Path(folder) / 'bot.db'}", args, bare_rate)

    with tempfile.TemporaryDirectory(prefix="turn-bench-") as folder:
        bench_bot("SQLite", f"sqlite:///{Path(folder) / 'bot.db'}", args, bare_rate)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        bench_bot("PostgreSQL", url, args, bare_rate)


if __name__ == "__main__":
    main()
