"""The one composition root: which adapters this process uses, chosen from settings."""

import logging
from dataclasses import dataclass

import nlu
from bot.adapters.messaging import LocalMessages, MessageSender
from bot.adapters.pacing import LocalPacing, RedisPacing
from bot.adapters.payment import LocalPayments, PaymentGateway
from bot.adapters.rasa import RasaNlu, Understanding
from bot.adapters.stripe_payments import StripePayments, stripe_client
from bot.adapters.twilio_sms import TwilioSms
from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass
class Adapters:
    payments: PaymentGateway
    messages: MessageSender
    understand: Understanding = nlu.parse


def adapters_from(settings: Settings) -> Adapters:
    """Real adapters where their keys are set, local stand-ins for the rest."""
    return Adapters(payments=payments_from(settings), messages=messages_from(settings),
                    understand=understanding_from(settings))


def messages_from(settings: Settings) -> MessageSender:
    """Twilio when TWILIO_ACCOUNT_SID is set (TWILIO_API_BASE: another address for its API), paced per
    sending number across all workers when Redis is there; else the local outbox the simulator shows."""
    if not settings.twilio_account_sid:
        return LocalMessages()
    pacing = (RedisPacing(settings.redis_url, settings.twilio_sends_per_second) if settings.redis_url
              else LocalPacing(settings.twilio_sends_per_second))
    return TwilioSms.connect(settings.twilio_account_sid, settings.twilio_auth_token,
                             api_base=settings.twilio_api_base,
                             status_callback_url=f"{settings.public_base_url}/twilio/status", pacing=pacing)


def payments_from(settings: Settings) -> PaymentGateway:
    """Stripe Checkout when STRIPE_SECRET_KEY is set (STRIPE_API_BASE: another address for its API), else
    the local /pay page."""
    if settings.stripe_secret_key:
        client = stripe_client(settings.stripe_secret_key, api_base=settings.stripe_api_base)
        return StripePayments(client, return_url=f"{settings.public_base_url}/stripe/return")
    return LocalPayments(settings.public_base_url)


def understanding_from(settings: Settings) -> Understanding:
    """A Rasa server's parser when RASA_URL is set (ours answers when it fails), else our own."""
    if settings.rasa_url:
        return RasaNlu(settings.rasa_url).parse
    return nlu.parse
