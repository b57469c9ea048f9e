"""The one composition root: which adapters this process uses, chosen from settings.

The vendor SDKs (twilio's REST client, stripe, httpx for Rasa, googlemaps) are imported only by the
function that builds their adapter: a process without their keys never loads them, which took about
0.15 s off every cold start (httpx alone brings rich and pygments, for its command line).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import nlu
from bot.adapters.google_calendar import CalendarFor, GoogleCalendars, TokenBox
from bot.adapters.maps import Geocoder, TravelMatrix, ZipCentroids
from bot.adapters.messaging import LocalMessages, MessageSender
from bot.adapters.pacing import LocalPacing, RedisPacing
from bot.adapters.payment import LocalPayments, PaymentGateway
from bot.config import Settings
from bot.domain.travel import StraightLineTravel, TravelTimes

if TYPE_CHECKING:
    from bot.adapters.rasa import Understanding

log = logging.getLogger(__name__)


@dataclass
class Adapters:
    payments: PaymentGateway
    messages: MessageSender
    understand: Understanding = nlu.parse
    travel: TravelTimes | TravelMatrix | None = None   # None: straight-line estimates with the defaults
    geocoder: Geocoder | None = None                    # None: typed addresses get no coordinates
    calendars: CalendarFor | None = None                # None: Google Calendar is not configured


def adapters_from(settings: Settings) -> Adapters:
    """Real adapters where their keys are set, local stand-ins for the rest."""
    return Adapters(payments=payments_from(settings), messages=messages_from(settings),
                    understand=understanding_from(settings), travel=travel_from(settings),
                    geocoder=geocoder_from(settings), calendars=calendars_from(settings))


def messages_from(settings: Settings) -> MessageSender:
    """Twilio when TWILIO_ACCOUNT_SID is set (TWILIO_API_BASE: another address for its API), paced per
    sending number across all workers when Redis is there; else the local outbox the simulator shows."""
    if not settings.twilio_account_sid:
        return LocalMessages()
    from bot.adapters.twilio_sms import TwilioSms  # deferred: twilio's REST client brings requests and urllib3

    pacing = (RedisPacing(settings.redis_url, settings.twilio_sends_per_second) if settings.redis_url
              else LocalPacing(settings.twilio_sends_per_second))
    return TwilioSms.connect(settings.twilio_account_sid, settings.twilio_auth_token,
                             api_base=settings.twilio_api_base,
                             status_callback_url=f"{settings.public_base_url}/twilio/status", pacing=pacing)


def payments_from(settings: Settings) -> PaymentGateway:
    """Stripe Checkout when STRIPE_SECRET_KEY is set (STRIPE_API_BASE: another address for its API), else
    the local /pay page."""
    if settings.stripe_secret_key:
        from bot.adapters.stripe_payments import StripePayments, stripe_client  # deferred: the SDK and requests

        client = stripe_client(settings.stripe_secret_key, api_base=settings.stripe_api_base)
        return StripePayments(client, return_url=f"{settings.public_base_url}/stripe/return")
    return LocalPayments(settings.public_base_url)


def understanding_from(settings: Settings) -> Understanding:
    """A Rasa server's parser when RASA_URL is set (ours answers when it fails), else our own."""
    if settings.rasa_url:
        from bot.adapters.rasa import RasaNlu  # deferred: httpx imports its CLI (rich, pygments) with it

        return RasaNlu(settings.rasa_url).parse
    return nlu.parse


def travel_from(settings: Settings) -> TravelTimes | TravelMatrix:
    """Drive times: Google's route matrix (TRAVEL_PROVIDER=routes, the default with GOOGLE_MAPS_API_KEY) or
    its legacy Distance Matrix (distance_matrix), each falling back to the straight-line estimate, which
    is also what straight_line, or no key, gives."""
    estimate = StraightLineTravel(speed_kmh=settings.straight_line_speed_kmh,
                                  road_factor=settings.straight_line_road_factor)
    key = settings.google_maps_api_key
    provider = settings.travel_provider or ("routes" if key else "straight_line")
    if provider == "straight_line":
        return estimate
    if not key:
        log.warning("TRAVEL_PROVIDER=%s needs GOOGLE_MAPS_API_KEY; drive times are straight-line estimates", provider)
        return estimate
    # Imported here: googlemaps (and requests) cost every process a quarter second it need not pay without a key.
    from bot.adapters.google_maps import DistanceMatrix, GoogleTravel, RoutesMatrix, maps_client

    timeout = settings.google_maps_timeout_seconds
    if provider == "routes":
        source = RoutesMatrix(key, base_url=settings.google_routes_api_base, timeout=timeout)
    else:
        source = DistanceMatrix(maps_client(key, base_url=settings.google_maps_api_base, timeout=timeout))
    return GoogleTravel(source, estimate=estimate)


def geocoder_from(settings: Settings) -> Geocoder:
    """Google's Geocoding API with GOOGLE_MAPS_API_KEY (the ZIP-code table when Google cannot place an
    address), else the ZIP-code table alone."""
    offline = ZipCentroids()
    if not settings.google_maps_api_key:
        return offline
    from bot.adapters.google_maps import GoogleGeocoder, maps_client

    client = maps_client(settings.google_maps_api_key, base_url=settings.google_maps_api_base,
                         timeout=settings.google_maps_timeout_seconds)
    return GoogleGeocoder(client, fallback=offline)


def calendars_from(settings: Settings) -> CalendarFor | None:
    """Google Calendar when an OAuth client (GOOGLE_OAUTH_CLIENT_ID) or a service account
    (GOOGLE_SERVICE_ACCOUNT_FILE) is configured: one GoogleCalendar per connected account. Unset: none, and
    the owner page explains how to set it up."""
    if not (settings.google_oauth_client_id or settings.google_service_account_file):
        return None
    return GoogleCalendars(client_id=settings.google_oauth_client_id, client_secret=settings.google_oauth_client_secret,
                           token_uri=settings.google_token_uri, token_box=token_box_from(settings),
                           service_account_file=settings.google_service_account_file,
                           api_base=settings.google_calendar_api_base)


def token_box_from(settings: Settings) -> TokenBox | None:
    """What seals and opens stored Google refresh tokens (GOOGLE_TOKEN_KEY); None without a key."""
    return TokenBox(settings.google_token_key) if settings.google_token_key else None
