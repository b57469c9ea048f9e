"""A business's settings as the owner sees and edits them (owner API and page), and what follows from them:
the day parts customers' texts are read with, and the links customers book through."""

from collections.abc import Mapping
from datetime import time
from typing import Any
from urllib.parse import quote

from bot.bookings import Refusal
from bot.db.tables import Business
from bot.domain.service_area import postal_key
from nlu.when import DAY_PARTS

DAY_PART_NAMES = ("morning", "afternoon", "evening")
DEPOSIT_POLICIES = ("none", "fixed", "percent")
BOOKING_GREETING = "Hi! I'd like to book"
# What the owner may change here; the zone, currency and numbers are set up with the business.
EDITABLE = frozenset({
    "name", "address", "is_mobile", "requires_approval", "approval_hours", "buffer_minutes", "slot_grid_minutes",
    "min_notice_minutes", "horizon_days", "hold_minutes", "payment_minutes", "unknown_drive_minutes",
    "cancel_refund_hours", "deposit_policy", "deposit_cents", "deposit_percent", "no_show_deposit_cents",
    "reminder_offsets_minutes", "quiet_start", "quiet_end", "day_parts", "service_radius_km", "service_zips"})


def change_settings(business: Business, changes: Mapping[str, Any]) -> None:
    """Apply the owner's changes (already type-checked by the caller) after the rules that span fields."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise Refusal(sorted(unknown)[0], "cannot be changed here")
    merged = {name: getattr(business, name) for name in EDITABLE} | dict(changes)
    if merged["deposit_policy"] not in DEPOSIT_POLICIES:
        raise Refusal("deposit_policy", f"must be one of {', '.join(DEPOSIT_POLICIES)}")
    if (merged["quiet_start"] is None) != (merged["quiet_end"] is None):
        raise Refusal("quiet_end", "quiet hours need both a start and an end (or neither)")
    if "day_parts" in changes and changes["day_parts"] is not None:
        changes = {**changes, "day_parts": stored_day_parts(changes["day_parts"])}
    if "service_zips" in changes:
        changes = {**changes, "service_zips": stored_zips(changes["service_zips"] or [])}
    for name, value in changes.items():
        setattr(business, name, value)


def stored_day_parts(parts: Mapping[str, Any]) -> dict[str, list[str]]:
    """{"morning": (07:00, 12:00)} -> {"morning": ["07:00", "12:00"]}, checked."""
    stored = {}
    for name, (start, end) in parts.items():
        if name not in DAY_PART_NAMES:
            raise Refusal("day_parts", f"{name!r} is not a day part; use {', '.join(DAY_PART_NAMES)}")
        start, end = _time(start), _time(end)
        if end <= start:
            raise Refusal("day_parts", f"{name} ends before it starts")
        stored[name] = [start.strftime("%H:%M"), end.strftime("%H:%M")]
    return stored


def stored_zips(codes: list[str]) -> list[str]:
    """The service area's postal codes as compared (service_area.postal_key), each once, in order."""
    stored = []
    for code in codes:
        key = postal_key(str(code))
        if not key.isalnum() or not 3 <= len(key) <= 10:
            raise Refusal("service_zips", f"{code!r} is not a postal code")
        if key not in stored:
            stored.append(key)
    return stored


def day_parts_of(business: Business) -> dict[str, tuple[time, time]] | None:
    """The business's own day parts for nlu.parse (None: nlu's defaults)."""
    if not business.day_parts:
        return None
    return {name: (time.fromisoformat(a), time.fromisoformat(b)) for name, (a, b) in business.day_parts.items()
            if name in DAY_PART_NAMES}


def day_parts_or_defaults(business: Business) -> dict[str, tuple[time, time]]:
    """Every day part as the business's customers' texts are read: its own, else nlu's."""
    return {**DAY_PARTS, **(day_parts_of(business) or {})}


def booking_links(business: Business) -> dict[str, str]:
    """Links that open a text to the business with a greeting typed in: for a website, a QR code, a bio."""
    links = {}
    if business.sms_phone:
        links["sms"] = f"sms:{business.sms_phone}?&body={quote(BOOKING_GREETING)}"
    if business.whatsapp_phone:
        links["whatsapp"] = f"https://wa.me/{business.whatsapp_phone.lstrip('+')}?text={quote(BOOKING_GREETING)}"
    return links


def _time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))
