"""The embedded default's payment page: /pay/{token} stands in for Stripe Checkout."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import AdaptersDep, ClockDep, SessionDep, SettingsDep
from api.templating import templates
from bot.db import queries
from bot.db.tables import Booking, Business, Service
from bot.deposit import record_payment
from bot.domain.wording import money_text, when_text

router = APIRouter()


@router.get("/pay/{token}", response_class=HTMLResponse, include_in_schema=False)
def pay_page(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    payment = queries.payment_by_token(session, token=token)
    if payment is None or payment.provider != "local":
        raise HTTPException(404, "This payment link is not valid.")
    booking = session.get(Booking, payment.booking_id)
    business = session.get(Business, booking.business_id)
    service = session.get(Service, booking.service_id)
    return templates().TemplateResponse(request, "pay.html", {
        "business": business.name, "service": service.name, "when": when_text(booking.start_at, business.time_zone),
        "amount": money_text(payment.amount_cents, payment.currency), "status": payment.status, "token": token,
        "booking_status": booking.status,
    })


@router.post("/pay/{token}", include_in_schema=False)
def pay(token: str, session: SessionDep, clock: ClockDep, adapters: AdaptersDep,
        settings: SettingsDep) -> RedirectResponse:
    """Pressing "Pay deposit": the same code path a Stripe checkout.session.completed event takes."""
    payment = queries.payment_by_token(session, token=token)
    if payment is None or payment.provider != "local":  # a Stripe deposit is paid on Stripe, never here
        raise HTTPException(404, "This payment link is not valid.")
    if payment.status in ("pending", "expired"):
        record_payment(session, payment, now=clock(), payments=adapters.payments,
                       public_base_url=settings.public_base_url)
    return RedirectResponse(f"/pay/{token}", status_code=303)
