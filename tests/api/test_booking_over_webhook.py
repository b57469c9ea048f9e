"""The whole booking conversation through the signed Twilio webhook, as a customer texts it."""

from datetime import UTC, datetime, timedelta

from tests.conftest import DANA, LEE, OWNER, PAT, execute, replies, rows, signed_post, twilio_form


def pay_link_token(text: str) -> str:
    return text.split("/pay/")[1].split()[0]


def test_tomorrow_afternoon_full_detail_ends_confirmed(client, db_url, dispatcher):
    offers = replies(signed_post(client, twilio_form("tomorrow afternoon, full detail")))
    assert offers == ["Here's what's open for Full Detail (3 hr, $180):\n1) Wed Mar 11, 12:00 PM\n"
                      "2) Wed Mar 11, 2:00 PM\n3) Wed Mar 11, 3:00 PM\nReply 1, 2 or 3, or tell me another time."]

    ask_name = replies(signed_post(client, twilio_form("2")))
    assert ask_name == ["Great, I'm holding Wed Mar 11, 2:00 PM for you. What name should I put the booking under?"]

    link = replies(signed_post(client, twilio_form("Dana")))[0]
    assert "$50 deposit" in link and "https://bot.example.com/pay/" in link
    assert rows(db_url, "select status from booking") == [("awaiting_payment",)]

    page = client.get(f"/pay/{pay_link_token(link)}")
    assert page.status_code == 200 and "Pay deposit" in page.text and "$50" in page.text
    assert client.post(f"/pay/{pay_link_token(link)}", follow_redirects=False).status_code == 303
    dispatcher.tick()

    booking = rows(db_url, "select b.status, b.start_at, b.end_at, s.name, c.name, b.channel from booking b "
                           "join service s on s.id = b.service_id join customer c on c.id = b.customer_id")
    # 14:00 in Chicago on 11 March 2026 is CDT (UTC-5): DST began on 8 March.
    assert booking == [("confirmed", "2026-03-11 19:00:00.000000", "2026-03-11 22:00:00.000000", "Full Detail",
                        "Dana", "sms")]
    confirmation = rows(db_url, "select body, status from message where phone = :p and direction = 'out' "
                                "and reply_to_id is null", p=DANA)
    [(code,)] = rows(db_url, "select code from booking")
    assert confirmation == [("You're confirmed! Full Detail on Wed Mar 11, 2:00 PM with Shine Mobile Detailing "
                             "(we come to you at 1100 Congress Ave, Austin, TX). Need to change or cancel? Call or text (555) 000-2222.\n"
                             f"Add to calendar: https://bot.example.com/b/{code}.ics "
                             f"(Google: https://bot.example.com/b/{code}/google)",
                             "sent")]
    owner = rows(db_url, "select body from message where phone = :p", p=OWNER)
    assert owner == [("New booking: Dana ((555) 010-0001), Full Detail, Wed Mar 11, 2:00 PM, "
                      "1100 Congress Ave, Austin, TX.",)]
    assert rows(db_url, "select status from payment") == [("paid",)]


def test_whatsapp_replies_in_the_same_channel(client, db_url, dispatcher):
    wa = {"from_": "whatsapp:" + LEE, "to": "whatsapp:+15550001111"}
    assert "Express Wash" in replies(signed_post(client, twilio_form("friday 10am express wash", **wa)))[0]
    signed_post(client, twilio_form("1", **wa))
    link = replies(signed_post(client, twilio_form("it's Lee", **wa)))[0]
    client.post(f"/pay/{pay_link_token(link)}")
    dispatcher.tick()
    assert rows(db_url, "select status, channel from booking") == [("confirmed", "whatsapp")]
    sent = dispatcher.adapters.messages.sent
    assert [(m["to"], m["from"]) for m in sent if m["to"].startswith("whatsapp")] == [
        ("whatsapp:" + LEE, "whatsapp:+15550001111")]


