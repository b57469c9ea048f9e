"""What `nlu.parse` returns: the meaning of one message."""

from dataclasses import MISSING, dataclass, field, fields
from typing import Any
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


# Every field in order with its default (required ones with MISSING), and the fields made by a factory.
_PARSE_FIELDS = {f.name: f.default for f in fields(Parse)}
_PARSE_FACTORIES = tuple((f.name, f.default_factory) for f in fields(Parse) if f.default_factory is not MISSING)


def parse_of(**values: Any) -> Parse:
    """`Parse(**values)`, made without the generated __init__, which sets each field with a call to
    object.__setattr__ (the dataclass is frozen): nlu.parse makes one per message. The same fields, in the same
    order, the same defaults and a fresh `extras`; every required field must be given."""
    made = object.__new__(Parse)
    state = made.__dict__
    state.update(_PARSE_FIELDS)
    state.update(values)
    for name, factory in _PARSE_FACTORIES:
        if name not in values:
            state[name] = factory()
    return made


def public_intent(intent: Intent) -> tuple[Intent, bool]:
    """The contract's intent for an internal label, and whether the message asks for the waitlist."""
    return (Intent.AVAILABILITY, True) if intent is Intent.WAITLIST else (intent, False)
