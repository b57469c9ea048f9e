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
    # Internal to nlu: the classifier's label for "text me if anything earlier opens". `parse` never
    # returns it as Parse.intent (the contract has 15 intents); it reports AVAILABILITY with waitlist=True.
    WAITLIST = "waitlist"
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
    waitlist: bool = False             # "text me if anything earlier opens": put me on the waitlist
    language: str = "en"               # "es" when the text is Spanish; replies follow it
    extras: dict[str, str] = field(default_factory=dict)


_new = object.__new__
_set = object.__setattr__  # (the dataclass is frozen)


def parse_of(intent: Intent, confidence: float, windows: tuple[TimeWindow, ...], service: str | None,
             choice: int | None, name: str | None, email: str | None, address: str | None, asap: bool, past: bool,
             too_far: bool, waitlist: bool, language: str) -> Parse:
    """`Parse(...)` with every field but `extras` given in order, made without the generated __init__, which
    sets each field with a call to object.__setattr__ and took longer than several of the parse's steps: nlu.parse
    makes one per message. The same fields in the same order, and a fresh `extras` (tests hold it to the
    dataclass)."""
    made = _new(Parse)
    _set(made, "__dict__", {"intent": intent, "confidence": confidence, "windows": windows, "service": service,
                            "choice": choice, "name": name, "email": email, "address": address, "asap": asap,
                            "past": past, "too_far": too_far, "waitlist": waitlist, "language": language,
                            "extras": {}})
    return made


def public_intent(intent: Intent) -> tuple[Intent, bool]:
    """The contract's intent for an internal label, and whether the message asks for the waitlist."""
    return (Intent.AVAILABILITY, True) if intent is Intent.WAITLIST else (intent, False)
