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

Fast and exact. Scoring a message against every example went through about a thousand postings (the
2-gram "e " alone is in 400 examples) and took most of a parse. `guess` finds the same intent and the
same confidence, to the last bit, by scoring (nearly always) one intent of fifteen. All weights are
positive, so:
- a message's weight on a feature is at most the sum of its words' own weights on it (sublinear term
  frequency: 1 + log(a + b) <= (1 + log a) + (1 + log b) for counts of 1 or more), so an example's
  similarity to the message is at most the sum of its similarities to each word alone, over the norm;
- the three largest of a sum add up to no more than the three largest of each part, so an intent's
  score is at most the sum, over the message's words, of each word's own score against the intent;
- each feature's part of a word's own score is at most the feature's weight times the mean of its
  NEIGHBOURS heaviest weights among the intent's examples;
so each intent's score is bounded by a sum of per-word bounds over the message norm. The words of the
training data get the close bound, their own score, worked out at training (about 0.2 s more): the
n-grams of a word are found in the same examples, so it is far below the sum of its n-grams' bounds, and
one intent is nearly always all that is scored. A word never seen gets the sum of its n-grams' bounds
when it turns up, which takes microseconds rather than the tenths of a millisecond its own score would.
Intents are scored exactly, highest bound first, until the next bound is below the best score so far
(or below what could reach MIN_CONFIDENCE): an intent is left unscored only when it could not have won.
The sums are the same sums, in the same order, as when every intent is scored, which
`guess(exhaustive=True)` still does and the tests compare. The only cache is of the features and bounds
of words the training data lacks (up to MAX_UNSEEN_WORDS of them), which depend on the word alone: the
answer depends on the training data and the text alone.

Deterministic: vectors and sums are built in file order, never by iterating a set, and equal scores go
to the intent the training file lists first. Pure Python; trained on first use in well under a second.
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from operator import mul
from typing import NamedTuple

from nlu.training import Example, bundled_training_data

NEIGHBOURS = 3           # one close example can be a fluke; three agree on the shape of an intent
WORD_WEIGHT = 2.0        # a whole word counts double a character n-gram
SLOT_WEIGHT = 4.0        # naming a time or service says more about the intent than any one word
NGRAM_SIZES = (2, 3, 4)
MIN_CONFIDENCE = 0.3     # held-out messages: median 0.6, 9 in 10 above 0.42; "retail" 0.09, "asdfgh qwerty" 0.1
MAX_CONFIDENCE = 0.99    # 1.0 is kept for the carrier keyword rules in nlu/intent.py
MAX_UNSEEN_WORDS = 4096  # unseen words whose features are kept: about 1.3 kB each, so 5 MB at most
KNOWN_PREFIX = 4         # "pricing" is known through "price", "cancelen" through "cancelar"
UNKNOWN = "unknown"
# Bounds and scores are summed in different orders, so they may differ in the last bits (scores are at
# most 1); an intent is only ruled out by a clear margin.
BOUND_MARGIN = 1e-9
# Words that carry no intent alone: "please" matched "please stop" closely enough to opt a customer
# out. A message made only of these has no signal; in a longer one they are neither known nor unknown.
FILLER_WORDS = frozenset({
    "please", "pls", "plz", "plis", "porfa", "porfavor", "por", "favor", "the", "a", "an", "and", "or", "to", "of",
    "i", "me", "my", "you", "u", "it", "its", "this", "that", "so", "is", "in", "on", "at", "for", "just",
    "de", "el", "la", "los", "las", "un", "una", "o", "en", "mi", "lo", "le", "es", "para",
})

_TOKEN = re.compile(r"[a-z0-9]+|\?|[^\sa-z0-9]")
_REPEATS = re.compile(r"([a-z0-9])\1+")  # only letters and digits: "??" and "👍👍" count twice
_WEIGHTS = {"c": 1.0, "w": WORD_WEIGHT, "s": SLOT_WEIGHT}


@dataclass(frozen=True)
class Guess:
    intent: str
    confidence: float


