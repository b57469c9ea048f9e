"""The FastAPI app: `api.main:app` for uvicorn, `create_app()` for tests and `bot demo`."""

import gc
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

# Loading the app makes over 100,000 objects that live as long as the process (pydantic and SQLAlchemy
# classes, routes, tables). The cyclic collector would walk them again and again while they appear (0.1 to
# 0.2 s of every cold start) and free almost nothing (under 1,000 objects); so it waits until they are
# loaded, then leaves them out of every later collection (gc.freeze), which also keeps the collections during
# turns short: the first turn's full collection took 80 ms with them in it.
_collecting = gc.isenabled()
gc.disable()
try:
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, RedirectResponse

    from api import calendar_files, owner_api, owner_calendar, owner_page, pay, simulator, stripe_webhook, telemetry, twilio_webhook
    from api.headers import SecurityHeaders
    from api.telemetry import Metrics, RequestId, configure_logging
    from api.throttle import sender_limit
    from bot.bookings import Refusal
    from bot.config import Settings, UnsafeConfiguration, get_settings
    from bot.wiring import adapters_from
finally:
    gc.freeze()
    if _collecting:
        gc.enable()

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now,
               dispatcher: bool = False) -> FastAPI:
    """The app. With `dispatcher`, due work and the outbox run on an in-process loop (embedded default)."""
    settings = settings or get_settings()
    if settings.is_production and (problems := settings.production_problems()):
        raise UnsafeConfiguration("APP_ENV=production, but:\n  - " + "\n  - ".join(problems))
    adapters = adapters_from(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        loop = None
        if dispatcher:
            from tasks.local_loop import LocalDispatcher

            loop = LocalDispatcher(settings.database_url, adapters, clock, settings.dispatcher_interval_seconds,
                                   calendar_ttl=timedelta(seconds=settings.google_busy_ttl_seconds))
            loop.start()
        yield
        if loop is not None:
            loop.stop()

    app = FastAPI(title="Booking bot", version="0.1.0", lifespan=lifespan)
    app.state.settings, app.state.clock, app.state.adapters = settings, clock, adapters
    app.state.metrics = Metrics(settings.database_url)
    app.state.sender_limit = sender_limit(settings.redis_url, per_minute=settings.webhook_texts_per_minute,
                                          burst=settings.webhook_burst, prefix=f"{settings.celery_queue}:throttle:")
    app.add_middleware(SecurityHeaders, https=settings.public_base_url.startswith("https://"))
    app.add_middleware(RequestId)  # added last, so it runs first: every log line of the request has the id
    app.include_router(telemetry.router)
    app.include_router(twilio_webhook.router)
    app.include_router(pay.router)
    app.include_router(calendar_files.router)
    app.include_router(stripe_webhook.router)
    app.include_router(simulator.router)
    app.include_router(owner_api.router)
    app.include_router(owner_page.router)
    app.include_router(owner_calendar.router)
    app.add_exception_handler(Refusal, owner_api.refused)

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/simulator")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"][1:]) or "body",
                   "message": e["msg"].removeprefix("Value error, ")} for e in exc.errors()]
        fields = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse({"detail": f"invalid request: {fields}", "errors": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a customer's mistake: log it whole, show nobody the stack trace.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Something went wrong on our side."}, status_code=500)

    return app


def __getattr__(name: str):
    # `uvicorn api.main:app` builds the app on first access, not at import time. Without Redis there are
    # no Celery workers, so this process runs due work and the outbox itself (claims make several safe).
    if name == "app":
        settings = get_settings()
        if settings.log_format == "json" or (settings.is_production and settings.log_format != "text"):
            configure_logging()
        return create_app(settings, dispatcher=not settings.redis_url)
    raise AttributeError(name)
