"""Training the intent classifier builds the same tables as the plain way of building them, to the last bit.

IntentClassifier.__init__ builds its tables with few passes and no per-feature scratch lists, because it runs
on the first message a process answers (see nlu/classifier.py). `reference_tables` below is the plain way it
was first written, one example and one feature at a time; both are compared table by table, in dict order and
with floats compared exactly, on the bundled training data and on examples that exercise what the bundled data
rarely does (an intent's examples apart in the file, a feature counted several times in one example).
"""

import hashlib
import math
import struct
from collections import Counter
from pathlib import Path

import pytest

from nlu.classifier import (
    _FIELD_BITS,
    _FIELD_LIMIT,
    _WEIGHTS,
    EXAMPLE_SCALE,
    KNOWN_PREFIX,
    MESSAGE_SCALE,
    NEIGHBOURS,
    NGRAM_SIZES,
    IntentClassifier,
    _masked,
    words,
)
from nlu.training import EntitySpan, Example, bundled_training_data

TRAINING_FILE = Path(__file__).resolve().parents[2] / "nlu" / "data" / "nlu.yml"
# What the tables of the classifier trained on the bundled file hashed to when they were built the plain way;
# only meaningful for that file, whose hash is kept beside it.
BUNDLED_FILE_SHA256 = "6f6c0baca62e7b56c0a4fbf9de53702467e5d66513a9e29876c3c01f64864411"
BUNDLED_TABLES_SHA256 = "19a6c75a6db2a6efee11dd7ba444d9b4fd6a1f5550a710a9346010bf270c0138"


def reference_counts(message_words: list[str], slots: list[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in message_words:
        counts["w:" + word] += 1
        if word.isalpha():
            padded = f" {word} "
            for size in NGRAM_SIZES:
                for i in range(len(padded) - size + 1):
                    counts["c:" + padded[i:i + size]] += 1
    for slot in slots:
        counts["s:" + slot] = 1
    return counts


def reference_tables(examples: list[Example]) -> dict[str, object]:
    """The training tables built one example and one feature at a time."""
    inside: dict[str, None] = {}
    outside: dict[str, None] = {}
    rows = []
    for example in examples:
        plain, slots, entity_words = _masked(example)
        inside.update(dict.fromkeys(entity_words))
        plain_words = words(plain)
        outside.update(dict.fromkeys(plain_words))
        rows.append((reference_counts(plain_words, slots), example.intent))
    intents = tuple(dict.fromkeys(intent for _, intent in rows))
    document_frequency = Counter(key for counts, _ in rows for key in counts)
    idf = {key: math.log((1 + len(rows)) / (1 + df)) + 1 for key, df in document_frequency.items()}
    once = {key: value * _WEIGHTS[key[0]] for key, value in idf.items()}
    position = {intent: k for k, intent in enumerate(intents)}
    intent_of: list[int] = []
    sizes = [0] * len(intents)
    postings: dict[str, list[tuple[int, int]]] = {}
    packed: list[dict[str, int]] = [{} for _ in intents]
    heaviest: dict[str, list[list[int]]] = {}
    longest = 0
    for counts, intent in rows:
        index, k = len(intent_of), position[intent]
        intent_of.append(k)
        weights = {key: (once[key] if count == 1 else (1 + math.log(count)) * once[key])
                   for key, count in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        fixed = {key: round(w / norm * EXAMPLE_SCALE) for key, w in weights.items()}
        longest = max(longest, sum(w * w for w in fixed.values()))
        shift = _FIELD_BITS * sizes[k]
        for key, weight in fixed.items():
            postings.setdefault(key, []).append((index, weight))
            packed[k][key] = packed[k].get(key, 0) + (weight << shift)
            heaviest.setdefault(key, [[] for _ in intents])[k].append(weight)
        sizes[k] += 1
    return {
        "intents": intents,
        "_entity_words": frozenset(w for w in inside if w not in outside),
        "_idf": idf,
        "_once": once,
        "_once_fixed": {key: round(value * MESSAGE_SCALE) for key, value in once.items()},
        "_known_words": frozenset(outside),
        "_known_prefixes": frozenset(w[:KNOWN_PREFIX] for w in outside if len(w) >= KNOWN_PREFIX),
        "_intent_of": intent_of,
        "_postings": postings,
        "_packed": packed,
        "_sizes": tuple(sizes),
        "_row_bytes": tuple(size * _FIELD_BITS // 8 for size in sizes),
        "_max_square": (_FIELD_LIMIT * _FIELD_LIMIT) // longest,
        "_feature_tops": {key: tuple(sum(sorted(weights)[-NEIGHBOURS:]) for weights in per_intent)
                          for key, per_intent in heaviest.items()},
        "_feature_of": tuple(idf),
    }


def canonical(value: object) -> str:
    """A repr that tells apart what == does not: dict order, float bits, tuple from list."""
    if isinstance(value, float):
        return value.hex()
    if isinstance(value, struct.Struct):
        return f"Struct({value.format})"
    if isinstance(value, dict):
        return "{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in value.items()) + "}"
    if isinstance(value, frozenset):
        return "frozenset(" + ",".join(sorted(map(canonical, value))) + ")"
    if isinstance(value, tuple):
        return type(value).__name__ + "(" + ",".join(map(canonical, value)) + ")"
    if isinstance(value, list):
        return "[" + ",".join(map(canonical, value)) + "]"
    assert value is None or isinstance(value, int | str), type(value)
    return repr(value)


def assert_same_tables(examples: list[Example]) -> None:
    classifier = IntentClassifier(examples)
    for name, expected in reference_tables(examples).items():
        assert canonical(getattr(classifier, name)) == canonical(expected), name


def test_the_bundled_training_data_builds_the_plain_tables() -> None:
    assert_same_tables(list(bundled_training_data().examples))


def test_the_bundled_training_data_builds_the_recorded_tables() -> None:
    if hashlib.sha256(TRAINING_FILE.read_bytes()).hexdigest() != BUNDLED_FILE_SHA256:
        pytest.skip("nlu.yml changed since the tables were recorded; the comparison with the plain way still runs")
    classifier = IntentClassifier(bundled_training_data().examples)
    tables = canonical(sorted(vars(classifier).items()))
    assert hashlib.sha256(tables.encode()).hexdigest() == BUNDLED_TABLES_SHA256


def test_intents_apart_in_the_file_and_repeated_features_build_the_plain_tables() -> None:
    examples = [
        Example("cancel cancel cancel my appt", "cancel"),
        Example("can I book tmrw", "book", (EntitySpan(11, 15, "time", "tomorrow"),)),
        Example("cancel it please", "cancel"),
        Example("book me in", "book"),
        Example("banana banana nana 👍 ?", "unknown"),
        Example("cancel the booking", "cancel"),
        Example("cancelar la cita", "cancel"),
        Example("book a full detail", "book", (EntitySpan(7, 18, "service", "Full Detail"),)),
        Example("book book book it", "book"),
        Example("cancel now", "cancel"),
    ]
    assert_same_tables(examples)
