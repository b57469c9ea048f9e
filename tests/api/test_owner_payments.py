"""The owner's texts about deposits: a booking's payments, recent deposits, cancelling (always refunds) and
no-shows (the deposit is kept, and the customer may owe a deposit next time). Local payment page."""

from datetime import timedelta

from tests.conftest import DANA, LEE, OWNER, execute, replies, rows, signed_post, twilio_form


def book_and_pay(client, phone=DANA, name="Dana", text="tomorrow 2pm full detail") -> str:
    signed_post(client, twilio_form(text, from_=phone))
    signed_post(client, twilio_form("1", from_=phone))
    link = replies(signed_post(client, twilio_form(name, from_=phone)))[0]
    client.post(f"/pay/{link.split('/pay/')[1].split()[0]}")
    return link


def owner(client, text: str) -> str:
    (reply,) = replies(signed_post(client, twilio_form(text, from_=OWNER)))
    return reply


def test_a_booking_and_its_payments(client):
    book_and_pay(client)
    assert owner(client, "#1") == ("#1 Full Detail, Wed Mar 11, 2:00 PM - confirmed\n"
                                   "Dana (555) 010-0001, 1100 Congress Ave, Austin, TX\n"
                                   "Deposit $50 paid")
    assert owner(client, "booking 1") == owner(client, "#1")
    assert owner(client, "#42") == "I can't find booking #42."


def test_recent_deposits_newest_first(client):
    book_and_pay(client)
    book_and_pay(client, LEE, "Lee", "friday 10am express wash")
    assert owner(client, "payments") == ("Deposits, newest first:\n"
                                         "#2 Lee, Express Wash Fri Mar 13, 10:00 AM: $10 paid\n"
                                         "#1 Dana, Full Detail Wed Mar 11, 2:00 PM: $50 paid")


def test_owner_cancel_always_refunds_and_tells_the_customer(client, db_url, dispatcher, app):
    book_and_pay(client)
    # Less than a day ahead is past the customer's refund notice, but the owner cancelling always refunds.
    assert owner(client, "cancel 1") == ("Cancelled #1 Full Detail, Wed Mar 11, 2:00 PM (Dana). Refunded the $50 "
                                         "deposit; Dana has been told.")
    dispatcher.tick()
    assert app.state.adapters.payments.refunds == [{"ref": "local_" + rows(db_url, "select token from payment")[0][0],
                                                    "amount_cents": 5000, "key": "cancel-1"}]
    assert rows(db_url, "select b.status, p.status, p.refunded_cents from booking b join payment p "
                        "on p.booking_id = b.id") == [("cancelled", "refunded", 5000)]
    told = rows(db_url, "select body from message where phone = :p and direction = 'out' and reply_to_id is null "
                        "order by id", p=DANA)
    assert told[-1] == ("Sorry, Shine Mobile Detailing had to cancel your Full Detail on Wed Mar 11, 2:00 PM. Your $50 "
                        "deposit has been refunded. Text a day and time to book another.",)
    assert owner(client, "cancel 1") == "#1 is cancelled, so I can't cancel it."
    assert owner(client, "cancel 7") == "I can't find booking #7."


def test_owner_cancel_in_the_customers_language(client, db_url, dispatcher):
    book_and_pay(client, LEE, "Lee", "mañana a las 2pm detallado completo")
    owner(client, "cancel 1")
    dispatcher.tick()
    told = rows(db_url, "select body from message where phone = :p and direction = 'out' and reply_to_id is null "
                        "order by id", p=LEE)
    assert told[-1] == ("Perdón, Shine Mobile Detailing tuvo que cancelar tu cita del mié 11 mar, 2:00 p. m. "
                        "(Full Detail). Te devolvimos el depósito de $50. Escríbenos un día y una hora para agendar "
                        "otra.",)


def test_a_no_show_keeps_the_deposit_and_counts_against_the_customer(client, db_url, clock, app):
    book_and_pay(client)
    assert owner(client, "noshow 1") == ("#1 is on Wed Mar 11, 2:00 PM: you can mark a no-show once it has "
                                         "started.")
    clock.advance(timedelta(days=1, hours=5, minutes=30))   # Wed 2:45 PM: Dana never came
    assert owner(client, "NO-SHOW #1") == ("#1 Full Detail, Wed Mar 11, 2:00 PM marked as a no-show: the $50 deposit "
                                           "is kept. Dana: 1 no-show so far.")
    assert rows(db_url, "select b.status, p.status from booking b join payment p on p.booking_id = b.id") == [
        ("no_show", "paid")]
    assert app.state.adapters.payments.refunds == []
    # Marking it again changes nothing.
    owner(client, "noshow 1")
    assert rows(db_url, "select no_show_count from customer where phone = :p", p=DANA) == [(1,)]
    assert "No-shows: 1." in owner(client, "#1")
    assert owner(client, "cancel 1") == "#1 is no show, so I can't cancel it."


def test_after_a_no_show_a_deposit_is_asked_even_where_the_service_takes_none(client, db_url, clock):
    execute(db_url, "update service set deposit_policy = 'none' where name = 'Express Wash'")
    execute(db_url, "update business set no_show_deposit_cents = 2500")
    # Lee has no no-shows: the wash is booked straight away, no deposit.
    signed_post(client, twilio_form("friday 10am express wash", from_=LEE))
    signed_post(client, twilio_form("1", from_=LEE))
    assert replies(signed_post(client, twilio_form("Lee", from_=LEE)))[0].startswith("Thanks Lee! You're confirmed!")
    # Dana missed her appointment.
    book_and_pay(client)
    clock.advance(timedelta(days=1, hours=6))
    owner(client, "noshow 2")
    signed_post(client, twilio_form("friday 3pm express wash"))
    link = replies(signed_post(client, twilio_form("1")))[0]   # we know her name now: straight to the deposit
    assert link.startswith("To lock in your Express Wash on Fri Mar 13, 3:00 PM, please pay the $25 deposit here: ")
    assert rows(db_url, "select deposit_cents from booking where id = 3") == [(2500,)]


def test_a_business_default_deposit_of_a_percentage(client, db_url):
    execute(db_url, "update business set deposit_policy = 'percent', deposit_percent = 25")
    execute(db_url, "update service set deposit_policy = null where name = 'Full Detail'")
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    assert "please pay the $45 deposit here" in replies(signed_post(client, twilio_form("Dana")))[0]
    assert "$45 deposit to book" in replies(signed_post(client, twilio_form("how much is a full detail?", from_=LEE)))[0]


def test_owner_help_lists_the_commands(client):
    assert "CANCEL 12" in owner(client, "help") and "NOSHOW 12" in owner(client, "what can you do")


def test_a_no_show_can_still_be_marked_after_the_job_was_closed_automatically(client, db_url, clock, dispatcher):
    book_and_pay(client)
    clock.advance(timedelta(days=1, hours=10))   # Wed 7:15 PM: the follow-up ran and marked the job done
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("completed",)]
    assert owner(client, "noshow 1").startswith("#1 Full Detail, Wed Mar 11, 2:00 PM marked as a no-show")
    assert rows(db_url, "select b.status, c.no_show_count from booking b join customer c on c.id = b.customer_id"
                ) == [("no_show", 1)]


def test_an_expired_hold_cannot_be_a_no_show(client, db_url, clock, dispatcher):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    clock.advance(timedelta(days=2))
    dispatcher.tick()
    assert owner(client, "noshow 1") == "#1 is expired, so I can't mark it as a no-show."
