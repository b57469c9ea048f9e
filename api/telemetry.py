"""What an operator sees: JSON log lines with a request id, /readyz, Prometheus metrics at /metrics."""

import json
import logging
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from bot.db.session import engine_for

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
request_id: ContextVar[str] = ContextVar("request_id", default="")
# Masked (last four digits): the thread a log line is about, without the customer's number in the logs.
conversation: ContextVar[str] = ContextVar("conversation", default="")


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request_id, conversation."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                "request_id": request_id.get(), "conversation": conversation.get()}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Route every logger, uvicorn's included, through one JSON handler on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class RequestId:
    """ASGI middleware: take X-Request-ID from the proxy (or make one), log with it, send it back."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        # A client's id is kept only when it looks like one, so nobody can inject text into our logs.
        rid = given if given and len(given) <= 64 and given.replace("-", "").isalnum() else uuid.uuid4().hex
        # Not reset afterwards: each request runs in its own task, and the 500 handler, outside this
        # middleware, must still log the id of the request that failed.
        request_id.set(rid)
        conversation.set("")

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class Metrics:
    """The app's instruments, on its own registry (tests build many apps in one process)."""

    def __init__(self, database_url: str) -> None:
        self.registry = CollectorRegistry()
        self.turns = Counter("bot_turns", "Inbound texts handled, by outcome", ["outcome"], registry=self.registry)
        self.turn_seconds = Histogram("bot_turn_seconds", "Time to answer one inbound text", registry=self.registry,
                                      buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.throttled = Counter("bot_webhook_throttled", "Inbound texts dropped by the per-sender limit",
                                 registry=self.registry)
        self.registry.register(_FromDatabase(database_url))

    def timed_turn(self):
        return _Timer(self)


class _Timer:
    def __init__(self, metrics: Metrics) -> None:
        self.metrics, self.outcome = metrics, "error"

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.metrics.turn_seconds.observe(time.perf_counter() - self.started)
        self.metrics.turns.labels(self.outcome).inc()


class _FromDatabase:
    """Counted at scrape from the database, so every worker process and Celery sender is included."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def describe(self):
        return []

    def collect(self):
        bookings = GaugeMetricFamily("bot_bookings", "Bookings by status", labels=["status"])
        messages = GaugeMetricFamily("bot_messages_out", "Outbound texts by channel and status (sent, failed, ...)",
                                     labels=["channel", "status"])
        try:
            with engine_for(self.database_url).connect() as db:
                for status, count in db.execute(text("select status, count(*) from booking group by status")):
                    bookings.add_metric([status], count)
                for channel, status, count in db.execute(text(
                        "select channel, status, count(*) from message where direction = 'out' "
                        "group by channel, status")):
                    messages.add_metric([channel, status], count)
        except Exception:  # a scrape must not fail because the database is away; /readyz says that
            log.warning("metrics: the database did not answer", exc_info=True)
        yield bookings
        yield messages


@router.get("/metrics")
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    """200 when the database (and Redis, when REDIS_URL is set) answer; 503 naming what does not."""
    settings = request.app.state.settings
    checks = {"database": _database_ok(settings.database_url)}
    if settings.redis_url:
        checks["redis"] = _redis_ok(settings.redis_url)
    ready = all(checks.values())
    return JSONResponse({"status": "ok" if ready else "unavailable",
                         "checks": {name: "ok" if ok else "unreachable" for name, ok in checks.items()}},
                        status_code=200 if ready else 503)


def _database_ok(url: str) -> bool:
    try:
        with engine_for(url).connect() as db:
            db.execute(text("select 1"))
        return True
    except Exception as error:
        log.warning("readyz: database unreachable: %s", type(error).__name__)
        return False


def _redis_ok(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except Exception as error:
        log.warning("readyz: redis unreachable: %s", type(error).__name__)
        return False
