"""Texts from the business's own phones: the day's agenda, a booking and its payments, recent deposits,
and the owner's two commands on a booking.

    owner: tomorrow      bot: Wed Mar 11, 1 booking:
                              #12 2:00 PM Full Detail - Dana
    owner: #12           bot: #12 Full Detail, Wed Mar 11, 2:00 PM - confirmed ... Deposit $50: paid (pi_...)
    owner: payments      bot: Deposits, newest first: ...
    owner: cancel 12     bot: Cancelled #12 ... Refunded the $50 deposit; Dana has been told.
    owner: noshow 12     bot: #12 marked as a no-show: the $50 deposit is kept. Dana: 1 no-show so far.

Owner texts stay English for now (see bot/domain/wording.py).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.wording import clock_text, day_text, money_text, when_text
from flows.context import Turn
from nlu import Parse, TimeWindow


@dataclass(frozen=True)
class AgendaLine:
    start: datetime
    customer: str
    service: str
    status: str
    booking_id: int | None = None
    address: str | None = None         # where the job is (mobile businesses)


@dataclass(frozen=True)
class PaymentLine:
    """One deposit attempt, as the owner sees it."""

    booking_id: int
    amount_cents: int
    currency: str
    status: str                        # pending, paid, refunded, expired, failed
    provider: str                      # stripe, local
    provider_ref: str | None = None    # Stripe: the Checkout Session
    payment_intent: str | None = None
    refunded_cents: int = 0
    refund_ref: str | None = None
    customer: str = ""
    service: str = ""
    start: datetime | None = None


@dataclass(frozen=True)
class BookingCard:
    id: int
    start: datetime
    customer: str
    phone: str
    service: str
    status: str
    address: str | None
    deposit_cents: int
    currency: str
    no_shows: int                      # the customer's, including this booking if it was one
    payments: tuple[PaymentLine, ...] = ()


@dataclass(frozen=True)
class OwnerAction:
    """What a command did: `done`, or why not (`reason`: not_found, too_early, wrong_status, refund_failed)."""

    done: bool
    reason: str = ""
    booking: BookingCard | None = None
    refunded_cents: int = 0
    kept_cents: int = 0


class OwnerDesk(Protocol):
    now: datetime
    tz: str

    def agenda(self, window: TimeWindow) -> Sequence[AgendaLine]: ...

    def booking(self, booking_id: int) -> BookingCard | None: ...

    def recent_payments(self) -> Sequence[PaymentLine]: ...

    def mark_no_show(self, booking_id: int) -> OwnerAction:
        """The customer did not turn up: keep the deposit, count it against them."""
        ...

    def cancel(self, booking_id: int) -> OwnerAction:
        """Cancel as the business: the deposit is always refunded and the customer told."""
        ...

    # Requests, the next job and time off (the rest of this module, below `step`).

    technician_names: Sequence[str]

    def pending(self) -> Sequence[AgendaLine]:
        """Requests waiting for the owner's OK, soonest first."""
        ...

    def approve(self, booking_id: int) -> OwnerAction: ...

    def decline(self, booking_id: int, reason: str) -> OwnerAction:
        """Release the slot, refund any deposit, text the customer the reason and other times."""
        ...

    def next_job(self) -> "Job | None": ...

    def block(self, windows: Sequence[TimeWindow], technician: str | None, *, force: bool) -> "Blocked":
        """Time off over the windows (for one technician, or everyone); unless `force`, nothing is made when
        it would clash with bookings, and the clashes come back."""
        ...


HELP = ("Owner commands: TODAY, TOMORROW or a day (e.g. FRI, 3/14) for that day's bookings; NEXT for the next job; "
        "#12 for booking 12 and its payments; PAYMENTS for recent deposits; Y 12 / N 12 (add a reason) to approve "
        "or decline request 12; CANCEL 12 to cancel it (refunds the deposit); NOSHOW 12 when the customer didn't "
        "turn up (keeps the deposit); BLOCK TOMORROW AFTERNOON or OFF FRI for time off.")

COMMAND = re.compile(r"^\s*(?P<verb>no[\s-]?show|cancel|booking|#)\s*#?\s*(?P<id>\d{1,9})\s*[.!]?\s*$", re.IGNORECASE)
PAYMENTS = re.compile(r"^\s*(payments?|deposits?)\s*[.!?]?\s*$", re.IGNORECASE)


