"""Deposits through Stripe, whole conversations: the customer texts over the signed Twilio webhook, the bot
makes a Checkout Session with the real stripe SDK (against Prism), and Stripe's signed webhook moves the
booking on. The stand-in keeps no state, so what happened is read from our database."""

from datetime import timedelta

import pytest

from tests.conftest import DANA, LEE, OWNER, calendar_line, execute, replies, rows, signed_post, twilio_form
from tests.support.stripe_standin import charge_refunded, post_event, session_completed, session_expired

CONFIRMED_DANA = ("You're confirmed! Full Detail on Wed Mar 11, 2:00 PM with Shine Mobile Detailing (we come to you "
                  "at 1100 Congress Ave, Austin, TX). Need to change or cancel? Call or text (555) 000-2222.")
LAPSED = ("Your hold on Full Detail for Wed Mar 11, 2:00 PM has lapsed, so the time was released. "
          "Text a day and time (e.g. 'tomorrow afternoon') to start again.")


@pytest.fixture
def app(stripe_app):
    """Every test here runs the app as configured with STRIPE_SECRET_KEY (and the client, dispatcher on it)."""
    return stripe_app


def ask_for_the_link(client, phone=DANA, name="Dana") -> str:
    signed_post(client, twilio_form("tomorrow 2pm full detail", from_=phone))
    signed_post(client, twilio_form("1", from_=phone))
    return replies(signed_post(client, twilio_form(name, from_=phone)))[0]


def checkout_of(db_url, booking_id: int) -> str:
    return rows(db_url, "select provider_ref from payment where booking_id = :b and status != 'failed'",
                b=booking_id)[-1][0]


def texts_to(db_url, phone: str) -> list[str]:
    """What the bot sent on its own (not as a reply) to this phone, in order."""
    return [r[0] for r in rows(db_url, "select body from message where phone = :p and direction = 'out' "
                                       "and reply_to_id is null order by id", p=phone)]


def one_technician(db_url):
    execute(db_url, "update staff set active = false where name = 'Sam'")


def test_hold_link_paid_on_stripe_confirmation_in_the_same_thread(client, db_url, dispatcher, stripe_http):
    link = ask_for_the_link(client)
    assert link == ("Thanks Dana! To lock in your Full Detail on Wed Mar 11, 2:00 PM, please pay the $50 deposit "
                    "here: https://checkout.stripe.test/c/pay/cs_test_2")
    (session,) = stripe_http.posts("/v1/checkout/sessions")
    assert session.idempotency_key == "checkout-booking-1-1"
    assert session.form["line_items[0][price_data][product_data][name]"] == "Deposit: Full Detail, Wed Mar 11, 2:00 PM"
    assert (session.form["client_reference_id"], session.form["customer"]) == ("booking-1", "cus_test_1")
    assert rows(db_url, "select provider, status, provider_ref, expires_at from payment") == [
        ("stripe", "pending", "cs_test_2", "2026-03-10 14:47:00.000000")]   # 9:15 CDT + 32 min, in UTC
    assert rows(db_url, "select status, hold_expires_at from booking") == [
        ("awaiting_payment", "2026-03-10 14:45:00.000000")]                # the hold itself: 30 min
    assert rows(db_url, "select payer_ref from customer where phone = :p", p=DANA) == [("cus_test_1",)]

    response = post_event(client, session_completed("cs_test_2", 1, payment_intent="pi_test_dana"))
    assert response.status_code == 200 and response.json()["outcome"] == "confirmed"
    dispatcher.tick()

    assert rows(db_url, "select status from booking") == [("confirmed",)]
    assert rows(db_url, "select status, payment_intent from payment") == [("paid", "pi_test_dana")]
    assert texts_to(db_url, DANA) == [f"{CONFIRMED_DANA}\n{calendar_line(db_url, DANA)}"]
    assert texts_to(db_url, OWNER) == ["New booking: Dana ((555) 010-0001), Full Detail, Wed Mar 11, 2:00 PM, "
                                       "1100 Congress Ave, Austin, TX."]
    # The thread carries on normally: a new text is a new request, not an answer to the deposit.
    assert "Wed Mar 11" in replies(signed_post(client, twilio_form("tomorrow afternoon express wash")))[0]


