"""The half-open span algebra availability is built from: merged, intersect, subtract."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.span import Span, intersect, merged, subtract


def at(hour: int, minute: int = 0) -> datetime:
    """An instant on Tue 2026-03-10, UTC."""
    return datetime(2026, 3, 10, hour, minute, tzinfo=UTC)


def s(start_hour: int, end_hour: int) -> Span:
    return Span(at(start_hour), at(end_hour))


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        pytest.param([], [], id="empty"),
        pytest.param([s(9, 10)], [s(9, 10)], id="single"),
        pytest.param([s(13, 14), s(9, 10)], [s(9, 10), s(13, 14)], id="disjoint-unsorted-get-sorted"),
        pytest.param([s(9, 10), s(10, 11)], [s(9, 11)], id="touching-joined"),
        pytest.param([s(9, 11), s(10, 12)], [s(9, 12)], id="overlapping-joined"),
        pytest.param([s(9, 17), s(10, 11)], [s(9, 17)], id="nested-absorbed"),
        pytest.param([s(10, 11), s(9, 17)], [s(9, 17)], id="nested-given-first"),
        pytest.param([s(9, 10), s(9, 10)], [s(9, 10)], id="duplicates"),
        pytest.param([s(9, 9), s(11, 12)], [s(11, 12)], id="zero-length-dropped"),
        pytest.param([s(12, 11)], [], id="inverted-dropped"),
        pytest.param([s(9, 10), s(10, 11), s(11, 12), s(14, 15)], [s(9, 12), s(14, 15)], id="chain-of-touching"),
        pytest.param([Span(at(9), at(10)), Span(at(10, 1), at(11))],
                     [Span(at(9), at(10)), Span(at(10, 1), at(11))], id="one-minute-gap-kept"),
    ],
)
def test_merged(spans: list[Span], expected: list[Span]) -> None:
    assert merged(spans) == expected


def test_merged_accepts_any_iterable() -> None:
    assert merged(iter([s(10, 11), s(9, 10)])) == [s(9, 11)]


@pytest.mark.parametrize(
    ("spans", "window", "expected"),
    [
        pytest.param([], s(9, 17), [], id="no-spans"),
        pytest.param([s(8, 18)], s(9, 17), [s(9, 17)], id="window-inside-span"),
        pytest.param([s(10, 11)], s(9, 17), [s(10, 11)], id="span-inside-window"),
        pytest.param([s(8, 10)], s(9, 17), [s(9, 10)], id="clipped-at-start"),
        pytest.param([s(16, 20)], s(9, 17), [s(16, 17)], id="clipped-at-end"),
        pytest.param([s(5, 8)], s(9, 17), [], id="disjoint-before"),
        pytest.param([s(17, 20)], s(9, 17), [], id="touching-window-end-is-outside"),
        pytest.param([s(6, 9)], s(9, 17), [], id="touching-window-start-is-outside"),
        pytest.param([s(8, 10), s(12, 13), s(16, 19)], s(9, 17), [s(9, 10), s(12, 13), s(16, 17)],
                     id="several"),
        pytest.param([s(8, 11), s(10, 12)], s(9, 17), [s(9, 12)], id="overlapping-inputs-merged"),
        pytest.param([s(8, 18)], s(12, 12), [], id="empty-window"),
    ],
)
def test_intersect(spans: list[Span], window: Span, expected: list[Span]) -> None:
    assert intersect(spans, window) == expected


@pytest.mark.parametrize(
    ("spans", "holes", "expected"),
    [
        pytest.param([s(8, 18)], [], [s(8, 18)], id="no-holes"),
        pytest.param([], [s(9, 10)], [], id="no-spans"),
        pytest.param([s(8, 18)], [s(10, 12)], [s(8, 10), s(12, 18)], id="hole-in-middle"),
        pytest.param([s(8, 18)], [s(6, 10)], [s(10, 18)], id="hole-over-start"),
        pytest.param([s(8, 18)], [s(16, 20)], [s(8, 16)], id="hole-over-end"),
        pytest.param([s(8, 18)], [s(8, 18)], [], id="hole-exactly-the-span"),
        pytest.param([s(8, 18)], [s(0, 23)], [], id="hole-covering-everything"),
        pytest.param([s(8, 12), s(13, 18)], [s(7, 19)], [], id="hole-covering-several-spans"),
        pytest.param([s(8, 18)], [s(18, 20)], [s(8, 18)], id="hole-touching-end"),
        pytest.param([s(8, 18)], [s(6, 8)], [s(8, 18)], id="hole-touching-start"),
        pytest.param([s(8, 18)], [s(20, 22)], [s(8, 18)], id="hole-disjoint"),
        pytest.param([s(8, 18)], [s(10, 12), s(11, 13)], [s(8, 10), s(13, 18)], id="overlapping-holes"),
        pytest.param([s(8, 18)], [s(14, 15), s(9, 10)], [s(8, 9), s(10, 14), s(15, 18)], id="unsorted-holes"),
        pytest.param([s(8, 12), s(13, 18)], [s(11, 14)], [s(8, 11), s(14, 18)], id="hole-bridging-two-spans"),
        pytest.param([s(8, 12), s(10, 14)], [s(11, 12)], [s(8, 11), s(12, 14)], id="overlapping-spans-merged-first"),
        pytest.param([s(8, 18)], [s(10, 10)], [s(8, 18)], id="zero-length-hole"),
    ],
)
def test_subtract(spans: list[Span], holes: list[Span], expected: list[Span]) -> None:
    assert subtract(spans, holes) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(s(9, 11), s(10, 12), True, id="overlap"),
        pytest.param(s(9, 17), s(10, 11), True, id="nested"),
        pytest.param(s(9, 10), s(10, 11), False, id="touching"),
        pytest.param(s(9, 10), s(12, 13), False, id="disjoint"),
    ],
)
def test_overlaps_is_symmetric_and_half_open(a: Span, b: Span, expected: bool) -> None:
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected


def test_widened() -> None:
    assert s(10, 12).widened(timedelta(minutes=15), timedelta(minutes=30)) == Span(at(9, 45), at(12, 30))
