"""POST /twilio/status: Twilio's delivery reports, signed like the inbound webhook, update the outbox."""

from datetime import UTC, timedelta

from bot.adapters.messaging import LocalMessages, SendError
from bot.db.session import transaction
from bot.db.tables import Business
from bot.domain.phone import Channel
from bot.outbox import MAX_ATTEMPTS, deliver, queue_text, settle_stale
from tests.conftest import DANA, execute, rows, signed_post

SID = "SM" + "c" * 32


def queued(db_url, clock, body="Reminder: ...") -> None:
    with transaction(db_url) as session:
        queue_text(session, session.get(Business, 1), phone=DANA, channel=Channel.SMS, body=body, now=clock.now,
                   kind="reminder")


def report(client, status, *, sid=SID, key=None, **extra):
    path = "/twilio/status" + (f"?key={key}" if key else "")
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32, "To": DANA,
            "From": "+15550001111", "ApiVersion": "2010-04-01", **extra}
    return signed_post(client, form, path=path)


def test_delivery_reports_move_a_sent_message_forward_never_back(client, db_url, clock):
    queued(db_url, clock)
    execute(db_url, "update message set status = 'sent', provider_id = :sid", sid=SID)
    assert report(client, "delivered").status_code == 204
    assert report(client, "sent").status_code == 204  # a late callback for an earlier state
    assert rows(db_url, "select status from message") == [("delivered",)]


def test_an_undelivered_report_keeps_the_error_code(client, db_url, clock):
    queued(db_url, clock)
    execute(db_url, "update message set status = 'sent', provider_id = :sid", sid=SID)
    report(client, "undelivered", ErrorCode="30003")
    assert rows(db_url, "select status, error_code from message") == [("undelivered", "30003")]


def test_a_carrier_opt_out_reported_by_twilio_stops_later_texts(client, db_url, clock, dispatcher):
    queued(db_url, clock)
    execute(db_url, "update message set status = 'sent', provider_id = :sid", sid=SID)
    report(client, "failed", ErrorCode="21610")
    assert rows(db_url, "select opted_out from customer where phone = :p", p=DANA) == [(1,)]
    queued(db_url, clock, body="another")
    dispatcher.tick()
    assert rows(db_url, "select status from message order by id") == [("failed",), ("suppressed",)]


def test_a_report_names_the_row_its_sender_died_before_recording(client, db_url, clock):
    queued(db_url, clock)
    execute(db_url, "update message set status = 'sending'")
    [(message_id,)] = rows(db_url, "select id from message")
    assert report(client, "sent", key=f"outbox-{message_id}").status_code == 204
    assert rows(db_url, "select status, provider_id from message") == [("sent", SID)]


def test_unknown_messages_are_acknowledged_and_forged_reports_refused(client, db_url):
    assert report(client, "delivered", sid="SM" + "d" * 32).status_code == 204
    form = {"MessageSid": SID, "MessageStatus": "delivered"}
    assert signed_post(client, form, path="/twilio/status", signature="forged").status_code == 403


class Flaky(LocalMessages):
    def __init__(self, error: SendError):
        super().__init__()
        self.error = error

    def send(self, **kwargs) -> str:
        raise self.error


def test_transient_failures_back_off_then_give_up(db_url, clock):
    queued(db_url, clock)
    sender, now = Flaky(SendError("timeout", permanent=False)), clock.now.astimezone(UTC)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        deliver(db_url, sender=sender, now=now)
        [(status, next_at)] = rows(db_url, "select status, next_attempt_at from message")
        if status == "failed":
            break
        waits.append(next_at)
        now += timedelta(hours=2)
    assert status == "failed" and len(waits) == MAX_ATTEMPTS - 1


def test_a_permanent_failure_is_not_retried(db_url, clock):
    queued(db_url, clock)
    deliver(db_url, sender=Flaky(SendError("invalid number", permanent=True, code="21211")), now=clock.now)
    assert rows(db_url, "select status, attempts, error_code from message") == [("failed", 1, "21211")]


def test_a_send_nobody_recorded_is_settled_with_the_provider_not_repeated(db_url, clock):
    queued(db_url, clock, body="went out")
    queued(db_url, clock, body="never left")
    sender, now = LocalMessages(), clock.now.astimezone(UTC)
    [(first,), (second,)] = rows(db_url, "select id from message order by id")
    execute(db_url, "update message set status = 'sending', claimed_at = :at", at=now.strftime("%Y-%m-%d %H:%M:%S"))
    sender.send(to_address=DANA, from_address="+15550001111", body="went out", idempotency_key=f"outbox-{first}")
    assert settle_stale(db_url, sender=sender, now=now + timedelta(seconds=60), claim_timeout=timedelta(minutes=2)) == 0
    assert settle_stale(db_url, sender=sender, now=now + timedelta(minutes=3), claim_timeout=timedelta(minutes=2)) == 2
    assert rows(db_url, "select body, status from message order by id") == [("went out", "sent"),
                                                                            ("never left", "queued")]
    deliver(db_url, sender=sender, now=now + timedelta(minutes=3))
    assert [m["body"] for m in sender.sent] == ["went out", "never left"]