class _Word(NamedTuple):
    """A word (or a slot) of a message, as the classifier needs it."""

    features: tuple[tuple[str, int], ...]  # trained features and their counts, in first-seen order
    bound: tuple[float, ...]               # per intent: the most the word adds to its score, before the norm


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
        # The weight of a feature counted once: (1 + log 1) * idf * kind weight, the same product without the log.
        self._once = {key: idf * _WEIGHTS[key[0]] for key, idf in self._idf.items()}
        self._known_words = frozenset(outside)
        self._known_prefixes = frozenset(w[:KNOWN_PREFIX] for w in outside if len(w) >= KNOWN_PREFIX)

        # Postings of the examples' unit vectors: feature -> [(example, weight)], in file order; and the same
        # split by intent, the examples numbered within it, so that one intent can be scored alone.
        position = {intent: k for k, intent in enumerate(self.intents)}
        self._intent_of: list[int] = []
        sizes = [0] * len(self.intents)
        self._postings: dict[str, list[tuple[int, float]]] = {}
        per_intent: list[dict[str, list[tuple[int, float]]]] = [{} for _ in self.intents]
        for counts, intent in rows:
            index, k = len(self._intent_of), position[intent]
            self._intent_of.append(k)
            for key, weight in self._unit_vector(counts)[0].items():
                self._postings.setdefault(key, []).append((index, weight))
                per_intent[k].setdefault(key, []).append((sizes[k], weight))
            sizes[k] += 1
        self._sizes = tuple(sizes)
        self._intent_postings = [{key: tuple(posting) for key, posting in postings.items()} for postings in per_intent]
        # Per feature and intent: the most the feature, counted once in a message, adds to the intent's score
        # before the message norm: its weight times the mean of its NEIGHBOURS heaviest weights in the intent.
        feature_bounds = {key: [0.0] * len(self.intents) for key in self._postings}
        for k, postings in enumerate(per_intent):
            for key, posting in postings.items():
                feature_bounds[key][k] = self._once[key] * _top_mean(weight for _, weight in posting)
        self._feature_bounds = {key: tuple(bounds) for key, bounds in feature_bounds.items()}
        self._vocabulary = {word: self._word_of(self._features(word), close=True) for word in outside}
        # Words the training data lacks (names, typos) as they turn up: a word's features depend on the word
        # alone, and SMS vocabulary is small, so working them out once per process is enough.
        self._unseen: dict[str, _Word] = {}
        self._slots = {key[2:]: self._word_of(((key, 1),)) for key in self._postings if key.startswith("s:")}

    def guess(self, text: str, *, slots: Collection[str] = (), folded: Sequence[str] | None = None,
              exhaustive: bool = False) -> Guess:
        """The likeliest intent and a confidence in [0, MAX_CONFIDENCE]; "unknown" when the signal is weak.

        `slots` are the kinds of entity the caller found in the text ("time", "service"); `folded` is
        `words(text)` when the caller has it already. `exhaustive` scores every intent, the plain way:
        the same answer, slower.
        """
        message_words = [w for w in (words(text) if folded is None else folded) if w not in self._entity_words]
        content = [w for w in message_words if w != "?" and w not in FILLER_WORDS]
        if not content:
            return Guess(UNKNOWN, 0.0)
        scaling = 0.5 + 0.5 * sum(self._is_known(w) for w in content) / len(content)
        if exhaustive:
            scores = self._scores(message_words, slots)
            best: str | None = max(self.intents, key=scores.__getitem__)  # max keeps the first of equals
            score = scores[best]
        else:
            # Below this score the answer is "unknown" whichever intent has it.
            best, score = self._best(message_words, slots, floor=MIN_CONFIDENCE / scaling)
        confidence = min(MAX_CONFIDENCE, score * scaling)
        if best is None or confidence < MIN_CONFIDENCE:
            return Guess(UNKNOWN, 0.0)
        return Guess(best, round(confidence, 4))

    def scores(self, text: str, *, slots: Collection[str] = ()) -> dict[str, float]:
        """Every intent's score: the mean similarity of its NEIGHBOURS nearest examples to the text."""
        return self._scores([w for w in words(text) if w not in self._entity_words], slots)

    def _scores(self, message_words: list[str], slots: Collection[str]) -> dict[str, float]:
        vector, _ = self._unit_vector(_counts(message_words, sorted(slots)))
        similarity: dict[int, float] = {}
        for key, weight in vector.items():
            for index, other in self._postings.get(key, ()):
                similarity[index] = similarity.get(index, 0.0) + weight * other
        nearest: list[list[float]] = [[] for _ in self.intents]
        for index, value in similarity.items():
            nearest[self._intent_of[index]].append(value)
        return {intent: _top_mean(values) for intent, values in zip(self.intents, nearest)}

    def _best(self, message_words: list[str], slots: Collection[str], *, floor: float) -> tuple[str | None, float]:
        """The intent with the highest score, and the score; None when no intent can score `floor`.

        Intents are scored highest bound first, and only while the bound reaches the best score so far.
        """
        parts = [*map(self._word, message_words), *map(self._slot, dict.fromkeys(sorted(slots)))]
        counts: dict[str, int] = {}
        for part in parts:
            for key, count in part.features:
                counts[key] = counts.get(key, 0) + count
        bound = [sum(bounds) for bounds in zip(*(part.bound for part in parts))]
        vector, norm = self._unit_vector(counts)
        if not vector:
            return None, 0.0
        best, score = len(self.intents), -1.0
        for k in sorted(range(len(self.intents)), key=bound.__getitem__, reverse=True):
            if bound[k] / norm < max(score, floor) - BOUND_MARGIN:
                break  # neither this intent nor any after it can win
            exact = self._intent_score(k, vector)
            if exact > score or (exact == score and k < best):
                best, score = k, exact
        return (self.intents[best], score) if score >= 0 else (None, 0.0)

    def _intent_score(self, k: int, vector: dict[str, float]) -> float:
        """Intent k's score: the same sums as `_scores`, over the intent's own examples."""
        similarity = [0.0] * self._sizes[k]
        postings = self._intent_postings[k]
        for key, weight in vector.items():
            posting = postings.get(key)
            if posting is not None:
                for number, other in posting:
                    similarity[number] += weight * other
        return _top_mean(similarity)

    def _is_known(self, word: str) -> bool:
        return word in self._known_words or (len(word) >= KNOWN_PREFIX and word[:KNOWN_PREFIX] in self._known_prefixes)

    def _word(self, word: str) -> _Word:
        found = self._vocabulary.get(word) or self._unseen.get(word)
        if found is None:
            found = self._word_of(self._features(word))
            if len(self._unseen) < MAX_UNSEEN_WORDS:
                self._unseen[word] = found
        return found

    def _slot(self, slot: str) -> _Word:
        return self._slots.get(slot) or _Word((), (0.0,) * len(self.intents))

    def _features(self, word: str) -> tuple[tuple[str, int], ...]:
        return tuple((key, count) for key, count in _counts([word], ()).items() if key in self._idf)

    def _word_of(self, features: tuple[tuple[str, int], ...], *, close: bool = False) -> _Word:
        """The word with its bound per intent: the sum of its features' bounds, or when `close` the word's
        own score against the intent (before the norm), which is lower and takes longer to work out."""
        if not close:
            bounds = [self._feature_bounds[key] if count == 1 else
                      tuple((1 + math.log(count)) * bound for bound in self._feature_bounds[key])
                      for key, count in features]
            return _Word(features, tuple(map(sum, zip(*bounds))) if bounds else (0.0,) * len(self.intents))
        weights = [(key, self._once[key] if count == 1 else (1 + math.log(count)) * self._once[key])
                   for key, count in features]
        bound = []
        for postings, size in zip(self._intent_postings, self._sizes):
            similarity = [0.0] * size
            for key, weight in weights:
                for number, other in postings.get(key, ()):
                    similarity[number] += weight * other
            bound.append(_top_mean(similarity))
        return _Word(features, tuple(bound))

    def _unit_vector(self, counts: dict[str, int]) -> tuple[dict[str, float], float]:
        """Sublinear TF-IDF weights of the trained features, scaled to unit length, and the length."""
        weights = {key: self._once[key] if count == 1 else (1 + math.log(count)) * self._idf[key] * _WEIGHTS[key[0]]
                   for key, count in counts.items() if key in self._idf}
        norm = math.sqrt(sum(map(mul, weights.values(), weights.values())))
        return ({key: w / norm for key, w in weights.items()} if norm else {}), norm


