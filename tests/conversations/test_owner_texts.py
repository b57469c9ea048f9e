"""The owner's side by text, as the thread reads: approving and declining requests, the next job, time off."""

from datetime import timedelta

import pytest

from tests.conftest import DANA, LEE, OWNER, execute, rows
from tests.conversations.support import book, say, texts_to

WED_2PM = "tomorrow afternoon, full detail"


def owner_says(client, body: str) -> str:
    (reply,) = say(client, body, from_=OWNER)
    return reply


@pytest.fixture
def approvals(db_url):
    execute(db_url, "update business set requires_approval = true")


def test_a_request_texts_the_owner_and_y_approves_it(client, db_url, dispatcher, approvals):
    book(client, dispatcher, WED_2PM, pick="2", name="Dana Kowalski")
    (booking_id,) = [i for (i,) in rows(db_url, "select id from booking")]
    assert texts_to(db_url, OWNER)[-1][0] == (
        f"New request #{booking_id}: Dana K., Full Detail, Wed Mar 11, 2:00 PM, 1100 Congress Ave, Austin, TX. "
        f"Reply Y {booking_id} to approve or N {booking_id} to decline (add a reason).")
    assert owner_says(client, "Y") == (f"Approved #{booking_id} Full Detail, Wed Mar 11, 2:00 PM (Dana Kowalski). "
                                       "Dana Kowalski has been told.")
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("confirmed",)]
    assert texts_to(db_url, DANA)[-1][0].startswith("You're confirmed! Full Detail on Wed Mar 11, 2:00 PM")
    assert rows(db_url, "select kind from due_work where done_at is null order by due_at") == [
        ("reminder",), ("reminder",), ("follow_up",)]   # the approval's expiry is closed, reminders planned
    assert owner_says(client, "yes") == "No requests are waiting for your OK."


@pytest.mark.parametrize("reply", ["yes {id}", "ok", "OK!", "Yes #{id}", "y{id}", "aprove {id}", "Yse", "okey",
                                   "👍", "{id} yes", "approved"])
def test_approvals_in_any_case_and_with_typos(client, db_url, dispatcher, approvals, reply):
    book(client, dispatcher, WED_2PM, pick="2")
    (booking_id,) = [i for (i,) in rows(db_url, "select id from booking")]
    assert owner_says(client, reply.format(id=booking_id)).startswith(f"Approved #{booking_id}")
    assert rows(db_url, "select status from booking") == [("confirmed",)]


@pytest.mark.parametrize("reply", ["N {id} booked that day", "no {id}: booked that day", "n booked that day",
                                   "Decilne {id} booked that day", "NOPE #{id} booked that day"])
def test_a_decline_sends_the_reason_a_refund_and_other_times(client, db_url, dispatcher, approvals, reply):
    book(client, dispatcher, WED_2PM, pick="2")
    (booking_id,) = [i for (i,) in rows(db_url, "select id from booking")]
    assert owner_says(client, reply.format(id=booking_id)) == (
        f"Declined #{booking_id} Full Detail, Wed Mar 11, 2:00 PM (Dana). Refunded the $50 deposit. Dana has been "
        f"told why and offered other times.")
    dispatcher.tick()
    assert rows(db_url, "select b.status, p.status from booking b join payment p on p.booking_id = b.id") == [
        ("rejected", "refunded")]
    head, *listing, tail = texts_to(db_url, DANA)[-1][0].splitlines()
    assert head == ("Sorry, Shine Mobile Detailing can't take your Full Detail on Wed Mar 11, 2:00 PM: booked that "
                    "day. Your $50 deposit has been refunded. Other times for Full Detail:")
    assert listing == ["1) Wed Mar 11, 9:00 AM", "2) Thu Mar 12, 12:00 PM", "3) Fri Mar 13, 3:00 PM"]
    assert tail == "Reply 1, 2 or 3, or tell me another time."
    # Dana's "2" is a pick among those times
    assert say(client, "2")[0].startswith("To lock in your Full Detail on Thu Mar 12, 12:00 PM, please pay the $50")


def test_a_bare_y_with_several_requests_asks_which(client, db_url, dispatcher, approvals):
    book(client, dispatcher, WED_2PM, pick="2")
    book(client, dispatcher, "friday 10am express wash", from_=LEE, name="Lee")
    dana_id, lee_id = [i for (i,) in rows(db_url, "select id from booking order by id")]
    assert owner_says(client, "y") == (
        f"2 requests are waiting:\n#{dana_id} Dana, Full Detail, Wed Mar 11, 2:00 PM\n#{lee_id} Lee, Express Wash, "
        f"Fri Mar 13, 10:00 AM\nWhich one do you want to approve? Reply with its number (e.g. {dana_id}).")
    assert owner_says(client, f"{lee_id}").startswith(f"Approved #{lee_id} Express Wash")
    assert rows(db_url, "select status from booking order by id") == [("pending_approval",), ("confirmed",)]
    # a bare N with a reason keeps the reason while it asks
    book(client, dispatcher, "saturday 9am interior", from_=LEE, name="Lee")
    assert owner_says(client, "n van broke down").startswith("2 requests are waiting:")
    assert owner_says(client, f"#{dana_id}").startswith(f"Declined #{dana_id} Full Detail")
    dispatcher.tick()
    assert ": van broke down." in texts_to(db_url, DANA)[-1][0]


