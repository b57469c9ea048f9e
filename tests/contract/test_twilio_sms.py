"""The Twilio adapter through the real twilio SDK, against Prism serving Twilio's own OpenAPI spec.

Prism answers with the spec's example message (it remembers nothing), so these tests check what the
SDK sent and how the adapter and the outbox react, not the values Prism makes up.
"""

from datetime import UTC, timedelta
from urllib.parse import parse_qs

import pytest
import requests

from bot.adapters.messaging import SendError, Template
from bot.adapters.twilio_sms import LocalTwilioHttpClient, TwilioSms
from bot.db.session import transaction
from bot.db.tables import Business
from bot.domain.phone import Channel
from bot.outbox import deliver, queue_text
from tests.conftest import DANA, rows

ACCOUNT = "AC" + "0123456789abcdef" * 2
TOKEN = "test-auth-token"
CALLBACK = "https://bot.example.com/twilio/status"


class RecordingClient(LocalTwilioHttpClient):
    """Our local-base client, keeping what the SDK asked for; `fail_first` network failures first."""

    def __init__(self, bases, fail_first: int = 0):
        super().__init__(bases)
        self.calls: list[tuple[str, str, dict]] = []
        self.fail_first = fail_first

    def request(self, method, url, params=None, data=None, *args, **kwargs):
        self.calls.append((method, url, dict(data or {})))
        if self.fail_first:
            self.fail_first -= 1
            raise requests.ConnectionError("connection reset by peer")
        return super().request(method, url, params, data, *args, **kwargs)


def adapter(twilio_base, **kwargs) -> tuple[TwilioSms, RecordingClient]:
    from twilio.rest import Client

    http = RecordingClient({"api": twilio_base}, **kwargs)
    return TwilioSms(Client(ACCOUNT, TOKEN, http_client=http), status_callback_url=CALLBACK), http


def test_an_sms_goes_to_the_messages_api_with_its_status_callback(twilio_base):
    sms, http = adapter(twilio_base)
    sid = sms.send(to_address=DANA, from_address="+15550001111", body="Reminder: ...", idempotency_key="outbox-7")
    assert sid.startswith(("SM", "MM"))
    [(method, url, data)] = http.calls
    assert method == "POST" and url.endswith(f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
    assert data["To"] == DANA and data["From"] == "+15550001111" and data["Body"] == "Reminder: ..."
    callback, query = data["StatusCallback"].split("?")
    assert callback == CALLBACK and parse_qs(query) == {"key": ["outbox-7"]}


def test_a_whatsapp_template_sends_the_content_sid_and_variables_and_no_body(twilio_base):
    sms, http = adapter(twilio_base)
    sms.send(to_address="whatsapp:" + DANA, from_address="whatsapp:+15550001111", body="Reminder: ...",
             idempotency_key="outbox-8", template=Template("HX" + "ab" * 16, {"1": "Full Detail", "2": "Wed 2 PM"}))
    [(_, _, data)] = http.calls
    assert data["To"] == "whatsapp:" + DANA and data["From"] == "whatsapp:+15550001111"
    assert data["ContentSid"] == "HX" + "ab" * 16
    assert data["ContentVariables"] == '{"1": "Full Detail", "2": "Wed 2 PM"}'
    assert "Body" not in data


def test_a_rejected_request_is_a_permanent_error(twilio_base):
    from twilio.rest import Client

    # Prism validates the request against the spec: an AccountSid that is not AC + 32 hex is refused (422).
    sms = TwilioSms(Client("AC123", TOKEN, http_client=LocalTwilioHttpClient({"api": twilio_base})))
    with pytest.raises(SendError) as error:
        sms.send(to_address=DANA, from_address="+15550001111", body="hi", idempotency_key="outbox-9")
    assert error.value.permanent and error.value.code


def test_a_network_failure_is_retried_by_the_outbox_after_a_backoff(twilio_base, db_url, clock):
    sms, http = adapter(twilio_base, fail_first=1)
    with transaction(db_url) as session:
        business = session.get(Business, 1)
        queue_text(session, business, phone=DANA, channel=Channel.SMS, body="Your reminder", now=clock.now)
    now = clock.now.astimezone(UTC)
    first = deliver(db_url, sender=sms, now=now)
    assert (first.sent, first.retrying) == (0, 1)
    assert rows(db_url, "select status, attempts, next_attempt_at from message") == [
        ("queued", 1, (now + timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S.%f"))]
    assert deliver(db_url, sender=sms, now=now + timedelta(seconds=10)).claimed == 0  # still backing off
    again = deliver(db_url, sender=sms, now=now + timedelta(seconds=31))
    assert again.sent == 1
    [(status, attempts, provider_id)] = rows(db_url, "select status, attempts, provider_id from message")
    assert (status, attempts) == ("sent", 2) and provider_id.startswith(("SM", "MM"))
    assert len(http.calls) == 2  # one failed, one sent: never twice


def test_find_asks_twilio_for_recent_messages_to_the_recipient(twilio_base):
    sms, http = adapter(twilio_base)
    from datetime import datetime

    found = sms.find(idempotency_key="outbox-7", to_address=DANA, from_address="+15550001111",
                     body="a text Prism's example does not have", since=datetime(2026, 3, 10, 14, 0, tzinfo=UTC))
    assert found is None
    method, url, _ = http.calls[0]  # (Prism's example page links to a next page, which the SDK follows)
    assert method == "GET" and url.endswith("/Messages.json")
