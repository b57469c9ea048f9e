"""POST /stripe/webhook at its edges: signatures exactly as Stripe makes them, stale and tampered deliveries,
bodies that are not events, duplicates, out-of-order events and types we do not act on."""

import json
import time

import pytest

from tests.conftest import DANA, replies, rows, signed_post, twilio_form
from tests.support.stripe_standin import charge_refunded, event, post_event, session_completed, stripe_signature


@pytest.fixture
def app(stripe_app):
    return stripe_app


@pytest.fixture
def awaiting(client, db_url) -> str:
    """Dana's Full Detail, held with a Stripe link out; returns the Checkout Session id."""
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    assert "checkout.stripe.test" in replies(signed_post(client, twilio_form("Dana")))[0]
    return rows(db_url, "select provider_ref from payment")[0][0]


def state(db_url) -> dict[str, list[tuple]]:
    """Everything a webhook may change."""
    return {"booking": rows(db_url, "select status, hold_expires_at from booking"),
            "payment": rows(db_url, "select status, payment_intent, refunded_cents from payment"),
            "events": rows(db_url, "select event_id, type, outcome from provider_event order by id"),
            "texts": rows(db_url, "select count(*) from message where direction = 'out' and reply_to_id is null")}


@pytest.mark.parametrize("forge", ["wrong secret", "tampered body", "stale timestamp", "no signature",
                                   "timestamp from the future only", "garbage header"])
def test_a_delivery_stripe_did_not_sign_just_now_is_refused_and_changes_nothing(client, db_url, awaiting, forge):
    before = state(db_url)
    payload = json.dumps(session_completed(awaiting, 1))
    headers = {"Content-Type": "application/json"}
    if forge == "wrong secret":
        headers["Stripe-Signature"] = stripe_signature(payload, secret="whsec_someone_else")
    elif forge == "tampered body":
        headers["Stripe-Signature"] = stripe_signature(payload)
        payload = payload.replace('"amount_total": 5000', '"amount_total": 1')
    elif forge == "stale timestamp":   # a replay of a genuine delivery from more than 5 minutes ago
        headers["Stripe-Signature"] = stripe_signature(payload, at=int(time.time()) - 301)
    elif forge == "timestamp from the future only":
        signed = stripe_signature(payload, at=int(time.time()))
        headers["Stripe-Signature"] = signed.replace("t=", "t=1", 1)   # the t no longer matches what was signed
    elif forge == "garbage header":
        headers["Stripe-Signature"] = "v1=deadbeef"
    response = client.post("/stripe/webhook", content=payload.encode(), headers=headers)
    assert response.status_code == 400
    assert "Traceback" not in response.text
    assert state(db_url) == before


def test_a_signature_within_tolerance_is_accepted(client, db_url, awaiting):
    response = post_event(client, session_completed(awaiting, 1), at=int(time.time()) - 240)
    assert response.status_code == 200 and response.json()["outcome"] == "confirmed"


@pytest.mark.parametrize("body", ["{not json", "", "[1, 2]", '"a string"', '{"id": "evt_1"}',
                                  '{"id": "evt_1", "type": "checkout.session.completed", "data": {}}'])
