"""POST /twilio/messages: Twilio's inbound SMS and WhatsApp webhook, answered with TwiML."""

import asyncio
import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from urllib.parse import parse_qsl, urlparse

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator, add_port, compare, remove_port
from twilio.twiml.messaging_response import MessagingResponse

from api.deps import ClockDep, SettingsDep
from api.telemetry import conversation
from bot.config import Settings
from bot.db.session import one_writer_at_a_time, transaction
from bot.outbox import record_status
from bot.domain.phone import masked
from bot.domain.travel import Place
from bot.engine import Inbound, TurnResult, receive_text

log = logging.getLogger(__name__)
router = APIRouter()
REQUIRED = ("From", "To", "MessageSid")
URLENCODED = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 1000   # Starlette's own cap for a form


@router.post("/twilio/messages", response_class=Response,
             responses={200: {"content": {"application/xml": {}}, "description": "TwiML with the replies"}})
async def twilio_messages(request: Request) -> Response:
    """Twilio's form POST for an inbound text; the reply goes back in the same thread as TwiML."""
    # Read from app.state as SettingsDep, ClockDep and AdaptersDep do, without them: resolving three
    # dependencies cost about 0.25M instructions on every text (of some 12M).
    settings, clock, adapters = request.app.state.settings, request.app.state.clock, request.app.state.adapters
    form = await signed_form(request, settings)
    missing = [name for name in REQUIRED if not form.get(name, "").strip()]
    if missing:
        raise HTTPException(400, f"missing Twilio form field(s): {', '.join(missing)}")
    conversation.set(f"{form['To'][-4:]}:{masked(form['From'])}")
    metrics = request.app.state.metrics
    if not request.app.state.sender_limit.is_allowed(form["From"].strip()):
        # 200 with no reply rather than 429: Twilio does not retry a 4xx either, and a flood (or two bots
        # answering each other) should get no answer at all; the text is not stored.
        log.warning("texts from %s over the per-sender limit; dropped %s", masked(form["From"]), form["MessageSid"])
        metrics.throttled.inc()
        return twiml(TurnResult(replies=[], handled=False))
    inbound = Inbound(to_address=form["To"], from_address=form["From"], body=form.get("Body", ""),
                      provider_id=form["MessageSid"], media_count=_int(form.get("NumMedia", "0")),
                      location=shared_location(form))
    with metrics.timed_turn() as turn:
        result = await run_turn(settings.database_url, settings.turn_threads, partial(
            receive_text, settings.database_url, inbound, now=clock(), payments=adapters.payments,
            understand=adapters.understand, public_base_url=settings.public_base_url, travel=adapters.travel,
            geocoder=adapters.geocoder))
        turn.outcome = "duplicate" if result.duplicate else "answered" if result.handled else "ignored"
    return twiml(result)


@router.post("/twilio/status", status_code=204, response_class=Response)
async def twilio_status(request: Request, settings: SettingsDep, clock: ClockDep) -> Response:
    """Twilio's delivery report for a message we sent (the status callback URL each send carries):
    queued/sent/delivered/undelivered/failed/read, with an ErrorCode when it failed."""
    form = await signed_form(request, settings)
    sid, status = form.get("MessageSid", "").strip(), form.get("MessageStatus", "").strip()
    if not sid or not status:
        raise HTTPException(400, "missing Twilio form field(s): MessageSid, MessageStatus")

    def apply() -> bool:
        with transaction(settings.database_url) as session:
            return record_status(session, provider_id=sid, status=status, error_code=form.get("ErrorCode") or None,
                                 key=request.query_params.get("key"), now=clock())

    if not await run_in_threadpool(apply):
        log.info("status %s for unknown message %s ignored", status, sid)
    return Response(status_code=204)  # Twilio only needs a 2xx; anything else it retries


