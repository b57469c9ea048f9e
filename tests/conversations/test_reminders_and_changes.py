"""Reminders, reschedules, cancellations and the waitlist, as whole SMS threads through the signed webhook.

The clock starts on Tuesday 10 March 2026, 9:15 AM in Chicago (CDT since 8 March). Dana books a Full
Detail on Wednesday at 2:00 PM and pays the $50 deposit.
"""

from datetime import datetime

from tests.conftest import DANA, LEE, OWNER, PAT, calendar_line, execute, rows
from tests.conversations.support import at, book, due, later, say, texts_to

WED_2PM = "tomorrow 2pm full detail"
REMINDER_24H = ("Reminder: your Full Detail with Shine Mobile Detailing is on Wed Mar 11, 2:00 PM (we come to you "
                "at 1100 Congress Ave, Austin, TX). Reply C to confirm, R to reschedule, X to cancel.")


def test_a_confirmed_booking_gets_its_reminders_once_each(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    # 24 h before (Tue 2:00 PM CDT = 19:00 UTC) and 2 h before (Wed noon), then the follow-up after the job.
    assert due(db_url, "reminder") == [("2026-03-10 19:00:00.000000", False), ("2026-03-11 17:00:00.000000", False)]
    assert due(db_url, "follow_up") == [("2026-03-12 00:00:00.000000", False)]

    at(clock, datetime(2026, 3, 10, 13, 59))
    dispatcher.tick()
    assert texts_to(db_url, DANA, kind="reminder") == []
    later(clock, minutes=2)
    dispatcher.tick()
    dispatcher.tick()
    assert texts_to(db_url, DANA, kind="reminder") == [(REMINDER_24H, "sent")]
    assert [m["body"] for m in dispatcher.adapters.messages.sent].count(REMINDER_24H) == 1

    at(clock, datetime(2026, 3, 11, 12, 0))
    dispatcher.tick()
    assert [status for _, status in texts_to(db_url, DANA, kind="reminder")] == ["sent", "sent"]


def test_reply_c_confirms_attendance(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 10, 14, 0))
    dispatcher.tick()
    assert say(client, "C") == ["Thanks for confirming! See you on Wed Mar 11, 2:00 PM."]
    assert rows(db_url, "select attendance_confirmed_at from booking") == [("2026-03-10 19:00:00.000000",)]
    # The thread is back to normal: the next text is a new request.
    assert "Here's what's open" in say(client, "sat morning express wash")[0]


def test_reply_r_moves_the_booking_and_its_reminders_and_keeps_the_deposit(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 10, 14, 0))
    dispatcher.tick()
    assert say(client, "R") == ["Sure! When would you like to move your Full Detail on Wed Mar 11, 2:00 PM to? "
                                "(e.g. 'friday afternoon')"]
    offers = say(client, "friday afternoon")[0]
    assert offers.startswith("Here's what's open to move your Full Detail to:\n1) Fri Mar 13, 12:00 PM")
    assert say(client, "2") == ["Done! Your Full Detail is moved to Fri Mar 13, 2:00 PM. "
                                f"Your $50 deposit carries over.\n{calendar_line(db_url, DANA)}"]

    assert rows(db_url, "select status, start_at from booking") == [("confirmed", "2026-03-13 19:00:00.000000")]
    assert rows(db_url, "select status from payment") == [("paid",)]
    # The old reminder (Wed noon) is dropped; Fri's are planned: Thu 2:00 PM and Fri noon.
    assert due(db_url, "reminder") == [("2026-03-10 19:00:00.000000", True), ("2026-03-11 17:00:00.000000", True),
                                       ("2026-03-12 19:00:00.000000", False), ("2026-03-13 17:00:00.000000", False)]
    assert texts_to(db_url, OWNER)[-1] == ("Moved by the customer: Dana ((555) 010-0001), Full Detail, from "
                                           "Wed Mar 11, 2:00 PM to Fri Mar 13, 2:00 PM.", "queued")
    at(clock, datetime(2026, 3, 11, 12, 0))
    dispatcher.tick()
    assert len(texts_to(db_url, DANA, kind="reminder")) == 1  # only Tuesday's, sent before the move