def test_a_signed_body_that_is_not_an_event_is_a_400(client, db_url, awaiting, body):
    before = state(db_url)
    response = client.post("/stripe/webhook", content=body.encode(),
                           headers={"Stripe-Signature": stripe_signature(body), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert state(db_url) == before


def test_an_unknown_event_type_is_acknowledged_and_ignored(client, db_url, awaiting):
    before = state(db_url)
    unknown = event("customer.subscription.trial_will_end", {"id": "sub_1", "object": "subscription"},
                    event_id="evt_unknown_1")
    response = post_event(client, unknown)
    assert response.status_code == 200 and response.json() == {"received": "evt_unknown_1", "outcome": "ignored"}
    assert state(db_url) == {**before, "events": [("evt_unknown_1", "customer.subscription.trial_will_end",
                                                   "ignored")]}
    assert post_event(client, unknown).json()["outcome"] == "duplicate"


def test_the_same_event_twice_is_applied_once(client, db_url, awaiting, dispatcher):
    completed = session_completed(awaiting, 1, event_id="evt_completed_1")
    assert post_event(client, completed).json()["outcome"] == "confirmed"
    assert post_event(client, completed).json()["outcome"] == "duplicate"
    # Another event about the same payment (Stripe may send one per endpoint or on a retry with a new id).
    assert post_event(client, session_completed(awaiting, 1)).json()["outcome"] == "already_paid"
    dispatcher.tick()
    assert rows(db_url, "select count(*) from message where phone = :p and direction = 'out' "
                        "and reply_to_id is null", p=DANA) == [(1,)]
    assert rows(db_url, "select count(*) from provider_event where event_id = 'evt_completed_1'") == [(1,)]


def test_a_session_that_is_not_ours_is_acknowledged(client, db_url, awaiting):
    before = state(db_url)
    response = post_event(client, session_completed("cs_live_elsewhere", 99, event_id="evt_other_1"))
    assert response.status_code == 200 and response.json()["outcome"] == "unknown_payment"
    assert state(db_url) == {**before, "events": [("evt_other_1", "checkout.session.completed", "unknown_payment")]}


def test_a_session_naming_another_booking_is_not_applied(client, db_url, awaiting):
    """The checkout id and the booking in its metadata must agree."""
    assert post_event(client, session_completed(awaiting, 7)).json()["outcome"] == "unknown_payment"
    assert rows(db_url, "select status from booking") == [("awaiting_payment",)]


def test_a_delayed_payment_method_confirms_when_the_money_arrives(client, db_url, awaiting):
    pending = session_completed(awaiting, 1, payment_status="unpaid")
    assert post_event(client, pending).json()["outcome"] == "ignored"
    assert rows(db_url, "select status from booking") == [("awaiting_payment",)]
    succeeded = session_completed(awaiting, 1)
    succeeded["type"] = "checkout.session.async_payment_succeeded"
    assert post_event(client, succeeded).json()["outcome"] == "confirmed"


def test_a_refund_reported_before_the_payment_keeps_the_booking_unconfirmed(client, db_url, awaiting):
    """Out of order: the owner refunded from Stripe's dashboard and the refund event overtook "completed"."""
    assert post_event(client, charge_refunded(1, payment_intent="pi_test_77")).json()["outcome"] == "refund_recorded"
    assert post_event(client, session_completed(awaiting, 1, payment_intent="pi_test_77")
                      ).json()["outcome"] == "already_paid"
    assert rows(db_url, "select status from booking") == [("awaiting_payment",)]
    assert rows(db_url, "select status, payment_intent, refunded_cents from payment") == [
        ("refunded", "pi_test_77", 5000)]


def test_partial_refunds_add_up_whatever_order_they_arrive_in(client, db_url, awaiting):
    post_event(client, session_completed(awaiting, 1, payment_intent="pi_test_8"))
    second = charge_refunded(1, payment_intent="pi_test_8", refunded=3000)    # running total after two refunds
    first = charge_refunded(1, payment_intent="pi_test_8", refunded=1000)
    assert post_event(client, second).json()["outcome"] == "refund_recorded"
    assert post_event(client, first).json()["outcome"] == "refund_recorded"
    assert rows(db_url, "select status, refunded_cents from payment") == [("paid", 3000)]
    assert rows(db_url, "select status from booking") == [("confirmed",)]


def test_without_a_webhook_secret_stripe_is_told_to_retry_later(app, client, awaiting, db_url):
    app.state.settings = app.state.settings.model_copy(update={"stripe_webhook_secret": ""})
    response = post_event(client, session_completed(awaiting, 1))
    assert response.status_code == 503
    assert rows(db_url, "select count(*) from provider_event") == [(0,)]


def test_the_page_after_checkout(client):
    page = client.get("/stripe/return?paid=1")
    assert page.status_code == 200 and "We'll text you the confirmation" in page.text