def test_a_repeated_message_sid_is_answered_the_same_and_handled_once(client, db_url):
    signed_post(client, twilio_form("tomorrow afternoon, full detail"))
    form = twilio_form("2", sid="SM" + "7" * 32)
    first = signed_post(client, form)
    again = signed_post(client, form)
    assert again.status_code == 200 and again.text == first.text
    assert rows(db_url, "select count(*) from booking") == [(1,)]
    assert rows(db_url, "select count(*) from message where provider_id = :sid", sid=form["MessageSid"]) == [(1,)]


def test_hold_lapses_releases_the_slot_and_tells_the_customer(client, db_url, clock, dispatcher):
    signed_post(client, twilio_form("tomorrow afternoon, full detail"))
    signed_post(client, twilio_form("2"))
    clock.advance(timedelta(minutes=16))  # the pick holds the slot for 15 minutes while we wait for a name
    dispatcher.tick()
    assert rows(db_url, "select status from booking") == [("expired",)]
    lapsed = rows(db_url, "select body from message where direction = 'out' and reply_to_id is null and phone = :p", p=DANA)
    assert lapsed == [("Your hold on Full Detail for Wed Mar 11, 2:00 PM has lapsed, so the time was released. "
                       "Text a day and time (e.g. 'tomorrow afternoon') to start again.",)]
    # The conversation starts over: a name now is not taken for the lapsed booking.
    assert replies(signed_post(client, twilio_form("Dana")))[0].startswith("Sorry, I didn't catch that.")
    assert "Wed Mar 11, 2:00 PM" in replies(signed_post(client, twilio_form("tomorrow afternoon, full detail")))[0]


def _one_technician(db_url):
    execute(db_url, "update staff set active = false where name = 'Sam'")


def test_two_customers_racing_for_one_slot(client, db_url):
    _one_technician(db_url)
    signed_post(client, twilio_form("tomorrow 2pm full detail", from_=DANA))
    signed_post(client, twilio_form("tomorrow 2pm full detail", from_=LEE))
    assert "holding" in replies(signed_post(client, twilio_form("1", from_=DANA)))[0]
    taken = replies(signed_post(client, twilio_form("1", from_=LEE)))[0]
    assert taken.startswith("Sorry, Wed Mar 11, 2:00 PM was just taken.")
    assert "2:00 PM" not in taken.split("taken.")[1]
    assert rows(db_url, "select count(*) from booking") == [(1,)]


def test_a_deposit_paid_after_the_slot_was_taken_is_refunded(client, db_url, clock, dispatcher):
    _one_technician(db_url)
    signed_post(client, twilio_form("tomorrow 2pm full detail", from_=DANA))
    signed_post(client, twilio_form("1", from_=DANA))
    link = replies(signed_post(client, twilio_form("Dana", from_=DANA)))[0]
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()  # Dana's hold lapses
    signed_post(client, twilio_form("tomorrow 2pm full detail", from_=LEE))
    signed_post(client, twilio_form("1", from_=LEE))
    lee_link = replies(signed_post(client, twilio_form("Lee", from_=LEE)))[0]
    client.post(f"/pay/{pay_link_token(lee_link)}")
    client.post(f"/pay/{pay_link_token(link)}")  # Dana pays late
    dispatcher.tick()
    statuses = rows(db_url, "select c.name, b.status from booking b join customer c on c.id = b.customer_id "
                            "order by b.id")
    assert statuses == [("Dana", "expired"), ("Lee", "confirmed")]
    assert rows(db_url, "select status from payment order by id") == [("refunded",), ("paid",)]
    assert len(dispatcher.adapters.payments.refunds) == 1
    told = rows(db_url, "select body from message where phone = :p and direction = 'out' and reply_to_id is null order by id", p=DANA)
    assert told[-1][0].startswith("Sorry! Your deposit arrived after the hold")


def test_a_lapsed_hold_paid_while_still_free_is_booked(client, db_url, clock, dispatcher):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    link = replies(signed_post(client, twilio_form("Dana")))[0]
    clock.advance(timedelta(minutes=31))
    dispatcher.tick()
    client.post(f"/pay/{pay_link_token(link)}")
    assert rows(db_url, "select status from booking") == [("confirmed",)]


