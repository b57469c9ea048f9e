"""Score `nlu.parse` against the labelled corpus in nlu/data/eval/.

    python -m nlu.eval [FILE_OR_FOLDER ...]     (default: nlu/data/eval)

Prints intent, window, service and choice accuracy over all records (asap, past and language over the
records that label them), per-message latency, and every miss. It is a report: the exit code is 0
whatever the figures; the accuracy bars live in tests/unit/test_nlu_eval.py.

One JSON object per line:
  text, now (ISO 8601 with offset), tz (IANA), services (list), offered (list of ISO datetimes),
  intent, windows (list of [start, end] ISO strings in tz, in the customer's order; [] when the
  message names no time), service (string or null), choice (1-based or null),
  optional: asap, past (bool), language ("en"/"es", only where the text decides it),
  aliases ({service: [alias, ...]}, default DEMO_ALIASES), note (why the label is what it is).

Labelling guide (the time policy itself is notes/nlu_policy.md; labels follow it, not the parser):
- book: asks for a time and/or a service ("tmrw aft, full detail", "can you do 3/14 at 2:30pm",
  "I'd like to make an appointment"); a request phrased as a question is still a request.
- availability: asks what is free ("sat morning?", "anything open thurs?", "do u have anything tmrw",
  "are you free friday?", "whats the earliest you can come?"), also when it names a service.
- choose: picks one of the offered options ("2", "#2", "second", "the 2:30 one", "friday's");
  a pick's windows are whatever day or time words it contains, resolved by the policy.
- affirm / deny: yes or no with no option picked ("either works" is affirm).
- optout / optin / help: the carrier keywords as the whole message (STOP, CANCEL, START, HELP, INFO,
  "?") plus plain requests such as "please stop texting me".
- unknown: gibberish, emoji only.
- Service labels only where the words are a service name or one of its aliases, unambiguously.
"""

import argparse
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from nlu import Parse, TimeWindow, parse

CORPUS = Path(__file__).parent / "data" / "eval"
# The aliases of the seeded demo business ("Shine Mobile Detailing"); nlu imports nothing of the
# project, so they are repeated here. A record may carry its own "aliases".
DEMO_ALIASES: Mapping[str, Sequence[str]] = {
    "Express Wash": ("express", "wash", "quick wash"),
    "Full Detail": ("full detail", "full", "detail"),
    "Interior Detail": ("interior", "inside", "inside only"),
}
ROUNDS = 3  # timed passes after the warm-up; p99 over a few thousand samples is steadier than over one pass


@dataclass(frozen=True)
class Record:
    """One labelled message; `source` is "file.jsonl:line"."""

    source: str
    text: str
    now: datetime
    tz: str
    services: tuple[str, ...]
    offered: tuple[datetime, ...]
    intent: str
    windows: tuple[TimeWindow, ...]
    service: str | None
    choice: int | None
    asap: bool | None = None
    past: bool | None = None
    language: str | None = None
    aliases: Mapping[str, Sequence[str]] = field(default_factory=lambda: DEMO_ALIASES)
    note: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the parser said about one record."""

    record: Record
    got: Parse

    @property
    def intent_ok(self) -> bool:
        return str(self.got.intent) == self.record.intent

    @property
    def windows_ok(self) -> bool:
        # Aware datetimes compare as instants, so this is exact start and end, in order.
        return [(w.start, w.end) for w in self.got.windows] == [(w.start, w.end) for w in self.record.windows]

    @property
    def service_ok(self) -> bool:
        return self.got.service == self.record.service

    @property
    def choice_ok(self) -> bool:
        return self.got.choice == self.record.choice

    @property
    def asap_ok(self) -> bool | None:
        return None if self.record.asap is None else self.got.asap == self.record.asap

    @property
    def past_ok(self) -> bool | None:
        return None if self.record.past is None else self.got.past == self.record.past

    @property
    def language_ok(self) -> bool | None:
        """None where the record does not label it or `Parse` has no language yet."""
        if self.record.language is None or not hasattr(self.got, "language"):
            return None
        return self.got.language == self.record.language

    @property
    def ok(self) -> bool:
        """Every labelled field matches (language is reported but not part of a pass)."""
        return (self.intent_ok and self.windows_ok and self.service_ok and self.choice_ok
                and self.asap_ok is not False and self.past_ok is not False)

    def differences(self) -> list[str]:
        """One line per field that differs: "intent: expected book, got availability"."""
        rec, got = self.record, self.got
        lines = []
        if not self.intent_ok:
            lines.append(f"intent: expected {rec.intent}, got {got.intent}")
        if not self.windows_ok:
            lines.append(f"windows: expected {shown(rec.windows, rec.tz)}, got {shown(got.windows, rec.tz)}")
        if not self.service_ok:
            lines.append(f"service: expected {rec.service}, got {got.service}")
        if not self.choice_ok:
            lines.append(f"choice: expected {rec.choice}, got {got.choice}")
        if self.asap_ok is False:
            lines.append(f"asap: expected {rec.asap}, got {got.asap}")
        if self.past_ok is False:
            lines.append(f"past: expected {rec.past}, got {got.past}")
        if self.language_ok is False:
            lines.append(f"language: expected {rec.language}, got {got.language}")
        return lines


@dataclass(frozen=True)
class Report:
    outcomes: tuple[Outcome, ...]
    latencies: tuple[float, ...]  # seconds, one per timed parse

    def accuracy(self, check: str) -> float | None:
        """The share of records where `check` ("intent", "windows", ...) holds, over the records that label it."""
        marks = [getattr(o, f"{check}_ok") for o in self.outcomes]
        marks = [m for m in marks if m is not None]
        return sum(marks) / len(marks) if marks else None

    def labelled(self, check: str) -> int:
        return sum(getattr(o, f"{check}_ok") is not None for o in self.outcomes)

    @property
    def intent_accuracy(self) -> float:
        return self.accuracy("intent") or 0.0

    @property
    def window_accuracy(self) -> float:
        return self.accuracy("windows") or 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000 if self.latencies else 0.0

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least pct% of the samples at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def corpus_files(paths: Iterable[str | Path] = ()) -> list[Path]:
    """The .jsonl files named, with folders expanded; the shipped corpus when none are named."""
    found: list[Path] = []
    for path in (Path(p) for p in (paths or [CORPUS])):
        found.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return found


def load(paths: Iterable[str | Path] = ()) -> list[Record]:
    """Every record of the files (or folders) named, in file and line order."""
    records = []
    for path in corpus_files(paths):
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    records.append(record_from(json.loads(line), f"{path.name}:{number}"))
    return records


def record_from(raw: Mapping, source: str) -> Record:
    return Record(
        source=source,
        text=raw["text"],
        now=datetime.fromisoformat(raw["now"]),
        tz=raw["tz"],
        services=tuple(raw.get("services", ())),
        offered=tuple(datetime.fromisoformat(o) for o in raw.get("offered", ())),
        intent=raw["intent"],
        windows=tuple(TimeWindow(datetime.fromisoformat(s), datetime.fromisoformat(e)) for s, e in raw["windows"]),
        service=raw.get("service"),
        choice=raw.get("choice"),
        asap=raw.get("asap"),
        past=raw.get("past"),
        language=raw.get("language"),
        aliases=raw.get("aliases", DEMO_ALIASES),
        note=raw.get("note"),
    )


def parsed(record: Record) -> Parse:
    """`nlu.parse` of the record, with the record's context."""
    return parse(record.text, now=record.now, tz=record.tz, services=record.services, offered=record.offered,
                 aliases=record.aliases)