def test_asking_twice_gets_the_same_checkout(client, db_url, stripe_http):
    link = ask_for_the_link(client)
    again = replies(signed_post(client, twilio_form("where do I pay?")))[0]
    assert "https://checkout.stripe.test/c/pay/cs_test_2" in link and "cs_test_2" in again
    assert len(stripe_http.posts("/v1/checkout/sessions")) == 1
    assert rows(db_url, "select count(*) from payment") == [(1,)]


def test_checkout_expired_at_stripe_releases_the_hold_and_offers_a_fresh_start(client, db_url, dispatcher, clock):
    ask_for_the_link(client)
    response = post_event(client, session_expired("cs_test_2", 1))
    assert response.json()["outcome"] == "released"
    dispatcher.tick()
    assert rows(db_url, "select b.status, p.status from booking b join payment p on p.booking_id = b.id") == [
        ("expired", "expired")]
    assert texts_to(db_url, DANA) == [LAPSED]
    # Starting again offers the released time.
    assert "Wed Mar 11, 2:00 PM" in replies(signed_post(client, twilio_form("tomorrow 2pm full detail")))[0]
    # Our own expiry, due later, finds nothing left to do: no second text.
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()
    assert texts_to(db_url, DANA) == [LAPSED]


def test_the_hold_lapsing_first_expires_the_session_and_its_event_changes_nothing(client, db_url, dispatcher, clock,
                                                                                 stripe_http):
    ask_for_the_link(client)
    clock.advance(timedelta(minutes=30, seconds=30))   # the hold (30 min) lapses; the session has 90 s left
    dispatcher.tick()
    assert [c.path for c in stripe_http.posts("/v1/checkout/sessions/")] == ["/v1/checkout/sessions/cs_test_2/expire"]
    assert rows(db_url, "select status from booking") == [("expired",)]
    assert texts_to(db_url, DANA) == [LAPSED]

    assert post_event(client, session_expired("cs_test_2", 1)).json()["outcome"] == "already_expired"
    dispatcher.tick()
    assert texts_to(db_url, DANA) == [LAPSED]


def test_a_late_payment_after_the_slot_was_taken_is_refunded_with_an_apology(client, db_url, dispatcher, clock,
                                                                             stripe_http):
    one_technician(db_url)
    ask_for_the_link(client, DANA, "Dana")
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()                                  # Dana's hold lapses; her session is expired at Stripe
    lee_link = ask_for_the_link(client, LEE, "Lee")
    assert "$50 deposit" in lee_link
    assert post_event(client, session_completed(checkout_of(db_url, 2), 2, payment_intent="pi_test_lee")
                      ).json()["outcome"] == "confirmed"
    # Dana had paid in the last second before her session closed: Stripe tells us now.
    late = post_event(client, session_completed(checkout_of(db_url, 1), 1, payment_intent="pi_test_dana"))
    assert late.status_code == 200 and late.json()["outcome"] == "refunded"
    dispatcher.tick()

    assert rows(db_url, "select c.name, b.status from booking b join customer c on c.id = b.customer_id "
                        "order by b.id") == [("Dana", "expired"), ("Lee", "confirmed")]
    (refund,) = stripe_http.posts("/v1/refunds")
    assert refund.idempotency_key == "late-1" and refund.form == {"payment_intent": "pi_test_dana", "amount": "5000"}
    assert rows(db_url, "select booking_id, status, refunded_cents, refund_ref like 're_test_%' from payment "
                        "order by id") == [(1, "refunded", 5000, 1), (2, "paid", 0, None)]
    assert texts_to(db_url, DANA) == [
        LAPSED, "Sorry! Your deposit arrived after the hold on Full Detail for Wed Mar 11, 2:00 PM lapsed and that "
                "time is now taken. We've refunded the deposit in full. Text a day and time to pick another."]
    # Never a double booking.
    assert rows(db_url, "select count(*) from booking where status = 'confirmed'") == [(1,)]


