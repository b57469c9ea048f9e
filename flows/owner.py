"""Texts from the business's own phones: the day's agenda ("today", "tomorrow", "fri")."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.wording import clock_text
from nlu import Parse, TimeWindow


@dataclass(frozen=True)
class AgendaLine:
    start: datetime
    customer: str
    service: str
    status: str


class OwnerDesk(Protocol):
    now: datetime
    tz: str

    def agenda(self, window: TimeWindow) -> Sequence[AgendaLine]: ...


HELP = "Owner commands: TODAY, TOMORROW or a day (e.g. FRI, 3/14) for that day's bookings."


def answer(parse: Parse, desk: OwnerDesk) -> str:
    """The reply to an owner's text."""
    if not parse.windows:
        return HELP
    window = parse.windows[0]
    day = window.start
    lines = desk.agenda(window)
    heading = f"{day:%a %b} {day.day}"
    if not lines:
        return f"{heading}: no bookings."
    rows = [f"{clock_text(line.start.astimezone(day.tzinfo))} {line.service} - {line.customer}"
            + ("" if line.status == "confirmed" else f" ({line.status.replace('_', ' ')})") for line in lines]
    return f"{heading}, {len(lines)} booking{'s' if len(lines) != 1 else ''}:\n" + "\n".join(rows)