def test_can_i_move_it_to_friday_without_a_reminder(client, db_url, dispatcher):
    book(client, dispatcher, WED_2PM)
    offers = say(client, "can I move it to friday")[0]
    assert offers.startswith("Here's what's open to move your Full Detail to:\n1) Fri Mar 13")
    assert say(client, "no thanks") == ["No problem, your Full Detail on Wed Mar 11, 2:00 PM stays as it is."]
    assert rows(db_url, "select start_at from booking") == [("2026-03-11 19:00:00.000000",)]


def test_reply_x_tells_the_policy_then_cancels_refunds_and_drops_the_reminders(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 10, 14, 0))
    dispatcher.tick()
    assert say(client, "X") == ["Cancel your Full Detail on Wed Mar 11, 2:00 PM? Your $50 deposit will be refunded. "
                                "Reply YES to cancel it or NO to keep it."]
    assert rows(db_url, "select status from booking") == [("confirmed",)]
    assert say(client, "yes") == ["Done: your Full Detail on Wed Mar 11, 2:00 PM is cancelled. Your $50 deposit is "
                                  "on its way back to your card. Text us anytime to book again."]
    assert rows(db_url, "select status from booking") == [("cancelled",)]
    assert rows(db_url, "select status from payment") == [("refunded",)]
    assert len(dispatcher.adapters.payments.refunds) == 1
    assert all(done for _, done in due(db_url, "reminder") + due(db_url, "follow_up"))
    at(clock, datetime(2026, 3, 11, 12, 0))
    dispatcher.tick()
    assert len(texts_to(db_url, DANA, kind="reminder")) == 1  # the one sent before the cancellation
    assert texts_to(db_url, OWNER)[-1] == ("Cancelled by the customer: Dana ((555) 010-0001), Full Detail, "
                                           "Wed Mar 11, 2:00 PM.", "sent")


def test_a_late_cancellation_keeps_the_deposit_and_says_so_first(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 11, 9, 0))
    assert say(client, "cancel my appointment") == [
        "Cancel your Full Detail on Wed Mar 11, 2:00 PM? It's less than 24 hours away, so the $50 deposit can't be "
        "refunded. Reply YES to cancel it or NO to keep it."]
    assert say(client, "yes")[0] == ("Done: your Full Detail on Wed Mar 11, 2:00 PM is cancelled. "
                                     "Text us anytime to book again.")
    assert rows(db_url, "select status from payment") == [("paid",)]


def test_a_bare_cancel_is_an_opt_out_and_nothing_is_sent_after_it(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    assert "unsubscribed" in say(client, "CANCEL")[0]
    at(clock, datetime(2026, 3, 10, 14, 0))
    dispatcher.tick()
    assert texts_to(db_url, DANA, kind="reminder") == [(REMINDER_24H, "suppressed")]
    assert [m for m in dispatcher.adapters.messages.sent if m["to"] == DANA and "Reminder" in m["body"]] == []
    assert rows(db_url, "select status from booking") == [("confirmed",)]


def test_stop_after_the_reminder_was_queued_still_suppresses_it(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 10, 14, 0))
    from bot.db.session import transaction
    from bot.duework import run_due_work

    with transaction(db_url) as session:
        run_due_work(session, now=clock.now)  # the reminder is queued...
    say(client, "STOP")                        # ...and the customer opts out before it is sent
    dispatcher.tick()
    assert texts_to(db_url, DANA, kind="reminder") == [(REMINDER_24H, "suppressed")]


