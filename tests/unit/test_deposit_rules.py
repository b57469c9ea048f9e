"""The deposit rule (service, business default, no-show) and how a Stripe event is read."""

import pytest

from bot.adapters.payment import EventKind
from bot.adapters.stripe_payments import BadEvent, gateway_event
from bot.domain.deposit import DepositPolicy, DepositRule, deposit_due, rule_of

NONE = DepositRule(DepositPolicy.NONE)
FIXED_50 = DepositRule(DepositPolicy.FIXED, cents=5000)
PERCENT_20 = DepositRule(DepositPolicy.PERCENT, percent=20)


@pytest.mark.parametrize(("price", "service", "business", "no_shows", "no_show_cents", "expected"), [
    (18000, FIXED_50, NONE, 0, 0, 5000),            # the service's own amount
    (9000, None, PERCENT_20, 0, 0, 1800),           # no rule of its own: the business's 20%
    (9999, None, PERCENT_20, 0, 0, 2000),           # 1999.8 cents rounds to 2000
    (9997, None, PERCENT_20, 0, 0, 1999),           # 1999.4 cents rounds to 1999
    (4000, NONE, PERCENT_20, 0, 0, 0),              # "none" on the service beats the business default
    (4000, NONE, NONE, 1, 2500, 2500),              # a past no-show: a deposit even where none is taken
    (18000, FIXED_50, NONE, 2, 2500, 5000),         # ... but never less than the service's own
    (4000, NONE, NONE, 0, 2500, 0),                 # no no-shows: the rule does not apply
    (4000, NONE, NONE, 3, 0, 0),                    # the business does not ask after no-shows
    (3000, FIXED_50, NONE, 0, 0, 3000),             # never more than the price
    (0, FIXED_50, NONE, 0, 0, 5000),                # a free service with a booking fee
])
def test_deposit_due(price, service, business, no_shows, no_show_cents, expected):
    assert deposit_due(price, service_rule=service, business_rule=business, past_no_shows=no_shows,
                       no_show_deposit_cents=no_show_cents) == expected


def test_a_stored_policy_as_a_rule():
    assert rule_of(None, 5000, None) is None
    assert rule_of("fixed", 5000, None) == FIXED_50
    assert rule_of("percent", 0, 20) == PERCENT_20
    with pytest.raises(ValueError):
        rule_of("sometimes", 0, 0)


def envelope(kind: str, obj: dict) -> dict:
    return {"id": "evt_1", "object": "event", "type": kind, "data": {"object": obj}}


def test_a_paid_checkout():
    e = gateway_event(envelope("checkout.session.completed", {
        "id": "cs_1", "object": "checkout.session", "payment_status": "paid", "amount_total": 5000,
        "client_reference_id": "booking-7", "metadata": {"booking_id": "7"},
        "payment_intent": {"id": "pi_1", "object": "payment_intent"}}))   # expanded, as with expand[]=payment_intent
    assert (e.kind, e.provider_ref, e.booking_id, e.payment_intent, e.amount_cents) == (
        EventKind.PAID, "cs_1", 7, "pi_1", 5000)


def test_the_booking_comes_from_the_reference_when_the_metadata_is_gone():
    e = gateway_event(envelope("checkout.session.expired", {"id": "cs_1", "client_reference_id": "booking-12",
                                                            "metadata": {}}))
    assert (e.kind, e.booking_id) == (EventKind.EXPIRED, 12)


@pytest.mark.parametrize(("kind", "obj", "expected"), [
    ("checkout.session.completed", {"id": "cs_1", "payment_status": "unpaid"}, EventKind.IGNORED),
    ("checkout.session.async_payment_succeeded", {"id": "cs_1", "payment_status": "paid"}, EventKind.PAID),
    ("checkout.session.async_payment_failed", {"id": "cs_1"}, EventKind.EXPIRED),
    ("charge.refunded", {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": 2500}, EventKind.REFUNDED),
    ("payment_intent.created", {"id": "pi_1"}, EventKind.IGNORED),
])
def test_event_kinds(kind, obj, expected):
    assert gateway_event(envelope(kind, obj)).kind is expected


@pytest.mark.parametrize("data", [{}, {"id": "evt_1", "type": "x"}, {"id": "", "type": "x", "data": {"object": {}}},
                                  {"id": "evt_1", "type": "x", "data": {"object": "cs_1"}},
                                  {"id": 5, "type": "x", "data": {"object": {}}}])
def test_not_an_event(data):
    with pytest.raises(BadEvent):
        gateway_event(data)
