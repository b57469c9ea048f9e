"""How fast `nlu.parse` reads a message, against dateparser on the same texts in the same run, and how
often each finds the labelled time windows of the eval corpus (nlu/data/eval/).

Latency: every corpus text is parsed once as a warm-up, then ROUNDS timed rounds alternate between
`nlu.parse` (with the record's now, zone, services and offered options) and
`dateparser.search.search_dates(text, languages=["en"], settings={"RELATIVE_BASE": naive local now,
"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False})`. Each call is timed with
`time.perf_counter`; median and p99 (nearest rank) are over every timed call, and the ratio is
dateparser's figure over nlu's.
A round of nlu takes about 35 ms, so a burst of other work on the machine can slow a whole round, and
the median over every call moves by a tenth or more from run to run on a 2-core machine. The "steady" line
takes each text's fastest time over the rounds (as timeit does) and then the median over the texts, for both
parsers alike: it moves far less, and the 10x target is read from it.

Window accuracy. nlu is scored exactly as `python -m nlu.eval` does: the list of (start, end) instants
must equal the label. dateparser returns datetimes found in the text, not windows, so it is scored only
where a list of datetimes can express the label, and generously there:
- precise-time records (every window has start == end): a hit when the distinct datetimes found, in
  order, equal the labelled starts as naive local times;
- whole-day records (every window runs local midnight to midnight): a hit when the distinct dates found,
  in order, equal the labelled dates (whatever time of day dateparser attaches);
- records naming no time (windows []): a hit when nothing is found.
Left out for both, in the "comparable" figure: records whose label comes from the booking policy rather
than from reading the text (past dates, dates beyond the 60-day horizon: dateparser has neither notion),
and ranges it cannot express (day parts, "between 2 and 4", weeks, weekends, asap). Those ranges get a
separate lenient score: a hit when as many distinct datetimes as windows are found and each lies inside
its window (start <= found < end), which credits "sat morning" -> Saturday 09:00. Spanish records are
reported apart, since dateparser is asked for English only, as the bot would call it.

Run: .venv/bin/python bench/nlu_bench.py [--rounds N]   (a few seconds; bounded to about a minute)
"""

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateparser.search import search_dates

from nlu.eval import Outcome, Record, load, parsed, percentile

ROUNDS = 5
BUDGET = timedelta(seconds=40)  # timed rounds stop early past this, so the run stays under a minute


def local_now(record: Record) -> datetime:
    """The record's now as a naive local time: dateparser's RELATIVE_BASE."""
    return record.now.astimezone(ZoneInfo(record.tz)).replace(tzinfo=None)


def dateparser_found(record: Record) -> list[datetime]:
    settings = {"RELATIVE_BASE": local_now(record), "PREFER_DATES_FROM": "future",
                "RETURN_AS_TIMEZONE_AWARE": False}
    return [moment for _, moment in search_dates(record.text, languages=["en"], settings=settings) or ()]


def kind(record: Record) -> str:
    """How a record's label can be compared with a list of datetimes: none, precise, days, range, policy."""
    if record.past or record.asap or (record.past is False and not record.windows):
        return "policy"  # past, beyond the horizon, asap: a booking rule, not a reading of the text
    if not record.windows:
        return "none"
    zone = ZoneInfo(record.tz)
    local = [(w.start.astimezone(zone), w.end.astimezone(zone)) for w in record.windows]
    if all(start == end for start, end in local):
        return "precise"
    if all(start.time() == end.time() == datetime.min.time() and end.date() == start.date() + timedelta(days=1)
           for start, end in local):
        return "days"
    return "range"


def distinct(values: Sequence) -> list:
    return list(dict.fromkeys(values))


def dateparser_hit(record: Record, found: list[datetime]) -> bool:
    """Whether dateparser's datetimes express the label (see the module docstring)."""
    zone = ZoneInfo(record.tz)
    starts = [w.start.astimezone(zone).replace(tzinfo=None) for w in record.windows]
    ends = [w.end.astimezone(zone).replace(tzinfo=None) for w in record.windows]
    match kind(record):
        case "none":
            return not found
        case "precise":
            return distinct(found) == starts
        case "days":
            return distinct(f.date() for f in found) == [s.date() for s in starts]
        case "range":
            moments = distinct(found)
            return len(moments) == len(starts) and all(s <= f < e for f, s, e in zip(moments, starts, ends))
    return False