def test_approving_something_that_is_not_waiting(client, db_url, dispatcher, approvals):
    book(client, dispatcher, WED_2PM, pick="2")
    (booking_id,) = [i for (i,) in rows(db_url, "select id from booking")]
    owner_says(client, f"y {booking_id}")
    assert owner_says(client, f"n {booking_id}") == f"#{booking_id} is confirmed, so I can't decline."
    assert owner_says(client, "y 999") == "I can't find booking #999."


def test_a_request_nobody_approves_lapses_and_both_sides_hear(client, db_url, clock, dispatcher, approvals):
    book(client, dispatcher, WED_2PM, pick="2")
    clock.advance(timedelta(hours=24, minutes=1))
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("expired",)]
    assert texts_to(db_url, OWNER)[-1][0].startswith("Request lapsed (not approved in time): Dana")
    assert owner_says(client, "y") == "No requests are waiting for your OK."


def test_next_is_the_next_job(client, db_url, dispatcher):
    assert owner_says(client, "next") == "Nothing else is booked."
    book(client, dispatcher, "friday 10am express wash", from_=LEE, name="Lee")
    book(client, dispatcher, WED_2PM, pick="2")
    assert owner_says(client, "Next") == (
        "Next: #2 Wed Mar 11, 2:00 PM, Full Detail - Dana (555) 010-0001, 1100 Congress Ave, Austin, TX (Alex).")


def test_block_lists_clashes_first_and_asks(client, db_url, dispatcher):
    book(client, dispatcher, WED_2PM, pick="2")
    (booking_id,) = [i for (i,) in rows(db_url, "select id from booking")]
    assert owner_says(client, "block tomorrow afternoon") == (
        f"Wed Mar 11, 12:00 PM-5:00 PM (everyone) clashes with 1 booking:\n#{booking_id} Dana, Full Detail, "
        f"Wed Mar 11, 2:00 PM\nReply YES to block it anyway (the booking stays; CANCEL {booking_id} cancels one) "
        f"or NO to leave it.")
    assert rows(db_url, "select count(*) from time_off") == [(0,)]
    assert owner_says(client, "no") == "OK, nothing blocked."
    owner_says(client, "block tomorrow afternoon")
    assert owner_says(client, "yes") == "Blocked Wed Mar 11, 12:00 PM-5:00 PM for everyone. New customers won't be offered it."
    assert rows(db_url, "select count(*) from time_off") == [(2,)]
    assert rows(db_url, "select status from booking") == [("confirmed",)]
    # nobody is offered the afternoon: the nearest times are either side of it
    assert say(client, "tomorrow afternoon express wash", from_=LEE)[0].splitlines()[1:3] == [
        "1) Wed Mar 11, 11:00 AM", "2) Wed Mar 11, 5:00 PM"]


def test_off_fri_and_one_technician(client, db_url):
    assert owner_says(client, "off fri") == "Blocked Fri Mar 13 (all day) for everyone. New customers won't be offered it."
    assert owner_says(client, "block sam sat 1-3pm") == "Blocked Sat Mar 14, 1:00 PM-3:00 PM for Sam. New customers won't be offered it."
    assert rows(db_url, "select s.name, t.start_at, t.end_at from time_off t join staff s on s.id = t.staff_id "
                        "order by t.id") == [
        ("Alex", "2026-03-13 05:00:00.000000", "2026-03-14 05:00:00.000000"),
        ("Sam", "2026-03-13 05:00:00.000000", "2026-03-14 05:00:00.000000"),
        ("Sam", "2026-03-14 18:00:00.000000", "2026-03-14 20:00:00.000000")]
    offers = say(client, "friday express wash", from_=LEE)[0]
    assert "Fri Mar 13" not in offers


def test_help_and_the_existing_commands_still_answer(client, db_url, dispatcher):
    assert "Y 12 / N 12" in owner_says(client, "help") and "BLOCK TOMORROW AFTERNOON" in owner_says(client, "menu")
    book(client, dispatcher, WED_2PM, pick="2")
    assert owner_says(client, "tomorrow").startswith("Wed Mar 11, 1 booking:")
    assert owner_says(client, "cancel 1").startswith("Cancelled #1 Full Detail")
