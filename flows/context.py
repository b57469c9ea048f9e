"""What a flow step gets and gives back. Steps do no I/O beyond the `Desk` they are handed."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.domain.service_area import ServiceArea
from bot.domain.travel import Place
from nlu import Parse, TimeWindow


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    duration_minutes: int
    price_cents: int
    deposit_cents: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deposit:
    """What asking for the deposit led to: a link to pay; or no link, with the booking's status (confirmed or
    pending approval when no deposit is due, expired when the hold lapsed first); or `failed`: the payment
    provider did not make a link this time (the slot stays held; asking again makes a new attempt)."""

    link: str | None
    amount_cents: int
    status: str
    failed: bool = False


@dataclass
class Turn:
    replies: list[str]
    state: str
    data: dict[str, Any] = field(default_factory=dict)
    offers: list[datetime] = field(default_factory=list)   # the slots offered in this turn, in order
    # The flow (flows/registry.py) that reads the next message; None: the one that ran this turn.
    flow: str | None = None


class Desk(Protocol):
    """The business as a flow sees it; the engine implements it over the database and adapters."""

    now: datetime
    tz: str
    business_name: str
    currency: str
    contact: str
    services: Sequence[ServiceInfo]
    customer_name: str | None
    horizon_days: int                       # how far ahead the business takes bookings
    language: str                  # the customer's: "en" or "es"; every reply is in it (flows/phrases.py)

    def offers(self, service: str, windows: Sequence[TimeWindow], *, asap: bool) -> tuple[list[datetime], bool]:
        """Up to three free starts for the service in the windows, and whether they are inside them
        (False: the windows had nothing and these are the nearest alternatives)."""
        ...

    def hold(self, service: str, start: datetime) -> int | None:
        """Hold the slot for this customer; the booking id, or None when it was just taken."""
        ...

    def release(self, booking_id: int) -> None:
        """Give up a hold the customer no longer wants."""
        ...

    def remember_name(self, name: str) -> None: ...

    @property
    def needs_address(self) -> bool:
        """Whether we must ask where the job is before offering times (mobile business, address unknown)."""
        ...

    def take_address(self, address: str, lat: float | None = None, lng: float | None = None) -> ServiceArea | None:
        """Locate where the job is (a pin brings its coordinates) and keep it for the booking; when the business
        does not go there, keep nothing and return the area it serves."""
        ...

    @property
    def where(self) -> str:
        """Where the job happens, for the confirmation ("we come to you at 123 Oak St")."""
        ...

    def request_deposit(self, booking_id: int) -> Deposit: ...

    def calendar_line(self, booking_id: int) -> str:
        """"Add to calendar: <.ics link> (Google: <link>)" for the customer's firm booking; "" when it has none."""
        ...

    def tell_owner(self, text: str) -> None:
        """Queue a text to the owner."""
        ...


@dataclass(frozen=True)
class Said:
    """One inbound message: its raw text and what nlu made of it."""

    text: str
    parse: Parse
    place: Place | None = None       # a location the customer shared (WhatsApp pin)