def test_nothing_free_offers_the_nearest_times(client):
    text = replies(signed_post(client, twilio_form("sunday afternoon full detail")))[0]  # closed on Sundays
    assert text.startswith("Sorry, nothing's open for Full Detail then. The nearest times are:")
    # Monday's first start is 8:30, not 8:00: the van leaves its base at 8:00 and Dana is a 5-minute drive away.
    assert "Sat Mar 14" in text and "Mon Mar 16, 8:30 AM" in text


def test_changing_your_mind_while_picking(client, db_url):
    signed_post(client, twilio_form("tomorrow afternoon, full detail"))
    text = replies(signed_post(client, twilio_form("actually make it saturday morning")))[0]
    assert "Sat Mar 14, 9:00 AM" in text and "Wed" not in text
    assert "Sat Mar 14, 9:00 AM" in replies(signed_post(client, twilio_form("the 9:00 one")))[0]
    assert rows(db_url, "select status from booking") == [("held",)]


def test_changing_your_mind_after_the_hold_releases_it(client, db_url):
    signed_post(client, twilio_form("tomorrow afternoon, full detail"))
    signed_post(client, twilio_form("1"))
    assert "Sat Mar 14" in replies(signed_post(client, twilio_form("actually saturday morning")))[0]
    assert rows(db_url, "select status from booking") == [("cancelled",)]


def test_a_date_in_the_past_is_refused_kindly(client):
    assert replies(signed_post(client, twilio_form("full detail on 3/9")))[0].startswith(
        "That time has already passed.")
    assert replies(signed_post(client, twilio_form("today at 8am, express wash")))[0].startswith(
        "That time has already passed.")


def test_owner_texts_get_the_agenda_not_the_customer_flow(client, db_url, dispatcher):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    client.post(f"/pay/{pay_link_token(replies(signed_post(client, twilio_form('Dana')))[0])}")
    agenda = replies(signed_post(client, twilio_form("tomorrow", from_=OWNER)))
    assert agenda == ["Wed Mar 11, 1 booking:\n#1 2:00 PM Full Detail - Dana, 1100 Congress Ave, Austin, TX"]
    assert rows(db_url, "select count(*) from customer where phone = :p", p=OWNER) == [(0,)]


def test_stop_silences_the_bot_until_start(client, db_url, dispatcher):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    assert "unsubscribed" in replies(signed_post(client, twilio_form("STOP")))[0]
    assert replies(signed_post(client, twilio_form("hello?"))) == []
    assert "subscribed to Shine Mobile Detailing again" in replies(signed_post(client, twilio_form("start")))[0]
    assert rows(db_url, "select opted_out from customer where phone = :p", p=DANA) == [(0,)]
    # Every text is stored; those the bot answered say so, the one it kept quiet about does not.
    assert rows(db_url, "select body, status from message where phone = :p and direction = 'in' order by id",
                p=DANA) == [("tomorrow 2pm full detail", "replied"), ("STOP", "replied"), ("hello?", "received"),
                            ("start", "replied")]


def test_messages_queued_before_stop_are_not_sent(client, db_url, dispatcher, clock):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    clock.advance(timedelta(minutes=16))
    from bot.db.session import transaction
    from bot.duework import run_due_work

    with transaction(db_url) as session:
        run_due_work(session, now=clock.now.astimezone(UTC))  # queues "your hold lapsed"
    signed_post(client, twilio_form("STOP"))
    dispatcher.tick()
    assert rows(db_url, "select status from message where phone = :p and direction = 'out' and reply_to_id is null", p=DANA) == [
        ("suppressed",)]
    assert [m for m in dispatcher.adapters.messages.sent if m["to"] == DANA] == []


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_time_is_stored_in_utc(client, db_url):
    signed_post(client, twilio_form("tomorrow 2pm full detail"))
    signed_post(client, twilio_form("1"))
    from bot.db.session import transaction
    from bot.db.tables import Booking

    with transaction(db_url) as session:
        booking = session.get(Booking, 1)
        assert booking.start_at == datetime(2026, 3, 11, 19, 0, tzinfo=UTC)