def test_a_cancellation_offers_the_slot_to_the_waitlist_in_order(client, db_url, clock, dispatcher):
    execute(db_url, "update staff set active = false where name = 'Sam'")  # one van: a freed slot is scarce
    book(client, dispatcher, WED_2PM)
    book(client, dispatcher, "friday 2pm full detail", from_=LEE, name="Lee")
    assert say(client, "text me if anything earlier opens", from_=LEE) == [
        "You're on the waitlist: if a time before Fri Mar 13, 2:00 PM opens for Full Detail, I'll text you right away."]

    say(client, "cancel my appointment")
    say(client, "yes")
    dispatcher.tick()
    assert texts_to(db_url, LEE)[-1] == (
        "Good news: Wed Mar 11, 2:00 PM just opened up, earlier than your Full Detail on Fri Mar 13, 2:00 PM. "
        "Reply YES within 15 minutes to move your booking there.", "sent")
    [(code,)] = rows(db_url, "select b.code from booking b join customer c on c.id = b.customer_id "
                             "where c.phone = :p and b.status = 'confirmed'", p=LEE)
    assert say(client, "yes", from_=LEE) == [
        "Done! Your Full Detail is moved to Wed Mar 11, 2:00 PM. Your $50 deposit carries over.\n"
        f"Add to calendar: https://bot.example.com/b/{code}.ics (Google: https://bot.example.com/b/{code}/google)"]
    assert rows(db_url, "select c.name, b.status, b.start_at from booking b join customer c on c.id = b.customer_id "
                        "where b.status = 'confirmed'") == [("Lee", "confirmed", "2026-03-11 19:00:00.000000")]
    assert rows(db_url, "select status from waitlist") == [("booked",)]


def test_an_unanswered_offer_passes_to_the_next_and_a_new_customer_goes_on_to_book(client, db_url, clock,
                                                                                    dispatcher):
    execute(db_url, "update staff set active = false where name = 'Sam'")
    book(client, dispatcher, WED_2PM)
    book(client, dispatcher, "friday 2pm full detail", from_=LEE, name="Lee")
    say(client, "anything earlier? text me if something opens", from_=LEE)
    # Pat has no booking: waiting for a time earlier than the ones offered.
    say(client, "friday afternoon full detail", from_=PAT)
    say(client, "4500 W 6th St, Austin", from_=PAT)
    assert "Meanwhile you can still reply 1, 2 or 3" in say(client, "text me if anything earlier opens", from_=PAT)[0]

    say(client, "cancel my appointment")
    say(client, "yes")
    assert "Good news: Wed Mar 11, 2:00 PM just opened up" in texts_to(db_url, LEE)[-1][0]
    later(clock, minutes=16)  # Lee does not answer within the 15 minutes
    dispatcher.tick()
    assert texts_to(db_url, PAT)[-1][0] == ("Good news: Wed Mar 11, 2:00 PM just opened up for Full Detail. Want it? "
                                            "Reply YES within 15 minutes and it's yours.")
    assert say(client, "yes", from_=PAT) == ["Great, I'm holding Wed Mar 11, 2:00 PM for you. What name should I put "
                                             "the booking under?"]
    assert "$50 deposit" in say(client, "Pat", from_=PAT)[0]
    assert say(client, "yes", from_=LEE) == ["Sorry, that time isn't available any more. I'll keep watching for "
                                             "another."]


def test_a_request_the_owner_never_approves_lapses_refunds_and_frees_the_slot(client, db_url, clock, dispatcher):
    execute(db_url, "update business set requires_approval = true")
    book(client, dispatcher, WED_2PM)
    assert rows(db_url, "select status from booking") == [("pending_approval",)]
    assert due(db_url, "reminder") == []
    later(clock, hours=24, minutes=1)
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("expired",)]
    assert rows(db_url, "select status from payment") == [("refunded",)]
    assert texts_to(db_url, DANA)[-1][0] == (
        "Sorry, we couldn't confirm your Full Detail on Wed Mar 11, 2:00 PM in time, so the request has lapsed. "
        "Your $50 deposit has been refunded. Text a day and time to try another.")
    # The morning of the job, the time is free again.
    assert "2:00 PM" in say(client, "today 2pm full detail", from_=LEE)[0]