def test_when_the_late_refund_fails_stripe_retries_the_event_and_it_applies_once(client, db_url, dispatcher, clock,
                                                                                stripe_http):
    one_technician(db_url)
    ask_for_the_link(client, DANA, "Dana")
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()
    ask_for_the_link(client, LEE, "Lee")
    post_event(client, session_completed(checkout_of(db_url, 2), 2, payment_intent="pi_test_lee"))
    late = session_completed(checkout_of(db_url, 1), 1, payment_intent="pi_test_dana")
    stripe_http.prefer = "code=400"
    response = post_event(client, late)
    assert response.status_code == 503                    # Stripe will deliver it again later
    assert rows(db_url, "select status, refund_ref from payment where booking_id = 1") == [("expired", None)]
    assert rows(db_url, "select count(*) from provider_event where type = 'checkout.session.completed'") == [(1,)]
    stripe_http.prefer = None
    assert post_event(client, late).json()["outcome"] == "refunded"
    assert [c.idempotency_key for c in stripe_http.posts("/v1/refunds")] == ["late-1", "late-1"]   # one refund
    dispatcher.tick()
    assert texts_to(db_url, DANA)[-1].startswith("Sorry! Your deposit arrived after the hold")


def test_a_late_payment_while_the_time_is_still_free_books_it(client, db_url, dispatcher, clock):
    ask_for_the_link(client)
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()
    assert post_event(client, session_completed("cs_test_2", 1)).json()["outcome"] == "confirmed"
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("confirmed",)]
    assert texts_to(db_url, DANA) == [LAPSED, f"{CONFIRMED_DANA}\n{calendar_line(db_url, DANA)}"]


def test_stripe_refusing_the_checkout_gets_a_kind_message_and_pay_tries_again(client, db_url, stripe_http):
    stripe_http.prefer = "code=400"
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    sorry = replies(signed_post(client, twilio_form("Dana")))
    assert sorry == ["Thanks Dana! Sorry, I couldn't create the payment link just now. Reply PAY to try again, or "
                     "call or text (555) 000-2222."]
    # The time stays held for a retry; the failed attempt is on record.
    assert rows(db_url, "select status, hold_expires_at from booking") == [("held", "2026-03-10 14:30:00.000000")]
    assert rows(db_url, "select status, url, provider_ref from payment") == [("failed", "", None)]

    stripe_http.prefer = None
    link = replies(signed_post(client, twilio_form("pay")))[0]
    assert link.startswith("To lock in your Full Detail on Wed Mar 11, 2:00 PM, please pay the $50 deposit here: "
                           "https://checkout.stripe.test/c/pay/cs_test_")
    # Stripe refused the first call of the first attempt; the retry is a new attempt with its own keys.
    assert [(c.path, c.idempotency_key) for c in stripe_http.posts("/v1/")] == [
        ("/v1/customers", "checkout-booking-1-1-payer"), ("/v1/customers", "checkout-booking-1-2-payer"),
        ("/v1/checkout/sessions", "checkout-booking-1-2")]
    assert rows(db_url, "select status from payment order by id") == [("failed",), ("pending",)]
    assert rows(db_url, "select status from booking") == [("awaiting_payment",)]


def test_stripe_refusing_in_spanish(client, db_url, stripe_http):
    stripe_http.prefer = "code=400"
    signed_post(client, twilio_form("mañana a las 2pm detallado completo", from_=LEE))
    signed_post(client, twilio_form("1", from_=LEE))
    assert replies(signed_post(client, twilio_form("Lee", from_=LEE))) == [
        "¡Gracias, Lee! Perdón, no pude crear el enlace de pago en este momento. Responde PAGAR para intentarlo de "
        "nuevo, o llámanos o escríbenos: (555) 000-2222."]


