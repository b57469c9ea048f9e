"""What `nlu.parse` returns: the meaning of one message."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Intent(StrEnum):
    BOOK = "book"
    AVAILABILITY = "availability"
    CHOOSE = "choose"
    AFFIRM = "affirm"
    DENY = "deny"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    INFO = "info"
    HUMAN = "human"
    GREET = "greet"
    THANKS = "thanks"
    OPTOUT = "optout"
    OPTIN = "optin"
    HELP = "help"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class TimeWindow:
    """A local time range the customer asked about; start == end is one precise time."""

    start: datetime
    end: datetime

    @property
    def is_precise(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class Parse:
    intent: Intent
    confidence: float = 0.0
    windows: tuple[TimeWindow, ...] = ()
    service: str | None = None
    choice: int | None = None          # 1-based index into the offered slots
    name: str | None = None
    email: str | None = None
    address: str | None = None
    asap: bool = False                 # "asap", "earliest": the window starts now
    past: bool = False                 # the customer named a day or time that has already gone
    too_far: bool = False              # the customer named a day beyond the booking horizon (and nothing nearer)
    language: str = "en"               # "es" when the text is Spanish; replies follow it
    extras: dict[str, str] = field(default_factory=dict)
