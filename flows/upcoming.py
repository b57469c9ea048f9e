"""A customer's own upcoming appointments, as the reminder, reschedule, cancel and waitlist flows see them.

Pure: the `AppointmentDesk` (bot/front_desk.py) loads and changes them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.wording import when_text
from flows.context import Desk, Said, Turn
from flows.phrases import choices_text, phrase
from nlu import TimeWindow


@dataclass(frozen=True)
class Appointment:
    id: int
    service: str
    start: datetime
    status: str                 # a BookingStatus value
    deposit_cents: int          # paid (or due) for it

    @property
    def is_firm(self) -> bool:
        return self.status in ("confirmed", "pending_approval")


@dataclass(frozen=True)
class CancelTerms:
    """What cancelling now does with the deposit (bot.cancellation.cancellation_terms)."""

    refunded_cents: int
    kept_cents: int
    refund_hours: int           # the business's notice for a refund


@dataclass(frozen=True)
class OfferTaken:
    """What YES to a waitlist offer led to: "moved", "held" (name and deposit next) or "gone"."""

    outcome: str
    appointment: Appointment | None = None


class AppointmentDesk(Desk, Protocol):
    def upcoming(self) -> list[Appointment]:
        """The customer's bookings still ahead (firm ones, and a hold in progress), soonest first."""
        ...

    def appointment(self, appointment_id: int) -> Appointment | None: ...

    def confirm_attendance(self, appointment_id: int) -> Appointment | None:
        """Record that the customer will come (they replied C to a reminder)."""
        ...

    def cancel_terms(self, appointment_id: int) -> CancelTerms: ...

    def cancel(self, appointment_id: int) -> int:
        """Cancel under the policy; returns the cents refunded."""
        ...

    def move_offers(self, appointment_id: int, windows: Sequence[TimeWindow], *,
                    asap: bool) -> tuple[list[datetime], bool]:
        """Starts to offer for moving the appointment (as Desk.offers; its own time does not count as busy)."""
        ...

    def move(self, appointment_id: int, start: datetime) -> bool:
        """Move it there, keeping its deposit; False when the time was just taken."""
        ...

    def join_waitlist(self, service: str, before: datetime, appointment_id: int | None) -> None: ...

    def take_offer(self, entry_id: int) -> OfferTaken: ...

    def decline_offer(self, entry_id: int) -> None: ...


def chosen(said: Said, candidates: Sequence[Appointment], tz: str) -> list[Appointment]:
    """The appointments the message points at: by a day or time named ("my friday one"), by service,
    or all of them."""
    found = list(candidates)
    if said.parse.windows:
        days = {w.start.date() for w in said.parse.windows}
        by_day = [a for a in found if a.start.astimezone(said.parse.windows[0].start.tzinfo).date() in days]
        found = by_day or found
    if said.parse.service:
        found = [a for a in found if a.service == said.parse.service] or found
    return found


def which_one(appointments: Sequence[Appointment], desk: Desk, state: str, data: dict[str, Any]) -> Turn:
    """Ask which of several appointments the customer means."""
    listing = "\n".join(f"{i}) {a.service}, {when_text(a.start, desk.tz, desk.language)}"
                        for i, a in enumerate(appointments, 1))
    return Turn([phrase(desk.language, "which_appointment", listing=listing,
                        choices=choices_text(len(appointments), desk.language))],
                state, {**data, "choices": [a.id for a in appointments]})


def picked(said: Said, data: dict[str, Any]) -> int | None:
    """The appointment id picked from the numbered list we sent."""
    ids = data.get("choices", [])
    number = said.parse.choice or _number(said.text)
    return ids[number - 1] if number is not None and 1 <= number <= len(ids) else None


def _number(text: str) -> int | None:
    stripped = text.strip().strip(".#)")
    return int(stripped) if stripped.isdigit() else None


def is_letter(said: Said, *letters: str) -> bool:
    """Whether the whole message is one of these letters ("C", "x.", " r ")."""
    return said.text.strip().strip(".!").casefold() in {letter.casefold() for letter in letters}
