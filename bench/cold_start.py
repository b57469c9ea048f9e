"""Cold start: process launch to the first answered "hi" webhook, and where that time goes.

Each run prepares a fresh SQLite file (bot.db.seed.prepare, as turn_bench does) and launches
`python -m uvicorn api.main:app` with turn_bench's Server, so the figure is the one turn_bench reports
(issue 9 target: under 1.5 s). Beside it, cpu: the CPU seconds that server had used when it answered (all
its threads, in 10 ms ticks), steadier than the wall clock when other work shares the machine's 2 cores.
The breakdown comes from separate processes, each on its own fresh file, so no measurement warms another:
- python: a bare interpreter (`python -c pass`), the floor nobody can cut;
- import: `import api.main` alone, in a new interpreter;
- app: import plus building the app (`api.main.app`: settings, adapters, routers);
- ready: a second uvicorn launch until /healthz answers (startup done, no turn run yet);
- first hi: the first signed "hi" on that ready server (first query, first parse, first reply);
- next hi: a "hi" from another customer right after, for the warm cost of the same turn.

    python bench/cold_start.py [--runs 5]      (about 10 s a run)

For the import side, `python -X importtime -c "import api.main" 2>&1 | sort -t'|' -k2 -n | tail -40`
shows which modules cost the most, cumulative in the second column (microseconds).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.turn_bench import Server, compile_bytecode, form  # noqa: E402
from bot.db.seed import prepare  # noqa: E402

COLUMNS = ("cold start", "cpu", "python", "import", "app", "ready", "first hi", "next hi")


def fresh_database(folder: str, name: str) -> dict[str, str]:
    """Environment for one process on its own freshly migrated and seeded SQLite file, without Redis."""
    url = f"sqlite:///{Path(folder) / name}"
    prepare(url)
    return {"DATABASE_URL": url, "REDIS_URL": ""}


def subprocess_seconds(code: str, env: dict[str, str]) -> float:
    """Seconds a new interpreter reports for `code` (the timer starts inside, after interpreter start)."""
    timed = f"import time; t = time.perf_counter()\n{code}\nprint(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", timed], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out.split()[-1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launch_seconds(env: dict[str, str]) -> float:
    """Seconds from launching `python -c pass` to its exit: the interpreter's own start-up."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def ready_and_turns(env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds to /healthz answering, then for the first "hi" and for a second customer's "hi"."""
    server = Server("api.main:app", env)
    try:
        with httpx.Client() as client:
            while True:
                if time.perf_counter() - server.started > 30:
                    raise RuntimeError("the server did not answer /healthz within 30 s")
                try:
                    if client.get(f"{server.base}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.005)
            ready = time.perf_counter() - server.started
            turns = []
            for phone in ("+15559990001", "+15559990002"):
                data = form("hi", phone)
                started = time.perf_counter()
                response = client.post(f"{server.base}/twilio/messages", data=data, headers=server.headers(data))
                turns.append(time.perf_counter() - started)
                response.raise_for_status()
        return ready, turns[0], turns[1]
    finally:
        server.stop()


def one_run(folder: str, run: int) -> dict[str, float]:
    """One cold start and its breakdown, each from a new process on its own fresh database."""
    base = dict(os.environ)
    env = fresh_database(folder, f"cold-{run}.db")
    server = Server("api.main:app", env)
    try:
        cold = server.first_answer()
        cpu = cpu_seconds(server.process.pid)
    finally:
        server.stop()
    figures = {"cold start": cold, "cpu": cpu, "python": launch_seconds({**base, **env})}
    figures["import"] = subprocess_seconds("import api.main", {**base, **fresh_database(folder, f"import-{run}.db")})
    figures["app"] = subprocess_seconds("import api.main\napi.main.app",
                                        {**base, **fresh_database(folder, f"app-{run}.db")})
    figures["ready"], figures["first hi"], figures["next hi"] = ready_and_turns(fresh_database(folder, f"ready-{run}.db"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts to measure")
    args = parser.parse_args()
    compile_bytecode()
    print("seconds; each column from its own new process on a fresh SQLite file (bytecode compiled first)")
    print(f"{'run':<7}" + "".join(f"{name:>11}" for name in COLUMNS))
    rows = []
    with tempfile.TemporaryDirectory(prefix="cold-start-") as folder:
        for run in range(1, args.runs + 1):
            rows.append(one_run(folder, run))
            print(f"{run:<7}" + "".join(f"{rows[-1][name]:>11.3f}" for name in COLUMNS), flush=True)
    median = {name: statistics.median(row[name] for row in rows) for name in COLUMNS}
    print(f"{'median':<7}" + "".join(f"{median[name]:>11.3f}" for name in COLUMNS))
    print(f"cold start target <1.5 s: {'met' if median['cold start'] < 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