async def run_turn(database_url: str, threads: int, turn: Callable[[], TurnResult]) -> TurnResult:
    """Run a turn (blocking database work) off the event loop, on threads kept for turns: one on SQLite, `threads`
    (TURN_THREADS) on PostgreSQL.

    SQLite takes one writer at a time, so turns spread over the 40-thread pool only queued on its write lock, and
    every hand-over cost thread switches and a fight for the GIL with the event loop. PostgreSQL runs turns side by
    side, but on 40 threads each turn got a fortieth of the interpreter, and a turn holding the business row (a
    pick locks it until commit) kept every other pick waiting that long: in bench/turn_bench.py (32 customers,
    800 conversations) the p99 was 2.6-3.2 s on the shared pool and 0.37-0.53 s on 4 threads, with as many turns
    a second or more."""
    count = 1 if one_writer_at_a_time(database_url) else threads
    # As run_in_threadpool does: the turn's log lines keep the request id and conversation (contextvars).
    return await asyncio.get_running_loop().run_in_executor(_turn_threads(count), contextvars.copy_context().run,
                                                            turn)


@lru_cache(maxsize=4)
def _turn_threads(count: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=count, thread_name_prefix="turn")


async def signed_form(request: Request, settings: Settings) -> dict[str, str]:
    """The posted form, after checking X-Twilio-Signature when TWILIO_AUTH_TOKEN is set (403 otherwise)."""
    try:
        form = await posted_form(request)
    except Exception:  # a body that is not form data at all
        raise HTTPException(400, "expected application/x-www-form-urlencoded form fields from Twilio")
    if settings.twilio_auth_token:
        # Twilio signs the exact public URL it called (query string included), so behind a proxy
        # the URL the app sees differs; check against the configured public base instead.
        url = settings.public_base_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not is_signed(RequestValidator(settings.twilio_auth_token), url, form, signature):
            log.warning("rejected a Twilio webhook with a bad or missing signature")
            raise HTTPException(403, "invalid Twilio signature")
    return form


async def posted_form(request: Request) -> dict[str, str]:
    """The form fields, the last value of a repeated one winning, as Starlette's `request.form()` gives them.
    Twilio posts application/x-www-form-urlencoded, which the standard library's parse_qsl reads in about a third
    of the time of Starlette's streaming parser (bench/turn_bench.py's bare endpoint reads it the same way); the
    same decoding (Latin-1 bytes, then UTF-8 percent escapes) and the same cap on the number of fields. Anything
    else goes to Starlette."""
    if request.headers.get("content-type", "").partition(";")[0].strip().lower() != URLENCODED:
        return {key: str(value) for key, value in (await request.form()).items()}
    return dict(parse_qsl((await request.body()).decode("latin-1"), keep_blank_values=True,
                          max_num_fields=MAX_FORM_FIELDS))


def is_signed(validator: RequestValidator, url: str, form: dict[str, str], signature: str) -> bool:
    """RequestValidator.validate's answer for a form post: the signature of the URL with its port or without
    it (Twilio's signing is inconsistent about the port). validate works out both signatures every time; this
    stops at the first that matches, trying the URL as configured first, as Twilio signs the URL it was
    given. The same signatures pass, so a forged one still fails both."""
    parsed = urlparse(url)
    ways = (add_port(parsed), remove_port(parsed)) if parsed.port else (remove_port(parsed), add_port(parsed))
    return any(compare(validator.compute_signature(way, form), signature) for way in ways)


def shared_location(form: dict[str, str]) -> Place | None:
    """The location a WhatsApp user shared (Twilio adds Latitude, Longitude, Address and Label), if valid."""
    try:
        lat, lng = float(form["Latitude"]), float(form["Longitude"])
    except (KeyError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or lat != lat or lng != lng:  # out of range or NaN
        return None
    label = (form.get("Address") or form.get("Label") or "").strip()[:200]
    return Place(label or f"{lat:.5f}, {lng:.5f}", lat, lng)


def twiml(result: TurnResult) -> Response:
    response = MessagingResponse()
    for reply in result.replies:
        response.message(reply)
    return Response(content=str(response), media_type="application/xml")


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0
