"""Which few slots to offer in a text, out of every free one.

A text can carry three options, so they must be good ones. The ranking, in order:
1. One option per start time: of the technicians free then, the one whose day the job adds the least
   driving to (then the lowest id, so the choice is stable).
2. "asap": the earliest starts, nothing else matters.
3. Route-aware (mobile businesses): starts that add little driving are preferred. A start is
   "efficient" when its added drive is within 10 minutes, or 50%, of the best start in the same
   window; only efficient starts are offered while there are enough of them. A technician already
   working two streets away at 14:00 makes 15:45 a better offer than 09:00 across town, even though
   both are free. Nothing is lost for the customer: they can always ask for another time.
4. Spread: the options cover the window (earliest, latest and evenly between), since a customer who
   says "tomorrow afternoon" wants a real choice, not 12:00, 12:30 and 13:00. People answer round
   times more readily, so when enough starts fall on the hour only those are considered.
5. Several windows ("fri or sat morning"): each window gets its share of the options, in the order
   the customer gave them.
The options are returned in time order.
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.availability import Slot
from bot.domain.span import Span

EFFICIENT_EXTRA_MINUTES = 10.0
EFFICIENT_EXTRA_SHARE = 0.5


def chosen_offers(slots: Sequence[Slot], windows: Sequence[Span], *, limit: int, tz: str | ZoneInfo,
                  asap: bool = False) -> list[Slot]:
    """Up to `limit` slots to offer, by the ranking in the module docstring."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    candidates = best_per_start(slots)
    if asap or not windows:
        return candidates[:limit]
    per_window = [[s for s in candidates if _inside(s.start, w)] for w in windows]
    shares = _shares(limit, [len(p) for p in per_window])
    picked: dict[datetime, Slot] = {}
    for share, in_window in zip(shares, per_window):
        for slot in spread_offers(efficient(in_window, share), share, zone):
            picked.setdefault(slot.start, slot)
    return sorted(picked.values())


def best_per_start(slots: Sequence[Slot]) -> list[Slot]:
    """One slot per start: the technician adding the least driving, then the lowest id."""
    best: dict[datetime, Slot] = {}
    for slot in slots:
        held = best.get(slot.start)
        if held is None or (slot.drive_minutes, slot.staff_id) < (held.drive_minutes, held.staff_id):
            best[slot.start] = slot
    return sorted(best.values())


def efficient(slots: Sequence[Slot], wanted: int) -> list[Slot]:
    """The starts that add little driving compared with the best one, topped up to `wanted` by drive."""
    if not slots:
        return []
    least = min(s.drive_minutes for s in slots)
    allowance = max(EFFICIENT_EXTRA_MINUTES, least * EFFICIENT_EXTRA_SHARE)
    good = [s for s in slots if s.drive_minutes <= least + allowance]
    if len(good) >= wanted:
        return good
    rest = sorted((s for s in slots if s not in good), key=lambda s: (s.drive_minutes, s.start))
    return sorted(good + rest[:wanted - len(good)])


def spread_offers(slots: Sequence[Slot], limit: int, tz: ZoneInfo) -> list[Slot]:
    """Up to `limit` slots spread evenly over the candidates, first and last included.

    Afternoon starts 12:00-15:00 every 30 minutes offer 12:00, 14:00 and 15:00 (on the hour only).
    """
    candidates = best_per_start(slots)
    on_the_hour = [s for s in candidates if s.start.astimezone(tz).minute == 0]
    if len(on_the_hour) >= limit:
        candidates = on_the_hour
    if len(candidates) <= limit:
        return candidates
    if limit == 1:
        return candidates[:1]
    last = len(candidates) - 1
    picks = sorted({int(i * last / (limit - 1) + 0.5) for i in range(limit)})
    return [candidates[i] for i in picks]


def _shares(limit: int, sizes: Sequence[int]) -> list[int]:
    """How many options each window gets: round-robin in the customer's order, skipping empty windows."""
    shares = [0] * len(sizes)
    left = limit
    while left and any(shares[i] < sizes[i] for i in range(len(sizes))):
        for i, size in enumerate(sizes):
            if left and shares[i] < size:
                shares[i] += 1
                left -= 1
    return shares


def _inside(start: datetime, window: Span) -> bool:
    if window.start == window.end:
        return start == window.start
    return window.start <= start < window.end