def timed(call: Callable[[Record], object], records: Sequence[Record], into: list[float],
          per_text: list[float]) -> None:
    """Time each call into `into`, and keep each text's fastest time so far in `per_text`."""
    for k, record in enumerate(records):
        started = time.perf_counter()
        call(record)
        took = time.perf_counter() - started
        into.append(took)
        per_text[k] = min(per_text[k], took)


def share(hits: Sequence[bool]) -> str:
    return f"{100 * sum(hits) / len(hits):5.1f}%  ({sum(hits)}/{len(hits)})" if hits else "  n/a"


def main(argv: Sequence[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rounds", type=int, default=ROUNDS, help="timed rounds for each parser")
    rounds = options.parse_args(argv).rounds
    records = load()

    outcomes = [Outcome(r, parsed(r)) for r in records]          # scores, and nlu's warm-up
    found = [dateparser_found(r) for r in records]                # scores, and dateparser's warm-up
    nlu_times: list[float] = []
    dateparser_times: list[float] = []
    nlu_best = [float("inf")] * len(records)
    dateparser_best = [float("inf")] * len(records)
    deadline = time.monotonic() + BUDGET.total_seconds()
    done = 0
    while done < rounds and time.monotonic() < deadline:
        timed(parsed, records, nlu_times, nlu_best)
        timed(dateparser_found, records, dateparser_times, dateparser_best)
        done += 1

    nlu_median, nlu_p99 = statistics.median(nlu_times), percentile(nlu_times, 99)
    dp_median, dp_p99 = statistics.median(dateparser_times), percentile(dateparser_times, 99)
    print(f"{len(records)} corpus messages, {done} timed rounds each after a warm-up")
    print()
    print(f"{'latency per message':<34}{'median':>10}{'p99':>10}")
    print(f"{'  nlu.parse':<34}{1000 * nlu_median:8.3f}ms{1000 * nlu_p99:8.3f}ms")
    print(f"{'  dateparser search_dates':<34}{1000 * dp_median:8.3f}ms{1000 * dp_p99:8.3f}ms")
    print(f"{'  dateparser / nlu':<34}{dp_median / nlu_median:9.1f}x{dp_p99 / nlu_p99:9.1f}x")
    steady_nlu, steady_dp = statistics.median(nlu_best), statistics.median(dateparser_best)
    print(f"{'  steady (each text at its best)':<34}{1000 * steady_nlu:8.3f}ms{1000 * steady_dp:8.3f}ms"
          f"  dateparser / nlu {steady_dp / steady_nlu:.1f}x")

    kinds = [kind(r) for r in records]
    spanish = [r.language == "es" for r in records]
    print()
    print("window accuracy")
    print(f"  nlu, whole corpus (exact windows)          {share([o.windows_ok for o in outcomes])}")
    for label, wanted, lang_es in (
            ("precise times, whole days, no time; English", {"precise", "days", "none"}, False),
            ("precise times, whole days, no time; Spanish", {"precise", "days", "none"}, True),
            ("day parts, ranges, weeks; English", {"range"}, False)):
        chosen = [i for i, k in enumerate(kinds) if k in wanted and spanish[i] == lang_es]
        lenient = " (dateparser lenient: inside the window)" if wanted == {"range"} else ""
        print(f"  {label} ({len(chosen)} records){lenient}")
        print(f"    nlu                                      {share([outcomes[i].windows_ok for i in chosen])}")
        print(f"    dateparser                               "
              f"{share([dateparser_hit(records[i], found[i]) for i in chosen])}")
    comparable = [i for i, k in enumerate(kinds) if k in {"precise", "days", "none", "range"}]
    nlu_hits = [outcomes[i].windows_ok for i in comparable]
    dp_hits = [dateparser_hit(records[i], found[i]) for i in comparable]
    print(f"  all comparable records ({len(comparable)}; {len(records) - len(comparable)} policy-only left out)")
    print(f"    nlu                                      {share(nlu_hits)}")
    print(f"    dateparser                               {share(dp_hits)}")

    print()
    print("targets")
    print(f"  median under 1 ms            {'yes' if nlu_median < 0.001 else 'NO'}")
    print(f"  p99 under 5 ms               {'yes' if nlu_p99 < 0.005 else 'NO'}")
    print(f"  10x faster than dateparser   {'yes' if steady_dp / steady_nlu >= 10 else 'NO'}"
          f" (steady ratio {steady_dp / steady_nlu:.1f}x; median over every call {dp_median / nlu_median:.1f}x)")
    print(f"  more accurate on windows     {'yes' if sum(nlu_hits) > sum(dp_hits) else 'NO'}"
          f" ({sum(nlu_hits)} vs {sum(dp_hits)} comparable records)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
