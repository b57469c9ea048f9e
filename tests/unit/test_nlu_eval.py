"""`nlu.parse` against the labelled corpus in nlu/data/eval/ (see nlu/eval.py for the format and the
labelling guide, notes/nlu_policy.md for the time policy the labels follow).

The bars: 97% intent and 97% windows over the whole corpus. Each record is also its own test, named
"file.jsonl:line text", so every miss can be named and run alone; only the records in KNOWN_MISSES may
miss (they xfail with the reason), everything else must match on every labelled field.
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from nlu import Intent
from nlu.eval import CORPUS, corpus_files, evaluate, load, outcome

INTENT_BAR = 0.97
WINDOW_BAR = 0.97
MIN_RECORDS = 600
RECORDS = load()

# "file:line" -> (text, reason). The text guards against the line moving when the corpus is edited.
# Keep this well inside the 3% the bars allow: a miss that is merely unfixed belongs in the parser's to-do
# list, not here.
KNOWN_MISSES: dict[str, tuple[str, str]] = {
    "hard.jsonl:24": ("im free after 5 thurs but not fri",
                      "negation: 'not fri' must drop Friday, which needs more than keyword rules"),
    "hard.jsonl:25": ("not sat, sunday works",
                      "negation: 'not sat' must drop Saturday, which needs more than keyword rules"),
    # book vs availability: the classifier reads these requests as questions about what is free. Both
    # intents start the same booking flow, so the customer sees no difference; the label stays honest.
    "booking_times.jsonl:68": ("first available interior detail", "read as availability ('first available')"),
    "spanish.jsonl:64": ("¿me pueden dar cita mañana después de las 3?", "a question form, read as availability"),
}

ALLOWED_KEYS = {"text", "now", "tz", "services", "offered", "intent", "windows", "service", "choice",
                "asap", "past", "language", "aliases", "note"}
REQUIRED_KEYS = ALLOWED_KEYS - {"asap", "past", "language", "aliases", "note"}


def test_corpus_is_big_enough():
    assert len(RECORDS) >= MIN_RECORDS


def test_accuracy_bars():
    report = evaluate(RECORDS, rounds=0)
    misses = "\n".join(f"{o.record.source} {o.record.text!r}: {'; '.join(o.differences())}" for o in report.misses)
    assert report.intent_accuracy >= INTENT_BAR, f"intent {report.intent_accuracy:.1%}\n{misses}"
    assert report.window_accuracy >= WINDOW_BAR, f"windows {report.window_accuracy:.1%}\n{misses}"


def test_known_misses_name_real_records():
    texts = {r.source: r.text for r in RECORDS}
    for source, (text, reason) in KNOWN_MISSES.items():
        assert texts.get(source) == text, f"{source} is now {texts.get(source)!r}; update KNOWN_MISSES"
        assert reason
    assert len(KNOWN_MISSES) <= (1 - max(INTENT_BAR, WINDOW_BAR)) * len(RECORDS)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r.source} {r.text[:40]}")
def test_record(record):
    result = outcome(record)
    if not result.ok and record.source in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[record.source][1])
    assert result.ok, "\n".join([f"{record.text!r} (now {record.now.isoformat()} {record.tz})",
                                 *result.differences()])


RAW_LINES = [pytest.param(line, id=f"{path.name}:{number}")
             for path in corpus_files([CORPUS])
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]


@pytest.mark.parametrize("line", RAW_LINES)
def test_record_fields_are_valid(line):
    raw = json.loads(line)
    assert REQUIRED_KEYS <= raw.keys() <= ALLOWED_KEYS, sorted(raw.keys() ^ REQUIRED_KEYS)
    assert isinstance(raw["text"], str) and raw["text"]
    try:
        zone = ZoneInfo(raw["tz"])
    except (ZoneInfoNotFoundError, ValueError):
        pytest.fail(f"unknown zone {raw['tz']!r}")

    def in_zone(value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        assert moment.tzinfo is not None, f"{value} has no offset"
        assert moment.utcoffset() == moment.astimezone(zone).utcoffset(), f"{value} is not in {raw['tz']}"
        return moment

    in_zone(raw["now"])
    offered = [in_zone(o) for o in raw["offered"]]
    for start, end in raw["windows"]:
        assert in_zone(start) <= in_zone(end)
    assert raw["intent"] in {i.value for i in Intent}
    assert raw["service"] is None or raw["service"] in raw["services"]
    assert raw["choice"] is None or 1 <= raw["choice"] <= len(offered)
    assert raw["choice"] is None or raw["intent"] == Intent.CHOOSE
    for flag in ("asap", "past"):
        assert isinstance(raw.get(flag, False), bool)
    assert raw.get("language", "en") in {"en", "es"}
    if raw.get("asap"):
        assert len(raw["windows"]) == 1
    if raw.get("past"):
        assert raw["windows"] == []