def test_a_new_customer_is_asked_where_the_job_is_before_any_times(client, db_url):
    ask = replies(signed_post(client, twilio_form("tomorrow afternoon, full detail", from_=PAT)))
    assert ask == ["We come to you! What's the address for the job? (street and city, e.g. '123 Oak St, Austin')"]
    again = replies(signed_post(client, twilio_form("umm", from_=PAT)))
    assert again == ["Sorry, I need the street address where we'll do the job, e.g. '123 Oak St, Austin'."]

    offers = replies(signed_post(client, twilio_form("4500 W 6th St, Austin TX 78703", from_=PAT)))[0]
    assert offers.startswith("Here's what's open for Full Detail") and "Wed Mar 11" in offers
    replies(signed_post(client, twilio_form("1", from_=PAT)))
    replies(signed_post(client, twilio_form("Pat", from_=PAT)))
    assert rows(db_url, "select address from customer where phone = :p", p=PAT) == [("4500 W 6th St, Austin TX 78703",)]
    assert rows(db_url, "select b.address from booking b join customer c on c.id = b.customer_id where c.phone = :p",
                p=PAT) == [("4500 W 6th St, Austin TX 78703",)]

    # Next time the bot already knows where to go.
    later = replies(signed_post(client, twilio_form("friday morning express wash", from_=PAT)))[0]
    assert later.startswith("Here's what's open for Express Wash")


def test_a_whatsapp_location_pin_answers_the_address_question(client, db_url):
    whatsapp = {"from_": f"whatsapp:{PAT}", "to": "whatsapp:+15550001111"}
    ask = replies(signed_post(client, twilio_form("sat morning express wash", **whatsapp)))[0]
    assert "address" in ask
    pin = twilio_form("", **whatsapp, Latitude="30.2672", Longitude="-97.7431", Address="Congress Ave, Austin, TX",
                      Label="Home")
    offers = replies(signed_post(client, pin))[0]
    assert offers.startswith("Here's what's open for Express Wash") and "Sat Mar 14" in offers
    assert rows(db_url, "select address, lat, lng from customer where phone = :p", p=PAT) == [
        ("Congress Ave, Austin, TX", 30.2672, -97.7431)]


def test_a_location_pin_with_nonsense_coordinates_is_ignored(client, db_url):
    whatsapp = {"from_": f"whatsapp:{PAT}", "to": "whatsapp:+15550001111"}
    signed_post(client, twilio_form("sat morning express wash", **whatsapp))
    bad = replies(signed_post(client, twilio_form("", **whatsapp, Latitude="999", Longitude="abc")))[0]
    assert "address" in bad
    assert rows(db_url, "select address from customer where phone = :p", p=PAT) == [(None,)]


def test_a_day_beyond_the_booking_horizon_says_how_far_ahead_we_book(client):
    text = replies(signed_post(client, twilio_form("full detail on june 30")))[0]  # 112 days after 10 March
    assert text == "Sorry, we only book up to 60 days ahead. What day and time sooner would work?"
    assert "Here's what's open for Full Detail" in replies(signed_post(client, twilio_form("friday")))[0]


def test_a_new_time_while_we_wait_for_the_address_is_kept_not_taken_for_an_address(client, db_url):
    replies(signed_post(client, twilio_form("tomorrow afternoon, full detail", from_=PAT)))
    again = replies(signed_post(client, twilio_form("the 14th around noon express wash", from_=PAT)))
    assert again == ["Sorry, I need the street address where we'll do the job, e.g. '123 Oak St, Austin'."]
    offers = replies(signed_post(client, twilio_form("4500 W 6th St, Austin TX 78703", from_=PAT)))[0]
    assert "Express Wash" in offers and "Sat Mar 14" in offers
    assert rows(db_url, "select address from customer where phone = :p", p=PAT) == [("4500 W 6th St, Austin TX 78703",)]