def answer(parse: Parse, desk: OwnerDesk, text: str = "") -> str:
    """The reply to an owner's text."""
    command = COMMAND.match(text)
    if command:
        verb, booking_id = command["verb"].lower().replace("-", "").replace(" ", ""), int(command["id"])
        if verb == "noshow":
            return no_show_text(desk.mark_no_show(booking_id), booking_id, desk.tz)
        if verb == "cancel":
            return cancelled_text(desk.cancel(booking_id), booking_id, desk.tz)
        card = desk.booking(booking_id)
        return card_text(card, desk.tz) if card else f"I can't find booking #{booking_id}."
    if PAYMENTS.match(text):
        return payments_text(desk.recent_payments(), desk.tz)
    if not parse.windows:
        return HELP
    return agenda_text(parse.windows[0], desk.agenda(parse.windows[0]))


def agenda_text(window: TimeWindow, lines: Sequence[AgendaLine]) -> str:
    day = window.start
    heading = f"{day:%a %b} {day.day}"
    if not lines:
        return f"{heading}: no bookings."
    rows = [(f"#{line.booking_id} " if line.booking_id else "")
            + f"{clock_text(line.start.astimezone(day.tzinfo))} {line.service} - {line.customer}"
            + (f", {line.address}" if line.address else "")
            + ("" if line.status == "confirmed" else f" ({line.status.replace('_', ' ')})") for line in lines]
    return f"{heading}, {len(lines)} booking{'s' if len(lines) != 1 else ''}:\n" + "\n".join(rows)


def card_text(card: BookingCard, tz: str) -> str:
    lines = [f"#{card.id} {card.service}, {when_text(card.start, tz)} - {_status(card.status)}",
             f"{card.customer} {card.phone}" + (f", {card.address}" if card.address else "")]
    if not card.payments:
        lines.append("No deposit." if not card.deposit_cents
                     else f"Deposit {money_text(card.deposit_cents, card.currency)}: not requested yet.")
    for payment in card.payments:
        lines.append(f"Deposit {_payment_text(payment)}")
    if card.no_shows:
        lines.append(f"No-shows: {card.no_shows}.")
    return "\n".join(lines)


def payments_text(payments: Sequence[PaymentLine], tz: str) -> str:
    if not payments:
        return "No deposits yet."
    rows = [f"#{p.booking_id} {p.customer}, {p.service} {when_text(p.start, tz) if p.start else ''}: "
            f"{_payment_text(p)}" for p in payments]
    return "Deposits, newest first:\n" + "\n".join(rows)


def no_show_text(action: OwnerAction, booking_id: int, tz: str) -> str:
    card = action.booking
    if not action.done:
        return _refusal(action, booking_id, tz, verb="mark it as a no-show")
    kept = f"the {money_text(action.kept_cents, card.currency)} deposit is kept" if action.kept_cents \
        else "there was no deposit to keep"
    return (f"#{card.id} {card.service}, {when_text(card.start, tz)} marked as a no-show: {kept}. "
            f"{card.customer}: {card.no_shows} no-show{'s' if card.no_shows != 1 else ''} so far.")


def cancelled_text(action: OwnerAction, booking_id: int, tz: str) -> str:
    card = action.booking
    if not action.done:
        return _refusal(action, booking_id, tz, verb="cancel it")
    refund = (f"Refunded the {money_text(action.refunded_cents, card.currency)} deposit"
              if action.refunded_cents else "No deposit to refund")
    return f"Cancelled #{card.id} {card.service}, {when_text(card.start, tz)} ({card.customer}). {refund}; " \
           f"{card.customer} has been told."


def _refusal(action: OwnerAction, booking_id: int, tz: str, *, verb: str) -> str:
    card = action.booking
    if action.reason == "not_found" or card is None:
        return f"I can't find booking #{booking_id}."
    if action.reason == "too_early":
        return f"#{card.id} is on {when_text(card.start, tz)}: you can mark a no-show once it has started."
    if action.reason == "refund_failed":
        return (f"I couldn't refund the deposit of #{card.id} just now, so it is NOT cancelled. "
                f"Try again in a minute.")
    return f"#{card.id} is {_status(card.status)}, so I can't {verb}."


def _payment_text(p: PaymentLine) -> str:
    text = f"{money_text(p.amount_cents, p.currency)} {p.status.replace('_', ' ')}"
    if 0 < p.refunded_cents < p.amount_cents:
        text += f", {money_text(p.refunded_cents, p.currency)} refunded"
    ids = [i for i in (p.provider_ref if p.provider != "local" else None, p.payment_intent, p.refund_ref) if i]
    return text + (f" ({', '.join(ids)})" if ids else "")


def _status(status: str) -> str:
    return status.replace("_", " ")