def outcome(record: Record) -> Outcome:
    return Outcome(record, parsed(record))


def evaluate(records: Sequence[Record], *, rounds: int = ROUNDS) -> Report:
    """Parse every record once for the scores, then `rounds` timed passes for the latency."""
    outcomes = tuple(outcome(r) for r in records)  # doubles as the warm-up
    latencies = []
    for _ in range(rounds):
        for r in records:
            started = time.perf_counter()
            parsed(r)
            latencies.append(time.perf_counter() - started)
    return Report(outcomes, tuple(latencies))


def shown(windows: Sequence[TimeWindow], tz: str) -> str:
    """Windows in a short local form: [Wed 03-11 12:00-17:00 -05:00, Fri 03-13 15:00]."""
    zone = ZoneInfo(tz)
    parts = []
    for w in windows:
        start, end = w.start.astimezone(zone), w.end.astimezone(zone)
        text = f"{start:%a %m-%d %H:%M}"
        if end != start:
            same_day = end.date() == start.date()
            text += f"-{end:%H:%M}" if same_day else f"-{end:%a %m-%d %H:%M}"
        offsets = {f"{start:%z}", f"{end:%z}"}
        text += " " + "/".join(sorted(offsets, key=lambda o: o != f"{start:%z}"))
        parts.append(text)
    return "[" + ", ".join(parts) + "]"


def summary(report: Report) -> str:
    """The printed report."""
    n = len(report.outcomes)
    files = Counter(o.record.source.split(":")[0] for o in report.outcomes)
    counts = ", ".join(f"{name} {count}" for name, count in files.items())
    lines = [f"{n} records from {len(files)} file{'' if len(files) == 1 else 's'} ({counts})", ""]
    for check in ("intent", "windows", "service", "choice", "asap", "past", "language"):
        labelled = report.labelled(check)
        if labelled:
            right = round(report.accuracy(check) * labelled)
            scope = "" if labelled == n else f" (of {labelled} labelled)"
            lines.append(f"{check:<9}{100 * report.accuracy(check):6.1f}%  {right}/{labelled}{scope}")
        elif check == "language":
            lines.append("language     n/a  (Parse has no language field yet)")
    lines.append(f"latency   median {report.median_ms:.3f} ms   p99 {report.p99_ms:.3f} ms   "
                 f"({len(report.latencies)} timed parses after a warm-up)")
    lines.append("")
    width = max(len(name) for name in files) + 2
    lines.append(f"{'per file':<{width + 2}}intent  windows")
    for name in files:
        subset = Report(tuple(o for o in report.outcomes if o.record.source.startswith(name + ":")), ())
        lines.append(f"  {name:<{width}}{100 * subset.intent_accuracy:5.1f}%   {100 * subset.window_accuracy:5.1f}%")
    confusions = Counter((o.record.intent, str(o.got.intent)) for o in report.outcomes if not o.intent_ok)
    if confusions:
        lines.append("")
        lines.append("intent confusions (expected -> got)")
        for (expected, got), count in confusions.most_common():
            lines.append(f"  {count:4}  {expected} -> {got}")
    misses = report.misses
    lines.append("")
    lines.append(f"misses: {len(misses)}")
    for miss in misses:
        rec = miss.record
        context = f"now {rec.now.isoformat(timespec='minutes')} {rec.tz}"
        lines.append(f"  {rec.source}  {json.dumps(rec.text, ensure_ascii=False)}  ({context})")
        lines.extend(f"      {d}" for d in miss.differences())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu.eval", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="corpus .jsonl files or folders (default: nlu/data/eval)")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="timed passes after the warm-up")
    args = parser.parse_args(argv)
    print(summary(evaluate(load(args.paths), rounds=args.rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
