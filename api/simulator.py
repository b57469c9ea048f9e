"""GET /simulator: a phone on a web page, posting through the same engine as Twilio's webhook."""

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from api.deps import AdaptersDep, ClockDep, SessionDep, SettingsDep
from api.templating import templates
from bot.db import queries
from bot.db.seed import DEMO_CUSTOMER_PHONES, DEMO_SLUG
from bot.db.session import transaction
from bot.db.tables import Business
from bot.domain.phone import Channel, address_of, e164
from bot.engine import Inbound, receive_text

router = APIRouter(prefix="/simulator", include_in_schema=False)
EXAMPLES = ("tomorrow afternoon, full detail", "sat morning?", "how much for interior?", "menu", "today")


class SimulatedText(BaseModel):
    from_: str = Field(alias="from", max_length=40)
    channel: Channel = Channel.SMS
    body: str = Field(max_length=1600)


def _business(session) -> Business:
    business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).first()
    if business is None:
        business = session.exec(select(Business).order_by(Business.id)).first()
    if business is None:
        raise HTTPException(404, "No business is set up yet: run `bot seed`.")
    return business


def _business_number(database_url: str, channel: Channel) -> str | None:
    """The number customers text the simulated business on, on this channel."""
    with transaction(database_url) as session:
        business = _business(session)
        return business.whatsapp_phone if channel is Channel.WHATSAPP else business.sms_phone


@router.get("", response_class=HTMLResponse)
def simulator_page(request: Request, session: SessionDep) -> HTMLResponse:
    business = _business(session)
    phones = [{"phone": p, "label": f"Customer {i}"} for i, p in enumerate(DEMO_CUSTOMER_PHONES, 1)]
    phones += [{"phone": p, "label": "Owner"} for p in business.owner_phones]
    return templates().TemplateResponse(request, "simulator.html", {
        "business_name": business.name, "sms_number": business.sms_phone or "",
        "whatsapp_number": address_of(Channel.WHATSAPP, business.whatsapp_phone or ""),
        "phones": phones, "examples": EXAMPLES,
    })


@router.post("/messages")
async def send_text(text: SimulatedText, settings: SettingsDep, clock: ClockDep,
                    adapters: AdaptersDep) -> dict[str, list[str]]:
    phone = e164(text.from_)
    if phone is None:
        raise HTTPException(422, "That 'from' number is not a phone number; use E.164, e.g. +15550100001.")
    # Off the event loop: a transaction waits for SQLite's one writer, and the writer may be a request whose
    # transaction only the event loop can end (bot/db/session.py). No session is held across the turn, which
    # opens its own write transaction.
    to_phone = await run_in_threadpool(_business_number, settings.database_url, text.channel)
    inbound = Inbound(to_address=address_of(text.channel, to_phone or ""), from_address=address_of(text.channel, phone),
                      body=text.body, provider_id="SIM" + secrets.token_hex(16))
    result = await run_in_threadpool(receive_text, settings.database_url, inbound, now=clock(),
                                     payments=adapters.payments, understand=adapters.understand,
                                     public_base_url=settings.public_base_url,
                                     travel=adapters.travel, geocoder=adapters.geocoder)
    return {"replies": result.replies}


@router.get("/messages")
def thread(phone: str, session: SessionDep, channel: Channel = Channel.SMS, after_id: int = 0) -> dict[str, list]:
    normalised = e164(phone)
    if normalised is None:
        raise HTTPException(422, "phone must be a phone number, e.g. +15550100001")
    business = _business(session)
    rows = queries.thread(session, business_id=business.id, phone=normalised, channel=channel, after_id=after_id)
    return {"messages": [{"id": m.id, "direction": m.direction, "body": m.body, "status": m.status,
                          "created_at": m.created_at.isoformat().replace("+00:00", "Z")} for m in rows]}