def test_after_the_job_a_thank_you_then_a_nudge_that_books_straight_away(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 11, 19, 5))  # the job ended at 5:00 PM; the follow-up is two hours later
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("completed",)]
    assert texts_to(db_url, DANA, kind="follow_up") == [
        ("Thanks for choosing Shine Mobile Detailing today! If anything wasn't right, just reply and we'll fix it.",
         "sent")]
    # Twelve weeks after a Full Detail (Wed 3 June, 5:00 PM CDT).
    assert due(db_url, "rebook_nudge") == [("2026-06-03 22:00:00.000000", False)]
    at(clock, datetime(2026, 6, 3, 17, 1))
    dispatcher.tick()
    assert texts_to(db_url, DANA, kind="rebook_nudge") == [
        ("Hi from Shine Mobile Detailing! Time for another Full Detail? Reply with a day that suits you "
         "(e.g. 'sat morning').", "sent")]
    assert say(client, "saturday morning")[0].startswith("Here's what's open for Full Detail (3 hr, $180):\n"
                                                         "1) Sat Jun 6")


def test_a_nudge_due_in_quiet_hours_waits_for_the_morning(client, db_url, clock, dispatcher):
    book(client, dispatcher, WED_2PM)
    at(clock, datetime(2026, 3, 11, 19, 5))
    dispatcher.tick()
    execute(db_url, "update due_work set due_at = '2026-06-04 03:30:00.000000' where kind = 'rebook_nudge'")
    at(clock, datetime(2026, 6, 3, 22, 31))  # 10:31 PM: inside 9 PM - 8 AM
    dispatcher.tick()
    assert texts_to(db_url, DANA, kind="rebook_nudge") == []
    assert due(db_url, "rebook_nudge") == [("2026-06-04 13:00:00.000000", False)]  # 8:00 AM CDT
    at(clock, datetime(2026, 6, 4, 8, 0))
    dispatcher.tick()
    assert len(texts_to(db_url, DANA, kind="rebook_nudge")) == 1


def test_whatsapp_reminders_outside_the_window_use_the_approved_template(client, db_url, clock, dispatcher):
    wa = {"to": "whatsapp:+15550001111"}
    book(client, dispatcher, WED_2PM, from_="whatsapp:" + DANA, **wa)
    execute(db_url, """update business set whatsapp_templates = '{"reminder": "HX0123456789abcdef0123456789abcdef"}'""")
    at(clock, datetime(2026, 3, 10, 14, 0))  # within 24 h of Dana's last message: free text
    dispatcher.tick()
    at(clock, datetime(2026, 3, 11, 12, 0))  # more than 24 h after it: only a template may go
    dispatcher.tick()
    sent = [m for m in dispatcher.adapters.messages.sent if m["to"] == "whatsapp:" + DANA and m["body"].startswith("Reminder")]
    assert [m.get("template") for m in sent] == [None, "HX0123456789abcdef0123456789abcdef"]  # Tue: inside the window
    assert rows(db_url, "select template_variables from message where kind = 'reminder' order by id")[-1] == (
        '{"1": "Full Detail", "2": "Wed Mar 11, 2:00 PM", "3": "we come to you at 1100 Congress Ave, Austin, TX"}',)


def test_whatsapp_without_a_template_outside_the_window_is_not_sent(client, db_url, clock, dispatcher):
    wa = {"to": "whatsapp:+15550001111"}
    book(client, dispatcher, WED_2PM, from_="whatsapp:" + DANA, **wa)
    at(clock, datetime(2026, 3, 10, 14, 0))
    dispatcher.tick()
    at(clock, datetime(2026, 3, 11, 12, 0))
    dispatcher.tick()
    assert rows(db_url, "select status, error_code from message where kind = 'reminder' order by id") == [
        ("sent", None), ("failed", "no-template")]
