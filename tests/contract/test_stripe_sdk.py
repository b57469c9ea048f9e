"""StripePayments over the real stripe SDK and real HTTP, against Prism serving Stripe's own OpenAPI spec.

Prism validates what we send against the spec (a wrong parameter type or enum is a 422) but keeps no
state, so these tests check the requests we make and how we take the answers and refusals; what the
booking does with them is checked in our database by tests/api/test_stripe_deposits.py.
"""

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.payment import PaymentUnavailable
from bot.adapters.stripe_payments import session_expiry
from tests.conftest import DANA, TUESDAY_MORNING

DEADLINE = TUESDAY_MORNING + timedelta(minutes=30)


def make_checkout(payments, **overrides):
    args = dict(token="tok_1", reference="booking-7", amount_cents=5000, currency="usd",
                description="Deposit: Full Detail, Wed Mar 11, 2:00 PM", expires_at=DEADLINE,
                idempotency_key="checkout-booking-7-1", metadata={"booking_id": "7", "business": "shine"},
                phone=DANA, name="Dana")
    return payments.checkout(**{**args, **overrides})


def test_a_checkout_session_carries_the_booking_and_its_idempotency_key(stripe_payments, stripe_http):
    checkout = make_checkout(stripe_payments)

    assert checkout.provider_ref.startswith("cs_test_") and checkout.url.startswith("https://")
    customer, session = stripe_http.posts("/v1/customers"), stripe_http.posts("/v1/checkout/sessions")
    assert len(customer) == 1 and len(session) == 1
    # The phone can only be pre-filled from a Customer: made once, with its own key.
    assert customer[0].form["phone"] == DANA and customer[0].form["name"] == "Dana"
    assert customer[0].idempotency_key == "checkout-booking-7-1-payer"
    assert checkout.payer_ref == "cus_test_1"
    sent = session[0].form
    assert session[0].idempotency_key == "checkout-booking-7-1"
    assert {k: sent[k] for k in ("mode", "client_reference_id", "metadata[booking_id]", "metadata[business]",
                                 "payment_intent_data[metadata][booking_id]", "customer",
                                 "phone_number_collection[enabled]")} == {
        "mode": "payment", "client_reference_id": "booking-7", "metadata[booking_id]": "7",
        "metadata[business]": "shine", "payment_intent_data[metadata][booking_id]": "7", "customer": "cus_test_1",
        "phone_number_collection[enabled]": "true"}
    assert sent["line_items[0][price_data][product_data][name]"] == "Deposit: Full Detail, Wed Mar 11, 2:00 PM"
    assert (sent["line_items[0][price_data][unit_amount]"], sent["line_items[0][price_data][currency]"],
            sent["line_items[0][quantity]"]) == ("5000", "usd", "1")
    assert sent["success_url"] == "https://bot.example.com/stripe/return?paid=1"
    # A 30-minute hold is shorter than Stripe allows (30 min + our 2 min margin): we expire it ourselves.
    assert int(sent["expires_at"]) == int((TUESDAY_MORNING + timedelta(minutes=32)).timestamp())
    assert checkout.expires_at == TUESDAY_MORNING + timedelta(minutes=32)


def test_a_known_payer_is_reused_and_a_long_hold_is_the_sessions_expiry(stripe_payments, stripe_http):
    long_hold = TUESDAY_MORNING + timedelta(hours=2)
    checkout = make_checkout(stripe_payments, payer_ref="cus_known", expires_at=long_hold)
    assert stripe_http.posts("/v1/customers") == []
    sent = stripe_http.posts("/v1/checkout/sessions")[0].form
    assert sent["customer"] == "cus_known" and int(sent["expires_at"]) == int(long_hold.timestamp())
    assert checkout.payer_ref == "cus_known"


def test_without_a_phone_there_is_no_customer_and_no_phone_field(stripe_payments, stripe_http):
    make_checkout(stripe_payments, phone=None)
    sent = stripe_http.posts("/v1/checkout/sessions")[0].form
    assert "customer" not in sent and "phone_number_collection[enabled]" not in sent


@pytest.mark.parametrize(("deadline", "expected"), [
    (timedelta(minutes=15), timedelta(minutes=32)),     # shorter than Stripe allows: its minimum, plus margin
    (timedelta(minutes=32), timedelta(minutes=32)),
    (timedelta(hours=3), timedelta(hours=3)),           # the hold itself
    (timedelta(hours=30), timedelta(hours=23, minutes=58)),  # longer than Stripe allows: its maximum, minus margin
])
def test_session_expiry_stays_inside_what_stripe_accepts(deadline, expected):
    now = datetime(2026, 3, 10, 15, 15, tzinfo=UTC)
    assert session_expiry(now + deadline, now) == now + expected


def test_refund_by_payment_intent_with_an_idempotency_key(stripe_payments, stripe_http):
    ref = stripe_payments.refund(provider_ref="pi_test_9", amount_cents=5000, idempotency_key="cancel-3")
    assert ref.startswith("re_test_")
    (call,) = stripe_http.posts("/v1/refunds")
    assert call.idempotency_key == "cancel-3"
    assert call.form == {"payment_intent": "pi_test_9", "amount": "5000"}


def test_refund_of_a_checkout_looks_up_its_payment_first(stripe_payments, stripe_http):
    stripe_payments.refund(provider_ref="cs_test_5", amount_cents=2500, idempotency_key="late-4")
    assert [(c.method, c.path) for c in stripe_http.calls] == [("GET", "/v1/checkout/sessions/cs_test_5"),
                                                               ("POST", "/v1/refunds")]
    # Prism's sample session says its payment_intent is "string"; real Stripe gives the pi_ id.
    assert stripe_http.calls[1].form == {"payment_intent": "string", "amount": "2500"}


def test_expire_a_session(stripe_payments, stripe_http):
    assert stripe_payments.expire(provider_ref="cs_test_5") is True
    assert [c.path for c in stripe_http.posts("/v1/checkout")] == ["/v1/checkout/sessions/cs_test_5/expire"]


def test_a_refusal_from_stripe_is_payment_unavailable_not_a_crash(stripe_payments, stripe_http):
    stripe_http.prefer = "code=400"   # Prism answers with the spec's 400 error
    with pytest.raises(PaymentUnavailable, match="InvalidRequestError 400"):
        make_checkout(stripe_payments, phone=None)
    with pytest.raises(PaymentUnavailable):
        stripe_payments.refund(provider_ref="pi_test_9", amount_cents=5000, idempotency_key="cancel-3")
    # A session that cannot be expired any more (paid, or expired already) is not an error.
    assert stripe_payments.expire(provider_ref="cs_test_5") is False


def test_stripe_unreachable_is_payment_unavailable(stripe_http):
    import stripe

    from bot.adapters.stripe_payments import StripePayments

    client = stripe.StripeClient("sk_test_x", base_addresses={"api": "http://127.0.0.1:9"}, max_network_retries=0,
                                 http_client=stripe_http)
    payments = StripePayments(client, return_url="https://bot.example.com/stripe/return",
                              clock=lambda: TUESDAY_MORNING)
    with pytest.raises(PaymentUnavailable, match="APIConnectionError"):
        make_checkout(payments)