# Requests, the next job and time off. `step` is what the engine calls: these first, then `answer`.
#
#     bot:   New request #42: Dana K., Full Detail, Wed Mar 11, 2:00 PM, 123 Oak St. Reply Y 42 to approve ...
#     owner: Y                  bot: Approved #42 Full Detail, Wed Mar 11, 2:00 PM (Dana). Dana has been told.
#     owner: n 43 booked that day
#                               bot: Declined #43 ... Dana has been told why and offered other times.
#     owner: block fri afternoon
#                               bot: Fri Mar 13, 12:00 PM-5:00 PM (everyone) clashes with: ... Reply YES to block it
#                                    anyway (the bookings stay) or NO to leave it.
#     owner: yes                bot: Blocked Fri Mar 13, 12:00 PM-5:00 PM for everyone.

@dataclass(frozen=True)
class Job:
    id: int
    start: datetime
    customer: str
    phone: str
    service: str
    address: str | None
    technician: str


@dataclass(frozen=True)
class Blocked:
    """Time off the owner asked for: made (`done`), or not because of `clashes`."""

    done: bool
    who: str                                   # "everyone" or a technician's name
    spans: tuple[tuple[datetime, datetime], ...]
    clashes: tuple[AgendaLine, ...] = ()


# Yes and no as owners type them one-handed; longer words also match with one typo ("aprove", "decilne").
APPROVALS = frozenset({"y", "ya", "ye", "yes", "yse", "yea", "yeah", "yep", "yup", "yes!", "ok", "oka", "okay",
                       "okey", "k", "kk", "sure", "approve", "approved", "accept", "accepted", "confirm", "si", "sí"})
DECLINES = frozenset({"n", "no", "nah", "nope", "nop", "nay", "decline", "declined", "reject", "rejected", "deny"})
REPLY = re.compile(r"^\s*(?:#?(?P<lead>\d{1,9})\s+)?(?P<word>[^\W\d_]+|👍)[!.]*\s*(?:#?\s*(?P<id>\d{1,9})\b)?"
                   r"[\s,.:;!-]*(?P<rest>.*?)\s*$", re.DOTALL)
NEXT = re.compile(r"^\s*(next|next job|what'?s next)\s*[?.!]*\s*$", re.IGNORECASE)
BLOCK_WORDS = frozenset({"block", "off", "closed", "close", "holiday", "vacation", "unavailable"})
NUMBER = re.compile(r"^\s*#?\s*(\d{1,9})\s*[.!]?\s*$")


