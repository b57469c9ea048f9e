"""The one composition root: which adapters this process uses, chosen from settings."""

import logging
from dataclasses import dataclass

import nlu
from bot.adapters.messaging import LocalMessages, MessageSender
from bot.adapters.payment import LocalPayments, PaymentGateway
from bot.adapters.rasa import RasaNlu, Understanding
from bot.config import Settings

log = logging.getLogger(__name__)


@dataclass
class Adapters:
    payments: PaymentGateway
    messages: MessageSender
    understand: Understanding = nlu.parse


def adapters_from(settings: Settings) -> Adapters:
    """Local stand-ins for everything this version can do offline."""
    if settings.stripe_secret_key or settings.twilio_account_sid:
        # The Stripe and Twilio sending adapters arrive with their own issues; until then keys only
        # switch on webhook signature checks, and deposits and outbound texts stay local.
        log.warning("Stripe/Twilio keys are set but this version still takes deposits and sends texts locally")
    return Adapters(payments=LocalPayments(settings.public_base_url), messages=LocalMessages(),
                    understand=understanding_from(settings))


def understanding_from(settings: Settings) -> Understanding:
    """A Rasa server's parser when RASA_URL is set (ours answers when it fails), else our own."""
    if settings.rasa_url:
        return RasaNlu(settings.rasa_url).parse
    return nlu.parse