@cache
def trained_classifier() -> IntentClassifier:
    """The classifier trained on nlu/data/nlu.yml, built once per process on first use."""
    return IntentClassifier(bundled_training_data().examples)


def words(text: str) -> list[str]:
    """Lower-case, accent-folded words without digits and with repeated letters once; "?" and emoji."""
    folded = text.lower()
    if not folded.isascii():
        folded = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
        folded = folded.replace("¿", "?").replace("\u2019", "")
    # "can't" and "cant" alike; a run of one letter is always inside one token, so it is squeezed here.
    folded = _REPEATS.sub(r"\1", folded.replace("'", ""))
    return [token for token in _TOKEN.findall(folded) if token.isalpha() or _is_kept(token)]


def _is_kept(token: str) -> bool:
    """Whether a token that is not all letters is a word all the same: "?", an emoji, a letter-like sign."""
    if token.isalnum():
        return not any(ch.isdigit() for ch in token)  # "3pm" and "2nd" are nlu/when.py's and nlu/choice.py's
    return token == "?" or unicodedata.category(token) == "So"


def _top_mean(values: Iterable[float]) -> float:
    """The mean of the NEIGHBOURS largest values, missing ones counting 0."""
    return sum(sorted(values, reverse=True)[:NEIGHBOURS]) / NEIGHBOURS


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
