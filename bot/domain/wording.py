"""How times, money and the bot's own notices read in a text message."""

from datetime import datetime
from zoneinfo import ZoneInfo


def when_text(start: datetime, tz: str) -> str:
    """"Wed Mar 11, 2:00 PM" in the business's zone."""
    local = start.astimezone(ZoneInfo(tz))
    return f"{local:%a %b} {local.day}, {clock_text(local)}"


def clock_text(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def money_text(cents: int, currency: str = "usd") -> str:
    symbol = {"usd": "$", "eur": "€", "gbp": "£"}.get(currency.lower(), currency.upper() + " ")
    return f"{symbol}{cents // 100}" if cents % 100 == 0 else f"{symbol}{cents / 100:.2f}"


def confirmation_text(*, business: str, service: str, start: datetime, tz: str, where: str,
                      contact: str) -> str:
    return (f"You're confirmed! {service} on {when_text(start, tz)} with {business} ({where}). "
            f"Need to change or cancel? Call or text {contact}.")


def pending_approval_text(*, service: str, start: datetime, tz: str) -> str:
    return (f"Thanks, deposit received. Your {service} on {when_text(start, tz)} is waiting for the "
            f"owner's OK; we'll text you as soon as it's approved.")


def owner_new_booking_text(*, customer: str, phone: str, service: str, start: datetime, tz: str,
                           status: str) -> str:
    label = "New booking" if status == "confirmed" else "New request (needs your OK)"
    return f"{label}: {customer} ({phone}), {service}, {when_text(start, tz)}."


def hold_lapsed_text(*, service: str, start: datetime, tz: str) -> str:
    return (f"Your hold on {service} for {when_text(start, tz)} has lapsed, so the time was released. "
            f"Text a day and time (e.g. 'tomorrow afternoon') to start again.")


def late_payment_text(*, service: str, start: datetime, tz: str) -> str:
    return (f"Sorry! Your deposit arrived after the hold on {service} for {when_text(start, tz)} lapsed and "
            f"that time is now taken. We've refunded the deposit in full. Text a day and time to pick another.")
