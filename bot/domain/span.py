"""Half-open time ranges [start, end) and the small algebra availability is built from."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple


class Span(NamedTuple):
    start: datetime
    end: datetime

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end

    def widened(self, before: timedelta, after: timedelta) -> "Span":
        return Span(self.start - before, self.end + after)


def merged(spans: Iterable[Span]) -> list[Span]:
    """Sorted, non-overlapping spans covering the same instants (touching spans are joined)."""
    result: list[Span] = []
    for span in sorted(s for s in spans if s.start < s.end):
        if result and span.start <= result[-1].end:
            last = result[-1]
            result[-1] = Span(last.start, max(last.end, span.end))
        else:
            result.append(span)
    return result


def intersect(spans: Iterable[Span], window: Span) -> list[Span]:
    """The parts of `spans` that lie inside `window`."""
    clipped = (Span(max(s.start, window.start), min(s.end, window.end)) for s in spans)
    return merged(s for s in clipped if s.start < s.end)


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """The parts of `spans` not covered by any of `holes`."""
    holes = merged(holes)
    result: list[Span] = []
    for span in merged(spans):
        cursor = span.start
        for hole in holes:
            if hole.end <= cursor or hole.start >= span.end:
                continue
            if hole.start > cursor:
                result.append(Span(cursor, hole.start))
            cursor = max(cursor, hole.end)
            if cursor >= span.end:
                break
        if cursor < span.end:
            result.append(Span(cursor, span.end))
    return result
