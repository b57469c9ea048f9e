"""POST /twilio/messages: Twilio's inbound SMS and WhatsApp webhook, answered with TwiML."""

import logging

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from api.deps import AdaptersDep, ClockDep, SettingsDep
from bot.domain.travel import Place
from bot.engine import Inbound, TurnResult, receive_text

log = logging.getLogger(__name__)
router = APIRouter()
REQUIRED = ("From", "To", "MessageSid")


@router.post("/twilio/messages", response_class=Response,
             responses={200: {"content": {"application/xml": {}}, "description": "TwiML with the replies"}})
async def twilio_messages(request: Request, settings: SettingsDep, clock: ClockDep, adapters: AdaptersDep) -> Response:
    """Twilio's form POST for an inbound text; the reply goes back in the same thread as TwiML."""
    try:
        form = {key: str(value) for key, value in (await request.form()).items()}
    except Exception:  # a body that is not form data at all
        raise HTTPException(400, "expected application/x-www-form-urlencoded form fields from Twilio")
    if settings.twilio_auth_token:
        # Twilio signs the exact public URL it called (query string included), so behind a proxy
        # the URL the app sees differs; check against the configured public base instead.
        url = settings.public_base_url + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(settings.twilio_auth_token).validate(url, form, signature):
            log.warning("rejected a Twilio webhook with a bad or missing signature")
            raise HTTPException(403, "invalid Twilio signature")
    missing = [name for name in REQUIRED if not form.get(name, "").strip()]
    if missing:
        raise HTTPException(400, f"missing Twilio form field(s): {', '.join(missing)}")
    inbound = Inbound(to_address=form["To"], from_address=form["From"], body=form.get("Body", ""),
                      provider_id=form["MessageSid"], media_count=_int(form.get("NumMedia", "0")),
                      location=shared_location(form))
    # The turn is blocking database work: keep it off the event loop.
    result = await run_in_threadpool(receive_text, settings.database_url, inbound, now=clock(),
                                     payments=adapters.payments, understand=adapters.understand)
    return twiml(result)


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
