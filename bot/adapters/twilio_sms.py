"""Sending SMS and WhatsApp through Twilio's Messages API with the official SDK.

`TwilioSms` is the MessageSender wiring picks when TWILIO_ACCOUNT_SID is set. Each message carries a
status callback URL (POST /twilio/status) with our idempotency key in the query, so a delivery
report finds its outbox row even when the sender died before recording Twilio's id. With
TWILIO_API_BASE (tests, a local stand-in) every *.twilio.com request goes to that base instead.
"""

import json
import logging
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bot.adapters.messaging import SendError, Template
from bot.adapters.pacing import Pacing

log = logging.getLogger(__name__)

HTTP_TIMEOUT_SECONDS = 10
# Worth another try later: Twilio overloaded or rate limiting us (20429), or its servers failing.
TRANSIENT_CODES = frozenset({20429, 20500, 20503, 30001})
# How far around the claim time a message counts as ours when settling a send nobody recorded.
FIND_SLACK = timedelta(minutes=1)


class LocalTwilioHttpClient(TwilioHttpClient):
    """Sends each *.twilio.com request to a local base instead ({"api": "http://127.0.0.1:12112"}, keyed by
    the host's first label). It rewrites after the SDK applied TWILIO_EDGE/TWILIO_REGION, and refuses a
    host it has no base for, so a test can never reach the real Twilio."""

    def __init__(self, bases: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.bases = {name: urlsplit(base) for name, base in bases.items()}

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        host = parts.hostname or ""
        base = self.bases.get(host.split(".")[0]) if host.endswith(".twilio.com") else None
        if base is None:
            raise RuntimeError(f"no local stand-in for {host}")
        return super().request(method, urlunsplit((base.scheme, base.netloc, parts.path, parts.query,
                                                   parts.fragment)), *args, **kwargs)


class TwilioSms:
    def __init__(self, client: Client, *, status_callback_url: str | None = None, pacing: Pacing | None = None):
        self.client, self.status_callback_url, self.pacing = client, status_callback_url, pacing

    @classmethod
    def connect(cls, account_sid: str, auth_token: str, *, api_base: str = "", status_callback_url: str | None = None,
                pacing: Pacing | None = None) -> "TwilioSms":
        http = (LocalTwilioHttpClient({"api": api_base}, timeout=HTTP_TIMEOUT_SECONDS) if api_base
                else TwilioHttpClient(timeout=HTTP_TIMEOUT_SECONDS))
        return cls(Client(account_sid, auth_token, http_client=http), status_callback_url=status_callback_url,
                   pacing=pacing)

    def send(self, *, to_address: str, from_address: str, body: str, idempotency_key: str,
             template: Template | None = None) -> str:
        fields: dict[str, str] = {"to": to_address, "from_": from_address}
        if template is not None:  # an approved WhatsApp template: no body, or Twilio refuses it
            fields["content_sid"] = template.content_sid
            fields["content_variables"] = json.dumps(template.variables)
        else:
            fields["body"] = body
        if self.status_callback_url:
            fields["status_callback"] = f"{self.status_callback_url}?{urlencode({'key': idempotency_key})}"
        if self.pacing is not None:
            self.pacing.wait(from_address)
        try:
            return self.client.messages.create(**fields).sid
        except TwilioRestException as error:
            transient = error.status == 429 or error.status >= 500 or (error.code in TRANSIENT_CODES)
            raise SendError(f"Twilio {error.status}: {error.msg}", permanent=not transient,
                            code=str(error.code or error.status)) from error
        except (requests.RequestException, TwilioException) as error:
            raise SendError(f"Twilio unreachable: {error}", permanent=False) from error

    def find(self, *, idempotency_key: str, to_address: str, from_address: str, body: str,
             since: datetime) -> str | None:
        """Twilio keeps no idempotency keys, so look for a message to the same recipient, created after
        the claim, with the same text. (A template's text is Twilio's rendering, not ours: those are
        settled by their status callback, which arrives within seconds, long before this runs.)"""
        try:
            recent = self.client.messages.list(to=to_address, from_=from_address,
                                               date_sent_after=since - FIND_SLACK, limit=50)
        except (TwilioRestException, requests.RequestException, TwilioException) as error:
            raise SendError(f"could not list Twilio messages: {error}", permanent=False) from error
        for message in recent:
            created = message.date_created
            if created is not None and created < since - FIND_SLACK:
                continue
            if message.body == body:
                return message.sid
        return None
