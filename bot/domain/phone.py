"""Phone numbers and Twilio addresses ("+15551234567", "whatsapp:+15551234567")."""

from enum import StrEnum
from functools import lru_cache

import phonenumbers


class Channel(StrEnum):
    SMS = "sms"
    WHATSAPP = "whatsapp"


# phonenumbers takes 20-30 microseconds a call, and every turn asked it three or four times about the same few
# numbers (the business's, the sender's, the owner's): the functions below are pure, so each number is worked
# out once per process. The bound keeps a flood of distinct senders from growing the caches without end.
PHONES_REMEMBERED = 4096


@lru_cache(maxsize=PHONES_REMEMBERED)
def e164(raw: str, default_region: str = "US") -> str | None:
    """The number in E.164 form, or None when it is not a possible phone number."""
    try:
        number = phonenumbers.parse(raw.strip(), default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_address(address: str) -> tuple[Channel, str | None]:
    """The channel and E.164 phone of a Twilio address ("whatsapp:+1555..." or "+1555...")."""
    address = address.strip()
    if address.lower().startswith("whatsapp:"):
        return Channel.WHATSAPP, e164(address.split(":", 1)[1])
    return Channel.SMS, e164(address)


def address_of(channel: Channel, phone: str) -> str:
    """The Twilio address for a phone on a channel."""
    return f"whatsapp:{phone}" if channel is Channel.WHATSAPP else phone


def masked(phone: str) -> str:
    """A phone for logs: only the last four digits stay readable."""
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


@lru_cache(maxsize=PHONES_REMEMBERED)
def pretty(phone: str) -> str:
    """A phone as people write it in their region, e.g. (555) 000-2222."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return phone


@lru_cache(maxsize=PHONES_REMEMBERED)
def country_of(phone: str | None) -> str | None:
    """The country (ISO 3166 alpha-2) a number belongs to: its region, else its calling code's main one
    (+1 555 numbers are no region's, but +1 is mostly the US); None when it is not a number."""
    try:
        number = phonenumbers.parse(phone or "")
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(
        number.country_code)
    return region if region and region != "ZZ" else None