def step(state: str, parse: Parse, data: dict, desk: OwnerDesk, text: str) -> Turn:
    """One owner text: a pending question first, then requests, the next job and time off, then `answer`."""
    if state == "confirm_block":
        reply = _yes_no(text)
        if reply is not None:
            if not reply:
                return Turn(["OK, nothing blocked."], "", {}, flow="owner")
            windows = [TimeWindow(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in data["windows"]]
            return Turn([blocked_text(desk.block(windows, data.get("who"), force=True), desk.tz)], "", {},
                        flow="owner")
    if state == "which" and (number := NUMBER.match(text)):
        return _decide(desk, data["verb"], int(number[1]), data.get("reason", ""))
    if COMMAND.match(text) or PAYMENTS.match(text):   # "no-show 12" is not a "no"
        return Turn([answer(parse, desk, text)], "", {}, flow="owner")
    decision = _decision(text)
    if decision is not None:
        verb, booking_id, reason = decision
        if booking_id is not None:
            return _decide(desk, verb, booking_id, reason)
        waiting = list(desk.pending())
        if not waiting:
            return Turn(["No requests are waiting for your OK."], "", {}, flow="owner")
        if len(waiting) == 1:
            return _decide(desk, verb, waiting[0].booking_id, reason)
        listing = "\n".join(_line(r, desk.tz) for r in waiting)
        ask = (f"{len(waiting)} requests are waiting:\n{listing}\nWhich one do you want to {verb}? "
               f"Reply with its number (e.g. {waiting[0].booking_id}).")
        return Turn([ask], "which", {"verb": verb, "reason": reason}, flow="owner")
    if NEXT.match(text):
        return Turn([next_text(desk.next_job(), desk.tz)], "", {}, flow="owner")
    words = set(re.findall(r"[^\W\d_]+", text.lower()))
    if words & BLOCK_WORDS and parse.windows:
        who = next((n for n in desk.technician_names if n.lower() in words), None)
        windows = [w for w in parse.windows if w.end > desk.now]
        if not windows:
            return Turn(["That time has already passed."], "", {}, flow="owner")
        result = desk.block(windows, who, force=False)
        if result.done:
            return Turn([blocked_text(result, desk.tz)], "", {}, flow="owner")
        return Turn([clash_text(result, desk.tz)], "confirm_block",
                    {"windows": [[w.start.isoformat(), w.end.isoformat()] for w in windows], "who": who}, flow="owner")
    return Turn([answer(parse, desk, text)], "", {}, flow="owner")


def _decision(text: str) -> tuple[str, int | None, str] | None:
    """("approve" or "decline", the booking id if named, the reason) when the text approves or declines."""
    found = REPLY.match(text)
    if found is None or (found["lead"] and found["id"]):
        return None
    word = found["word"].lower()
    verb = "approve" if word == "👍" or _is(word, APPROVALS) else "decline" if _is(word, DECLINES) else None
    if verb is None:
        return None
    booking_id = found["id"] or found["lead"]
    return verb, int(booking_id) if booking_id else None, found["rest"].strip() if verb == "decline" else ""


def _is(word: str, vocabulary: frozenset[str]) -> bool:
    if word in vocabulary:
        return True
    return len(word) >= 5 and any(len(v) >= 5 and _one_typo(word, v) for v in vocabulary)


def _one_typo(a: str, b: str) -> bool:
    """Whether `a` is `b` with one letter added, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
                                   and a[diffs[1]] == b[diffs[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _yes_no(text: str) -> bool | None:
    word = (re.findall(r"[^\W\d_]+", text.lower()) or [""])[0]
    return True if _is(word, APPROVALS) else False if _is(word, DECLINES) else None


def _decide(desk: OwnerDesk, verb: str, booking_id: int, reason: str) -> Turn:
    if verb == "approve":
        action = desk.approve(booking_id)
        text = (f"Approved #{booking_id} {action.booking.service}, {when_text(action.booking.start, desk.tz)} "
                f"({action.booking.customer}). {action.booking.customer} has been told." if action.done
                else _refusal(action, booking_id, desk.tz, verb="approve"))
    else:
        action = desk.decline(booking_id, reason)
        card = action.booking
        refund = (f" Refunded the {money_text(action.refunded_cents, card.currency)} deposit." if action.done
                  and action.refunded_cents else "")
        text = (f"Declined #{booking_id} {card.service}, {when_text(card.start, desk.tz)} ({card.customer}).{refund} "
                f"{card.customer} has been told{' why' if reason else ''} and offered other times." if action.done
                else _refusal(action, booking_id, desk.tz, verb="decline"))
    return Turn([text], "", {}, flow="owner")


def _line(line: AgendaLine, tz: str) -> str:
    return f"#{line.booking_id} {line.customer}, {line.service}, {when_text(line.start, tz)}"


def next_text(job: Job | None, tz: str) -> str:
    if job is None:
        return "Nothing else is booked."
    where = f", {job.address}" if job.address else ""
    return f"Next: #{job.id} {when_text(job.start, tz)}, {job.service} - {job.customer} {job.phone}{where} ({job.technician})."


def _span_text(spans: Sequence[tuple[datetime, datetime]], tz: str) -> str:
    """"Fri Mar 13 (all day)", "Wed Mar 11, 12:00 PM-5:00 PM", joined with "and"."""
    zone = ZoneInfo(tz)
    parts = []
    for start, end in spans:
        first, last = start.astimezone(zone), end.astimezone(zone)
        if first.time() == last.time() == time(0):
            final = last - timedelta(days=1)
            parts.append(f"{day_text(first)} (all day)" if final.date() == first.date()
                         else f"{day_text(first)} to {day_text(final)} (all days)")
        elif first.date() == last.date():
            parts.append(f"{when_text(start, tz)}-{clock_text(last)}")
        else:
            parts.append(f"{when_text(start, tz)} to {when_text(end, tz)}")
    return " and ".join(parts)


def blocked_text(result: Blocked, tz: str) -> str:
    return f"Blocked {_span_text(result.spans, tz)} for {result.who}. New customers won't be offered it."


def clash_text(result: Blocked, tz: str) -> str:
    rows = "\n".join(_line(c, tz) for c in result.clashes)
    count = len(result.clashes)
    return (f"{_span_text(result.spans, tz)} ({result.who}) clashes with {count} booking{'s' if count != 1 else ''}:\n"
            f"{rows}\nReply YES to block it anyway (the booking{'s stay' if count != 1 else ' stays'}; CANCEL "
            f"{result.clashes[0].booking_id} cancels one) or NO to leave it.")
