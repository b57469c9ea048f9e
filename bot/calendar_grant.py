"""An owner's Google account connected with OAuth's authorisation-code flow (started from the owner page).

1. The page sends the browser to Google's consent screen with our client id, the callback
   PUBLIC_BASE_URL/owner/google/callback, the calendar scopes, access_type=offline and prompt=consent (so
   Google sends a refresh token every time, also to an account that granted access before), and a `state`.
2. Google sends the browser back with `code` and the same `state`. The state is signed with the owner's
   session's own CSRF secret (HMAC-SHA256) and carries who the calendar is for and when the flow began:
   a callback forged by another site, replayed in another browser or more than 15 minutes late fails the
   check, and nothing is stored.
3. The code is exchanged for tokens at GOOGLE_TOKEN_URI by a plain POST (httpx, already a dependency;
   google-auth-oauthlib would add requests-oauthlib for one request). Only the refresh token is kept, and
   only encrypted (bot/calendar_sync.py: connect).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime, timedelta
from hashlib import sha256
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from bot.adapters.google_calendar import SCOPES
from bot.config import Settings

if TYPE_CHECKING:
    import httpx

STATE_MAX_AGE = timedelta(minutes=15)
CLOCK_SKEW = timedelta(minutes=1)     # between the process that started the flow and the one finishing it
EXCHANGE_TIMEOUT_SECONDS = 10.0


class GrantFailed(Exception):
    """Google did not give us a refresh token for the code; the message is for the owner."""


class BadState(Exception):
    """The callback's state was not made by this session's flow (forged, replayed elsewhere, or expired)."""


def callback_url(settings: Settings) -> str:
    return f"{settings.public_base_url}/owner/google/callback"


def consent_url(settings: Settings, *, state: str) -> str:
    """Google's consent screen for our calendar scopes, coming back to the callback with a code."""
    return settings.google_auth_uri + "?" + urlencode({
        "client_id": settings.google_oauth_client_id, "redirect_uri": callback_url(settings),
        "response_type": "code", "scope": " ".join(SCOPES), "access_type": "offline", "prompt": "consent",
        "include_granted_scopes": "true", "state": state})


def signed_state(*, secret: str, business_id: int, staff_id: int | None, now: datetime) -> str:
    """business.scope.issued.nonce.mac, where scope is a technician's id or "all" (the business's calendar)."""
    payload = ".".join([str(business_id), "all" if staff_id is None else str(staff_id),
                        str(int(now.timestamp())), secrets.token_urlsafe(12)])
    return f"{payload}.{_mac(secret, payload)}"


def staff_of_state(state: str, *, secret: str, business_id: int, now: datetime) -> int | None:
    """The technician a good state is for (None: the whole business); BadState otherwise."""
    payload, _, mac = state.rpartition(".")
    if not payload or not hmac.compare_digest(mac, _mac(secret, payload)):
        raise BadState("signature")
    try:
        business, scope, issued, _nonce = payload.split(".")
        business_number, issued_at = int(business), datetime.fromtimestamp(int(issued), tz=now.tzinfo)
        staff_id = None if scope == "all" else int(scope)
    except ValueError:
        raise BadState("shape") from None
    if business_number != business_id:
        raise BadState("business")
    if not -CLOCK_SKEW <= now - issued_at <= STATE_MAX_AGE:
        raise BadState("expired")
    return staff_id


def _mac(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"google-calendar-grant:{payload}".encode(), sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def exchange_code(settings: Settings, code: str, *, client: httpx.Client | None = None) -> str:
    """The refresh token Google gives for an authorisation code (the access token is not kept: each worker
    gets its own when it needs one)."""
    data = {"code": code, "client_id": settings.google_oauth_client_id,
            "client_secret": settings.google_oauth_client_secret, "redirect_uri": callback_url(settings),
            "grant_type": "authorization_code"}
    import httpx  # deferred: httpx imports its CLI (rich, pygments) with it, and only a connecting owner needs it

    try:
        if client is not None:
            response = client.post(settings.google_token_uri, data=data)
        else:
            response = httpx.post(settings.google_token_uri, data=data, timeout=EXCHANGE_TIMEOUT_SECONDS)
    except httpx.HTTPError as error:
        raise GrantFailed(f"Google could not be reached ({type(error).__name__}). Please try again.") from error
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200:
        reason = answer.get("error_description") or answer.get("error") or f"HTTP {response.status_code}"
        raise GrantFailed(f"Google did not accept the sign-in ({reason}). Please try again.")
    token = answer.get("refresh_token")
    if not token:
        raise GrantFailed("Google sent no refresh token. Remove this app's access in your Google account "
                          "(Security, Third-party access) and connect again.")
    return token
