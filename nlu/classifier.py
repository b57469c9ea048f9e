"""A small trained intent classifier: TF-IDF over character n-grams and words, scored by nearest examples.

Text is lower-cased and accent-folded ("mañana" -> "manana", "cuánto" -> "cuanto"), letters repeated in
a row count once ("yesss", "okk"), and digits are dropped: numbers in an SMS are times, dates and option
numbers, which nlu/when.py and nlu/choice.py read far better ("2/29" should not look like a booking).
The features of the words left are:
- character 2- to 4-grams of each word padded with spaces (" can", "canc", "ncel", "el "), which
  carry typos, abbreviations and inflections ("cancle", "thx", "cancelen");
- the words themselves, weighted double: a word spelled right is the best evidence;
- "?" as a word, and emoji as words ("👍", "🙏");
- a slot feature for each kind of entity present ("time", "service"), weighted as two words:
  whether a message names a time at all says more about what it wants than any one word around it.
The classifier learns what a message wants from the words around the time and the service, not from
which day or service it names: in training, the entity spans marked in nlu.yml are cut out and replaced
by their slot feature; in a message, words seen only inside entity spans ("tmrw", "viernes", "detail")
are dropped and the slots come from the caller, who found the time and service with the real grammar.
Without this, "today" read as availability because more availability examples happened to say "today".

Each example becomes a sublinear TF-IDF vector with unit length; an intent's score is the mean cosine
similarity of the message to that intent's NEIGHBOURS nearest examples. Chosen over:
- multinomial naive Bayes, which was about as accurate on our held-out messages but is confidently wrong on
  nonsense ("purple monkey dishwasher" came out reschedule at 0.98): its posterior only says which
  intent is least unlikely, so it cannot tell a weak guess from a sure one;
- one centroid per intent, which averages away intents that have several shapes (info is prices,
  hours and places; unknown is names, addresses and chatter) and leaves every score small.
Nearest examples keep each shape, and a cosine near zero means no signal.

The confidence is the best score scaled by how many of the message's words the examples know:
  confidence = score * (1/2 + 1/2 * known words / words)
so a message of unseen words that happen to share n-grams with training text ("retail" with
"detailing") stays weak. Below MIN_CONFIDENCE the answer is "unknown", and so it is when
the "unknown" intent itself wins (names, addresses, small talk: nlu.yml teaches those too).

Deterministic: vectors and sums are built in file order, never by iterating a set, and equal scores go
to the intent the training file lists first. Pure Python; trained on first use in well under a second.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache

from nlu.training import Example, bundled_training_data

NEIGHBOURS = 3           # one close example can be a fluke; three agree on the shape of an intent
WORD_WEIGHT = 2.0        # a whole word counts double a character n-gram
SLOT_WEIGHT = 4.0        # naming a time or service says more about the intent than any one word
NGRAM_SIZES = (2, 3, 4)
MIN_CONFIDENCE = 0.3     # held-out messages: median 0.6, 9 in 10 above 0.42; "retail" 0.09, "asdfgh qwerty" 0.1
MAX_CONFIDENCE = 0.99    # 1.0 is kept for the carrier keyword rules in nlu/intent.py
KNOWN_PREFIX = 4         # "pricing" is known through "price", "cancelen" through "cancelar"
UNKNOWN = "unknown"
# Words that carry no intent alone: "please" matched "please stop" closely enough to opt a customer
# out. A message made only of these has no signal; in a longer one they are neither known nor unknown.
FILLER_WORDS = frozenset({
    "please", "pls", "plz", "plis", "porfa", "porfavor", "por", "favor", "the", "a", "an", "and", "or", "to", "of",
    "i", "me", "my", "you", "u", "it", "its", "this", "that", "so", "is", "in", "on", "at", "for", "just",
    "de", "el", "la", "los", "las", "un", "una", "o", "en", "mi", "lo", "le", "es", "para",
})

_TOKEN = re.compile(r"[a-z0-9]+|\?|[^\sa-z0-9]")
_REPEATS = re.compile(r"(.)\1+")
_WEIGHTS = {"c": 1.0, "w": WORD_WEIGHT, "s": SLOT_WEIGHT}


@dataclass(frozen=True)
class Guess:
    intent: str
    confidence: float
    scores: dict[str, float]     # every intent's score, before the known-words scaling


class IntentClassifier:
    """Nearest-example cosine classifier over TF-IDF weighted character n-grams, words and slots."""

    def __init__(self, examples: Iterable[Example]):
        inside: dict[str, None] = {}
        outside: dict[str, None] = {}
        rows: list[tuple[Counter[str], str]] = []
        for example in examples:
            plain, slots, entity_words = _masked(example)
            inside.update(dict.fromkeys(entity_words))
            plain_words = words(plain)
            outside.update(dict.fromkeys(plain_words))
            rows.append((_counts(plain_words, slots), example.intent))
        if not rows:
            raise ValueError("no training examples")
        self.intents: tuple[str, ...] = tuple(dict.fromkeys(intent for _, intent in rows))
        self._entity_words = frozenset(w for w in inside if w not in outside)
        document_frequency = Counter(key for counts, _ in rows for key in counts)
        # Smoothed IDF (scikit-learn's default): a feature found in every example still weighs 1.
        self._idf = {key: math.log((1 + len(rows)) / (1 + df)) + 1 for key, df in document_frequency.items()}
        self._known_words = frozenset(outside)
        self._known_prefixes = frozenset(w[:KNOWN_PREFIX] for w in outside if len(w) >= KNOWN_PREFIX)
        self._labels: list[str] = []
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for counts, intent in rows:
            index = len(self._labels)
            self._labels.append(intent)
            for key, weight in self._vector(counts).items():
                self._postings.setdefault(key, []).append((index, weight))

    def guess(self, text: str, *, slots: Collection[str] = ()) -> Guess:
        """The likeliest intent and a confidence in [0, MAX_CONFIDENCE]; "unknown" when the signal is weak.

        `slots` are the kinds of entity the caller found in the text ("time", "service").
        """
        message_words = [w for w in words(text) if w not in self._entity_words]
        scores = self._scores(self._vector(_counts(message_words, sorted(slots))))
        best = max(self.intents, key=lambda intent: scores[intent])  # max keeps the first of equals
        content = [w for w in message_words if w != "?" and w not in FILLER_WORDS]
        known = sum(self._is_known(w) for w in content) / len(content) if content else 0.0
        confidence = min(MAX_CONFIDENCE, scores[best] * (0.5 + 0.5 * known))
        if not content or confidence < MIN_CONFIDENCE:
            return Guess(UNKNOWN, 0.0, scores)
        return Guess(best, round(confidence, 4), scores)

    def _is_known(self, word: str) -> bool:
        return word in self._known_words or (len(word) >= KNOWN_PREFIX and word[:KNOWN_PREFIX] in self._known_prefixes)

    def _scores(self, vector: dict[str, float]) -> dict[str, float]:
        similarity: dict[int, float] = {}
        for key, weight in vector.items():
            for index, other in self._postings.get(key, ()):
                similarity[index] = similarity.get(index, 0.0) + weight * other
        nearest: dict[str, list[float]] = {intent: [] for intent in self.intents}
        for index, value in similarity.items():
            nearest[self._labels[index]].append(value)
        return {intent: sum(sorted(values, reverse=True)[:NEIGHBOURS]) / NEIGHBOURS
                for intent, values in nearest.items()}

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        weights = {key: (1 + math.log(count)) * self._idf[key] * _WEIGHTS[key[0]]
                   for key, count in counts.items() if key in self._idf}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {key: w / norm for key, w in weights.items()} if norm else {}


@cache
def trained_classifier() -> IntentClassifier:
    """The classifier trained on nlu/data/nlu.yml, built once per process on first use."""
    return IntentClassifier(bundled_training_data().examples)


def words(text: str) -> list[str]:
    """Lower-case, accent-folded words without digits and with repeated letters once; "?" and emoji."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = folded.replace("¿", "?").replace("'", "").replace("\u2019", "")  # "can't" and "cant" alike
    out = []
    for token in _TOKEN.findall(folded):
        if token.isalnum():
            if not any(ch.isdigit() for ch in token):
                out.append(_REPEATS.sub(r"\1", token))
        elif token == "?" or unicodedata.category(token) == "So":
            out.append(token)
    return out


def _counts(message_words: list[str], slots: Iterable[str]) -> Counter[str]:
    """Feature counts: "w:" words (and "?", emoji), "c:" character n-grams, "s:" slots."""
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


def _masked(example: Example) -> tuple[str, list[str], list[str]]:
    """The example's text with entity spans blanked, the kinds of entity it has, and the words inside them."""
    text = example.text
    entity_words: list[str] = []
    for span in sorted(example.entities, key=lambda s: s.start, reverse=True):
        entity_words += words(text[span.start:span.end])
        text = text[:span.start] + " " + text[span.end:]
    return text, sorted(dict.fromkeys(span.entity for span in example.entities)), entity_words
