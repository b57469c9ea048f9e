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
    # A run of overlapping spans becomes one new Span when it ends, not one per span joined: availability merges a
    # day's widened jobs, which on a full day all touch, and building a Span (a NamedTuple) costs more than the rest.
    result: list[Span] = []
    first: Span | None = None
    run_end = None
    for span in sorted([s for s in spans if s.start < s.end]):
        start, end = span
        if first is not None and start <= run_end:
            if end > run_end:
                run_end = end
            continue
        if first is not None:
            result.append(first if first.end == run_end else Span(first.start, run_end))
        first, run_end = span, end
    if first is not None:
        result.append(first if first.end == run_end else Span(first.start, run_end))
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
        start, end = span
        cursor = start
        for hole_start, hole_end in holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append(Span(cursor, hole_start))
            if hole_end > cursor:
                cursor = hole_end
            if cursor >= end:
                break
        if cursor < end:
            result.append(span if cursor == start else Span(cursor, end))
    return result