def test_owner_cancels_refund_goes_through_stripe_and_its_event_is_only_recorded(client, db_url, dispatcher,
                                                                                  stripe_http):
    ask_for_the_link(client)
    completed = session_completed("cs_test_2", 1, payment_intent="pi_test_dana")
    post_event(client, completed)
    reply = replies(signed_post(client, twilio_form("cancel 1", from_=OWNER)))
    assert reply == ["Cancelled #1 Full Detail, Wed Mar 11, 2:00 PM (Dana). Refunded the $50 deposit; Dana has been "
                     "told."]
    (refund,) = stripe_http.posts("/v1/refunds")
    assert refund.idempotency_key == "cancel-1" and refund.form["payment_intent"] == "pi_test_dana"
    # Stripe reports the refund; then an old delivery of "completed" arrives again. Neither changes anything.
    assert post_event(client, charge_refunded(1, payment_intent="pi_test_dana")).json()["outcome"] == "refund_recorded"
    assert post_event(client, completed).json()["outcome"] == "duplicate"
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("cancelled",)]
    assert rows(db_url, "select status, refunded_cents, refund_ref from payment") == [("refunded", 5000, "re_test_3")]
    assert texts_to(db_url, DANA) == [
        f"{CONFIRMED_DANA}\n{calendar_line(db_url, DANA)}",
        "Sorry, Shine Mobile Detailing had to cancel your Full Detail on Wed Mar 11, 2:00 PM. Your $50 "
        "deposit has been refunded. Text a day and time to book another."]


def test_owner_cancel_when_stripe_cannot_refund_leaves_the_booking_alone(client, db_url, stripe_http):
    ask_for_the_link(client)
    post_event(client, session_completed("cs_test_2", 1, payment_intent="pi_test_dana"))
    due_before = rows(db_url, "select id, kind, due_at, done_at from due_work order by id")
    stripe_http.prefer = "code=400"
    reply = replies(signed_post(client, twilio_form("cancel 1", from_=OWNER)))
    assert reply == ["I couldn't refund the deposit of #1 just now, so it is NOT cancelled. Try again in a minute."]
    assert rows(db_url, "select status from booking") == [("confirmed",)]
    assert rows(db_url, "select status, refund_ref from payment") == [("paid", None)]
    assert rows(db_url, "select id, kind, due_at, done_at from due_work order by id") == due_before  # reminders kept


def test_the_owner_sees_the_stripe_ids_by_text(client, db_url):
    ask_for_the_link(client)
    post_event(client, session_completed("cs_test_2", 1, payment_intent="pi_test_dana"))
    assert replies(signed_post(client, twilio_form("#1", from_=OWNER))) == [
        "#1 Full Detail, Wed Mar 11, 2:00 PM - confirmed\n"
        "Dana (555) 010-0001, 1100 Congress Ave, Austin, TX\n"
        "Deposit $50 paid (cs_test_2, pi_test_dana)"]
    assert replies(signed_post(client, twilio_form("payments", from_=OWNER))) == [
        "Deposits, newest first:\n#1 Dana, Full Detail Wed Mar 11, 2:00 PM: $50 paid (cs_test_2, pi_test_dana)"]


def test_a_stripe_deposit_cannot_be_paid_on_the_local_page(client, db_url):
    ask_for_the_link(client)
    (token,) = rows(db_url, "select token from payment")[0]
    assert client.get(f"/pay/{token}").status_code == 404
    assert client.post(f"/pay/{token}", follow_redirects=False).status_code == 404
    assert rows(db_url, "select b.status, p.status from booking b join payment p on p.booking_id = b.id") == [
        ("awaiting_payment", "pending")]


def test_a_name_after_the_hold_lapsed_makes_no_checkout(client, db_url, clock, stripe_http):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    clock.advance(timedelta(minutes=16))   # the 15-minute hold is over; the dispatcher has not run yet
    assert replies(signed_post(client, twilio_form("Dana"))) == [
        "Thanks Dana! Sorry, the hold on Wed Mar 11, 2:00 PM has lapsed. Tell me a day and time to start again "
        "(e.g. 'tomorrow afternoon')."]
    assert stripe_http.calls == []
    assert rows(db_url, "select count(*) from payment") == [(0,)]
