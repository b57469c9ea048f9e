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
same confidence by scoring (nearly always) one intent of sixteen, with integer arithmetic:
- Weights are fixed point: a message's in units of 2**-24 (MESSAGE_SCALE), an example's unit vector in
  units of 2**-28 (EXAMPLE_SCALE). A similarity is then a sum of integer products, the same in any order,
  and rounding moves a cosine by about 1e-8, far below the 4 decimals a confidence keeps.
- Rows are packed: for each intent, a word's (and a slot's) similarity to each of the intent's examples sits
  in a 64-bit field of one integer, example n in bits 64n to 64n + 63. The words of the training data have
  their rows worked out at training; a word never seen gets them when an intent is first scored with it.
  An intent's similarities to a message are then the sum of its words' rows, one integer addition per word,
  corrected for the features two words share (a feature counted twice weighs 1 + log 2, not 2: found with
  a bit mask of features per word). The NEIGHBOURS largest fields are read by viewing the row's bytes as
  doubles: every field stays below 2**62, where the order of the bit patterns as doubles is the order of the
  integers, and Python sorts floats about twice as fast as integers this large.
- Intents are scored highest bound first, until the next bound is below the best score so far (or below
  what could reach MIN_CONFIDENCE): an intent is left unscored only when it could not have won. All
  weights are positive, so:
  * a message's weight on a feature is at most the sum of its words' own weights on it (sublinear term
    frequency: 1 + log(a + b) <= (1 + log a) + (1 + log b) for counts of 1 or more), so an example's
    similarity to the message is at most the sum of its similarities to each word alone;
  * the three largest of a sum add up to no more than the three largest of each part, so an intent's
    score is at most the sum, over the message's words, of each word's own score against the intent;
  * each feature's part of a word's own score is at most the feature's weight times the sum of its
    NEIGHBOURS heaviest weights among the intent's examples.
  The words of the training data get the close bound, their own score, worked out at training: the
  n-grams of a word are found in the same examples, so it is far below the sum of its n-grams' bounds.
  A word never seen gets the sum of its n-grams' bounds. Bounds are kept in BOUND_UNITs, rounded up, and
  packed like rows (with each intent's place in the low bits of its field), so one addition per word and
  one sort order the intents.
`guess(exhaustive=True)` still scores every intent the plain way, example by example through the
postings, and the tests compare: integers make the answers equal to the last bit. What is kept between
messages depends on a word (or a feature) alone, so the answer depends on the training data and the text alone:
- each word's features, bounds and rows, worked out when the word first turns up (the training data's
  words without limit, others up to MAX_UNSEEN_WORDS): working out the close bounds of all the training
  data's words at training took about 0.3 s, most of the cold start of the first message;
- the guess for a message of one word (with the slots it comes with), up to MAX_SINGLE_WORDS of them:
  two in five texts are one word once times and services are taken out ("yes", "2", "cancel",
  "tmrw morning?" is "?" and a time), and their guess then skips the scoring altogether;
- for a feature found in several words of a message, how its weight differs from theirs added up, per
  feature and counts (up to MAX_CORRECTIONS): most messages of several words share an n-gram (" t", "e ").

Deterministic: vectors and sums are built in file order, never by iterating a set, and equal scores go
to the intent the training file lists first. Pure Python; trained on first use in about a tenth of a second.
"""

import math
import re
import struct
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache, reduce
from itertools import chain, filterfalse, repeat
from operator import itemgetter, mul, or_
from typing import NamedTuple

from nlu.text import unmarked
from nlu.training import Example, bundled_training_data

NEIGHBOURS = 3           # one close example can be a fluke; three agree on the shape of an intent
WORD_WEIGHT = 2.0        # a whole word counts double a character n-gram
SLOT_WEIGHT = 4.0        # naming a time or service says more about the intent than any one word
NGRAM_SIZES = (2, 3, 4)
MIN_CONFIDENCE = 0.3     # held-out messages: median 0.6, 9 in 10 above 0.42; "retail" 0.09, "asdfgh qwerty" 0.1
MAX_CONFIDENCE = 0.99    # 1.0 is kept for the carrier keyword rules in nlu/intent.py
MAX_UNSEEN_WORDS = 1024  # unseen words kept: about 2 kB each, 10 kB with rows for every intent, so 10 MB at most
MAX_SINGLE_WORDS = 4096  # guesses kept for one-word messages (per set of slots): about 200 bytes each
MAX_CORRECTIONS = 65536  # shared-feature corrections kept (see IntentClassifier._correction): about 150 bytes each
KNOWN_PREFIX = 4         # "pricing" is known through "price", "cancelen" through "cancelar"
UNKNOWN = "unknown"
# Fixed point: a message's feature weights (1 to about 30) in units of 2**-24, an example's unit-vector weights
# (at most 1) in units of 2**-28. A similarity is then a sum of integer products, exact in any order, and
# rounding moves a cosine by about 1e-8, far below the 4 decimals a confidence keeps.
MESSAGE_SCALE = 1 << 24
EXAMPLE_SCALE = 1 << 28
# One example's similarity per 64-bit field of a packed row; Cauchy-Schwarz keeps every sum below 2**62 for any
# message whose norm passes the check in `_best` (all of them up to a few thousand words). Below 2**62 a field
# read as an IEEE double is a finite number, and the order of those numbers is the order of the integers:
# Python sorts floats about twice as fast as integers this large.
_FIELD_BITS = 64
_FIELD_LIMIT = 1 << 62
# A score is compared with the MIN_CONFIDENCE floor in floating point: an intent is ruled out by the floor only
# by a clear margin. Scores are at most 1.
BOUND_MARGIN = 1e-9
# Words that carry no intent alone: "please" matched "please stop" closely enough to opt a customer
# out. A message made only of these has no signal; in a longer one they are neither known nor unknown.
FILLER_WORDS = frozenset({
    "please", "pls", "plz", "plis", "porfa", "porfavor", "por", "favor", "the", "a", "an", "and", "or", "to", "of",
    "i", "me", "my", "you", "u", "it", "its", "this", "that", "so", "is", "in", "on", "at", "for", "just",
    "de", "el", "la", "los", "las", "un", "una", "o", "en", "mi", "lo", "le", "es", "para",
})

_TOKEN = re.compile(r"[a-z0-9]+|\?|[^\sa-z0-9]")
_ASCII_WORD = re.compile(r"(?<![a-z0-9])[a-z]+(?![a-z0-9])|\?")  # what _TOKEN and _is_kept keep of ASCII text
_FIRST_GROUP = itemgetter(1)  # match -> match[1], as r"\1" does, without re's template machinery per call
_WEIGHT_OF_POSTING = itemgetter(1)  # (example, weight) -> weight
_REPEATS = re.compile(r"([a-z0-9])\1+")  # only letters and digits: "??" and "👍👍" count twice
_WEIGHTS = {"c": 1.0, "w": WORD_WEIGHT, "s": SLOT_WEIGHT}
_NOT_CONTENT = FILLER_WORDS | {"?"}
_SQUARE, _BOUND, _ROWS, _MASK, _BOUNDS, _WIDEST = map(itemgetter, range(2, 8))  # fields of _Word
BOUND_UNIT = 1 << 20     # bounds are ordered in these units (a similarity of 1 is 2**52)
_INTENT_BITS = 8
_MAX_INTENTS = 1 << _INTENT_BITS
_MAX_BOUND_UNITS = 1 << (_FIELD_BITS - _INTENT_BITS - 1)
_TOP_AS_DOUBLES = struct.Struct(f"{NEIGHBOURS}d")
_TOP_AS_INTEGERS = struct.Struct(f"{NEIGHBOURS}Q")


class Guess(NamedTuple):
    """Made once per message: a named tuple, made in a fraction of a frozen dataclass's time."""

    intent: str
    confidence: float


_NO_GUESS = Guess(UNKNOWN, 0.0)


class _Word(NamedTuple):
    """A word (or a slot) of a message, as the classifier needs it; weights and similarities in fixed point."""

    counts: dict[str, int]    # trained features and their counts in the word, in first-seen order
    weights: dict[str, int]   # the word's own weight on each of them
    square: int               # the sum of the squared weights
    bound: tuple[int, ...]    # per intent: at least the most the word adds to the sum of the NEIGHBOURS best
                              # similarities
    rows: list[int | None]    # per intent: the word's similarity to each example, packed; None until needed
    mask: int                 # a bit for each of the word's features (IntentClassifier._feature_of)
    bounds: int               # `bound` in BOUND_UNITs rounded up, packed as _best reads it
    widest: int               # the largest of those


class IntentClassifier:
    """Nearest-example cosine classifier over TF-IDF weighted character n-grams, words and slots."""

    def __init__(self, examples: Iterable[Example]):
        rows, inside, outside = _training_rows(examples)
        if not rows:
            raise ValueError("no training examples")
        self.intents: tuple[str, ...] = tuple(dict.fromkeys(intent for _, intent in rows))
        if len(self.intents) > _MAX_INTENTS:
            raise ValueError(f"more than {_MAX_INTENTS} intents")
        self._entity_words = frozenset(inside).difference(outside)
        document_frequency = Counter(chain.from_iterable(counts for counts, _ in rows))
        self._idf = _smoothed_idf(document_frequency, len(rows))
        # The weight of a feature counted once: (1 + log 1) * idf * kind weight, the same product without the log.
        self._once = {key: idf * _WEIGHTS[key[0]] for key, idf in self._idf.items()}
        self._once_fixed = {key: round(once * MESSAGE_SCALE) for key, once in self._once.items()}
        self._known_words = frozenset(outside)
        self._known_prefixes = frozenset(w[:KNOWN_PREFIX] for w in outside if len(w) >= KNOWN_PREFIX)

        position = {intent: k for k, intent in enumerate(self.intents)}
        self._intent_of = [position[intent] for _, intent in rows]
        vectors = _unit_vectors([counts for counts, _ in rows], self._once)
        self._postings = _postings(vectors, document_frequency)
        self._packed, sizes = _packed_rows(vectors, self._intent_of, len(self.intents))
        self._sizes = tuple(sizes)
        self._bound_bytes = len(self.intents) * _FIELD_BITS // 8
        self._row_bytes = tuple(size * _FIELD_BITS // 8 for size in sizes)
        self._as_doubles = tuple(struct.Struct(f"{size}d") for size in sizes)  # a packed row's fields, as doubles
        self._corrections: dict[tuple[str, tuple[int, ...]], tuple[int, int]] = {}  # see _correction
        # A message whose squared length stays below this keeps every example's similarity below 2**63.
        longest = max(sum(map(mul, fixed, fixed)) for _, fixed in vectors)
        self._max_square = (_FIELD_LIMIT * _FIELD_LIMIT) // longest
        self._feature_tops = _feature_tops(self._postings, self._intent_of, len(self.intents))
        # Feature n is bit n of a word's mask, so that features in two words are found with integer operations.
        self._feature_of = tuple(self._idf)
        self._bit_of = {key: 1 << n for n, key in enumerate(self._feature_of)}
        # Added to the words' packed bounds: intent k's place in the low bits of field k (see _best).
        self._intent_codes = sum((_MAX_INTENTS - 1 - k) << (_FIELD_BITS * k) for k in range(len(self.intents)))
        # The training data's words with their close bounds, and words it lacks (names, typos), each worked out
        # when it first turns up: a word's features depend on the word alone, and SMS vocabulary is small.
        self._vocabulary: dict[str, _Word] = {}
        self._unseen: dict[str, _Word] = {}
        self._single: dict[tuple[str, tuple[str, ...]], Guess] = {}  # (word, slots) -> the guess of that message
        self._slots = {key[2:]: self._word_of({key: 1}, close=True) for key in self._postings if key.startswith("s:")}
        self._no_slot = _Word({}, {}, 0, (0,) * len(self.intents), [0] * len(self.intents), 0, 0, 0)

    def guess(self, text: str, *, slots: Collection[str] = (), folded: Sequence[str] | None = None,
              exhaustive: bool = False) -> Guess:
        """The likeliest intent and a confidence in [0, MAX_CONFIDENCE]; "unknown" when the signal is weak.

        `slots` are the kinds of entity the caller found in the text ("time", "service"); `folded` is
        `words(text)` when the caller has it already. `exhaustive` scores every intent, the plain way:
        the same answer, slower.
        """
        message_words = list(filterfalse(self._entity_words.__contains__, words(text) if folded is None else folded))
        content = list(filterfalse(_NOT_CONTENT.__contains__, message_words))
        if not content:
            return _NO_GUESS
        if len(message_words) == 1 and not exhaustive:
            key = (message_words[0], tuple(sorted(set(slots))))
            found = self._single.get(key)
            if found is None:
                found = self._guessed(message_words, content, key[1])
                if len(self._single) < MAX_SINGLE_WORDS:
                    self._single[key] = found
            return found
        if exhaustive:
            tops, square = self._plain_tops(message_words, slots)
            best: int | None = max(range(len(self.intents)), key=tops.__getitem__)  # max keeps the first of equals
            score = tops[best] / self._denominator(square) if square else 0.0
            return self._confident(best, score, self._scaling(content))
        return self._guessed(message_words, content, slots)

    def _scaling(self, content: list[str]) -> float:
        """The confidence's factor for how many of the message's content words the examples know."""
        known = sum(map(self._known_words.__contains__, content))
        if known < len(content):
            known += sum(1 for w in content if w not in self._known_words and self._is_known(w))
        return 0.5 + 0.5 * known / len(content)

    def _guessed(self, message_words: list[str], content: list[str], slots: Collection[str]) -> Guess:
        """`guess` of the message's words (entity words out), scoring the likeliest intents first."""
        scaling = self._scaling(content)
        # Below this score the answer is "unknown" whichever intent has it.
        best, score = self._best(message_words, slots, floor=MIN_CONFIDENCE / scaling)
        return self._confident(best, score, scaling)

    def _confident(self, best: int | None, score: float, scaling: float) -> Guess:
        confidence = min(MAX_CONFIDENCE, score * scaling)
        if best is None or confidence < MIN_CONFIDENCE:
            return _NO_GUESS
        return Guess(self.intents[best], round(confidence, 4))

    def scores(self, text: str, *, slots: Collection[str] = ()) -> dict[str, float]:
        """Every intent's score: the mean similarity of its NEIGHBOURS nearest examples to the text."""
        tops, square = self._plain_tops([w for w in words(text) if w not in self._entity_words], slots)
        denominator = self._denominator(square) if square else math.inf
        return {intent: top / denominator for intent, top in zip(self.intents, tops)}

    def _denominator(self, square: int) -> float:
        """What turns a sum of NEIGHBOURS fixed-point similarities into a mean cosine, for a message of that square."""
        return NEIGHBOURS * EXAMPLE_SCALE * math.sqrt(square)

    def _plain_tops(self, message_words: list[str], slots: Collection[str]) -> tuple[list[int], int]:
        """Per intent, the sum of its NEIGHBOURS best similarities, example by example through the postings;
        and the message's squared length."""
        weights = {key: self._weight(key, count) for key, count in _counts(message_words, sorted(slots)).items()
                   if key in self._once}
        similarity = [0] * len(self._intent_of)
        for key, weight in weights.items():
            for index, other in self._postings[key]:
                similarity[index] += weight * other
        nearest: list[list[int]] = [[] for _ in self.intents]
        for index, value in enumerate(similarity):
            nearest[self._intent_of[index]].append(value)
        return [sum(sorted(values)[-NEIGHBOURS:]) for values in nearest], sum(w * w for w in weights.values())

    def _best(self, message_words: list[str], slots: Collection[str], *, floor: float) -> tuple[int | None, float]:
        """The intent with the highest score, and the score; None when no intent can score `floor`.

        Intents are scored highest bound first, and only while the bound reaches the best score so far.
        """
        parts = list(map(self._vocabulary.get, message_words))
        if None in parts:
            parts = list(map(self._word, message_words))
        if slots:
            parts += map(self._slots.get, sorted(set(slots)), repeat(self._no_slot))
        square = sum(map(_SQUARE, parts))
        corrections: list[tuple[str, int]] = []
        shared: list[str] = []
        if len(message_words) > 1:  # (a slot's feature is in no word)
            masks = list(map(_MASK, parts[:len(message_words)]))
            if sum(masks) != reduce(or_, masks):  # a bit set in two masks carries into the next
                seen = common = 0
                for mask in masks:
                    common |= seen & mask
                    seen |= mask
                shared = [self._feature_of[n] for n in _bits(common)]
        # A feature in more than one word weighs 1 + log(total count), less than the words' own weights added up:
        # the difference is added to the sum of the words' rows.
        for key in shared:
            counts = tuple([part.counts[key] for part in parts if key in part.counts])
            delta, extra = self._corrections.get((key, counts)) or self._correction(key, counts)
            corrections.append((key, delta))
            square += extra
        if not square:
            return None, 0.0
        if square >= self._max_square:  # thousands of words: too long for 64-bit fields, scored plainly
            tops, _ = self._plain_tops(message_words, slots)
            best = max(range(len(self.intents)), key=tops.__getitem__)
            return best, tops[best] / self._denominator(square)
        denominator = NEIGHBOURS * EXAMPLE_SCALE * math.sqrt(square)  # as _denominator, inline: once per message
        # Each intent's bound, in BOUND_UNITs, with the intent's place below it: field k of the packed sum is
        # bound << _INTENT_BITS | (_MAX_INTENTS - 1 - k), so sorting the fields orders the intents by bound, the
        # first-listed first among equals. The sum stays inside its fields while the widest bounds add up to less
        # than _MAX_BOUND_UNITS (a message of thousands of words does not, and is summed intent by intent).
        if sum(map(_WIDEST, parts)) < _MAX_BOUND_UNITS:
            packed = sum(map(_BOUNDS, parts), self._intent_codes)
            order = memoryview(packed.to_bytes(self._bound_bytes, sys.byteorder)).cast("Q").tolist()
        else:
            order = [(-(-sum(column) // BOUND_UNIT) << _INTENT_BITS) | (_MAX_INTENTS - 1 - k)
                     for k, column in enumerate(zip(*map(_BOUND, parts)))]
        order.sort(reverse=True)
        rows = list(map(_ROWS, parts))
        best, top = None, -1
        for code in order:
            bound = (code >> _INTENT_BITS) * BOUND_UNIT
            if bound < top or bound / denominator < floor - BOUND_MARGIN:
                break  # neither this intent nor any after it can win
            k = _MAX_INTENTS - 1 - (code & (_MAX_INTENTS - 1))
            # Intent k's sum of its NEIGHBOURS best similarities: the words' packed rows added, then corrected.
            try:
                total = sum(map(itemgetter(k), rows))
            except TypeError:  # an unseen word's row for this intent is not worked out yet
                total = sum(self._row(part.weights, part.rows, k) if part.rows[k] is None else part.rows[k]
                            for part in parts)
            if corrections:
                packed = self._packed[k]
                for key, delta in corrections:
                    row = packed.get(key)
                    if row is not None:
                        total += delta * row
            exact = self._top(k, total)
            if exact > top or (exact == top and k < best):
                best, top = k, exact
        return (best, top / denominator) if best is not None else (None, 0.0)

    def _row(self, weights: dict[str, int], rows: list[int | None], k: int) -> int:
        """A word's similarity to each of intent k's examples, packed; kept in the word's `rows`."""
        packed = self._packed[k]
        row = rows[k] = sum(weight * packed.get(key, 0) for key, weight in weights.items())
        return row

    def _correction(self, key: str, counts: tuple[int, ...]) -> tuple[int, int]:
        """For a feature found in several words, `counts` times each: what its weight in the message differs by
        from the words' own weights added up, and the same for the squared weights. Depends on the feature and the
        counts alone, so it is kept."""
        weight = self._weight(key, sum(counts))
        own = [self._weight(key, count) for count in counts]  # each word's own weight on it (see _word_of)
        found = (weight - sum(own), weight * weight - sum(w * w for w in own))
        if len(self._corrections) < MAX_CORRECTIONS:
            self._corrections[key, counts] = found
        return found

    def _top(self, k: int, row: int) -> int:
        """The sum of the NEIGHBOURS largest fields of a packed row of intent k."""
        fields = sorted(self._as_doubles[k].unpack(row.to_bytes(self._row_bytes[k], sys.byteorder)))
        # (sorted as doubles: the same order, sorted faster; see _FIELD_LIMIT)
        if len(fields) >= NEIGHBOURS:
            return sum(_TOP_AS_INTEGERS.unpack(_TOP_AS_DOUBLES.pack(*fields[-NEIGHBOURS:])))
        return sum(memoryview(struct.pack(f"{len(fields)}d", *fields)).cast("Q"))

    def _weight(self, key: str, count: int) -> int:
        """A trained feature's weight in fixed point: sublinear term frequency times its weight counted once."""
        return self._once_fixed[key] if count == 1 else round((1 + math.log(count)) * self._once[key] * MESSAGE_SCALE)

    def _is_known(self, word: str) -> bool:
        return word in self._known_words or (len(word) >= KNOWN_PREFIX and word[:KNOWN_PREFIX] in self._known_prefixes)

    def _word(self, word: str) -> _Word:
        found = self._vocabulary.get(word) or self._unseen.get(word)
        if found is None:
            if word in self._known_words:  # the close bound: its own top similarities (see _word_of)
                found = self._vocabulary[word] = self._word_of(self._features(word), close=True)
            else:
                found = self._word_of(self._features(word))
                if len(self._unseen) < MAX_UNSEEN_WORDS:
                    self._unseen[word] = found
        return found

    def _features(self, word: str) -> dict[str, int]:
        return {key: count for key, count in _counts([word], ()).items() if key in self._idf}

    def _word_of(self, counts: dict[str, int], *, close: bool = False) -> _Word:
        """The word with its bound per intent: when `close` its own top similarities, worked out with its rows;
        else the sum of its features' tops, and the rows are left until an intent is scored."""
        weights = {key: self._weight(key, count) for key, count in counts.items()}
        square = sum(w * w for w in weights.values())
        rows: list[int | None] = [None] * len(self.intents)
        if close:
            bound = []
            for k in range(len(self.intents)):
                bound.append(self._top(k, self._row(weights, rows, k)))
        else:
            tops = [self._feature_tops[key] for key in weights]
            bound = [sum(weight * top[k] for weight, top in zip(weights.values(), tops))
                     for k in range(len(self.intents))]
        units = [-(-b // BOUND_UNIT) for b in bound]  # rounded up, so that a sum of them is still an upper bound
        bounds = sum(unit << (_FIELD_BITS * k + _INTENT_BITS) for k, unit in enumerate(units))
        mask = sum(map(self._bit_of.__getitem__, counts))
        return _Word(counts, weights, square, tuple(bound), rows, mask, bounds, max(units))


@cache
def trained_classifier() -> IntentClassifier:
    """The classifier trained on nlu/data/nlu.yml, built once per process on first use."""
    return IntentClassifier(bundled_training_data().examples)


def words(text: str) -> list[str]:
    """Lower-case, accent-folded words without digits and with repeated letters once; "?" and emoji."""
    folded = text.lower()
    if folded.isascii():  # no emoji or other signs, so the words are the runs of letters alone, and "?"
        # "can't" and "cant" alike. Squeezing repeats keeps letters letters and digits digits, so the runs of letters
        # are the same before and after, and each word is squeezed alone: a word's squeezed form is kept.
        found = _ASCII_WORD.findall(folded.replace("'", "") if "'" in folded else folded)
        return [_SQUEEZED.get(word) or _squeezed(word) for word in found]
    folded = unmarked(folded)
    folded = folded.replace("¿", "?").replace("\u2019", "")
    # A run of one letter is always inside one token, so it is squeezed here.
    folded = _REPEATS.sub(_FIRST_GROUP, folded.replace("'", ""))
    if folded.isascii():
        return _ASCII_WORD.findall(folded)
    return [token for token in _TOKEN.findall(folded) if token.isalpha() or _is_kept(token)]


_SQUEEZED: dict[str, str] = {}  # word -> the word with letters repeated in a row once


def _squeezed(word: str) -> str:
    squeezed = _REPEATS.sub(_FIRST_GROUP, word)
    if len(_SQUEEZED) < MAX_UNSEEN_WORDS * 4:
        _SQUEEZED[word] = squeezed
    return squeezed


def _is_kept(token: str) -> bool:
    """Whether a token that is not all letters is a word all the same: "?", an emoji, a letter-like sign."""
    if token.isalnum():
        return not any(ch.isdigit() for ch in token)  # "3pm" and "2nd" are nlu/when.py's and nlu/choice.py's
    return token == "?" or unicodedata.category(token) == "So"


def _bits(mask: int) -> Iterable[int]:
    """The positions of the bits set in `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _counts(message_words: list[str], slots: Iterable[str],
            features: Callable[[str], list[str]] | None = None) -> Counter[str]:
    """Feature counts: "w:" words (and "?", emoji), "c:" character n-grams, "s:" slots.

    `features` is `_word_features`, or a table of its answers for words that repeat (the training data's).
    """
    counts = Counter(chain.from_iterable(map(features or _word_features, message_words)))
    for slot in slots:
        counts["s:" + slot] = 1
    return counts


def _word_features(word: str) -> list[str]:
    """A word's features in the order _counts meets them: the word, then its 2-, 3- and 4-grams in turn."""
    if not word.isalpha():
        return ["w:" + word]
    padded = f" {word} "
    return ["w:" + word, *["c:" + padded[i:i + size] for size in NGRAM_SIZES for i in range(len(padded) - size + 1)]]


def _training_rows(examples: Iterable[Example]) -> tuple[list[tuple[Counter[str], str]], list[str], list[str]]:
    """Each example's feature counts with its intent; the words inside entity spans and the words outside them."""
    inside: list[str] = []
    outside: list[str] = []
    masked: list[tuple[list[str], list[str], str]] = []
    for example in examples:
        plain, slots, entity_words = _masked(example)
        inside += entity_words
        plain_words = words(plain)
        outside += plain_words
        masked.append((plain_words, slots, example.intent))
    # A few hundred words make up the examples' thousands: each word's n-grams are cut once.
    features = {word: _word_features(word) for word in dict.fromkeys(outside)}.__getitem__
    rows = [(_counts(plain_words, slots, features), intent) for plain_words, slots, intent in masked]
    return rows, inside, outside


def _smoothed_idf(document_frequency: Counter[str], documents: int) -> dict[str, float]:
    """Each feature's smoothed IDF (scikit-learn's default): a feature found in every example still weighs 1."""
    # Worked out once per document frequency: most features share one of a few small ones.
    idf_of = {df: math.log((1 + documents) / (1 + df)) + 1 for df in dict.fromkeys(document_frequency.values())}
    return {key: idf_of[df] for key, df in document_frequency.items()}


def _unit_vectors(rows: list[Counter[str]], once: dict[str, float]) -> list[tuple[Counter[str], list[int]]]:
    """Each example's features with its unit vector's weights on them, in fixed point (units of EXAMPLE_SCALE)."""
    # Sublinear term frequency: 1 + log(count) times the weight counted once.
    most = max(max(counts.values(), default=1) for counts in rows)
    sublinear = [0.0, *[1 + math.log(count) for count in range(1, most + 1)]]
    rounded = float.__round__  # what round() calls, without looking it up again for each of 40,000 weights
    vectors = []
    for counts in rows:
        weights = [once[key] if count == 1 else sublinear[count] * once[key] for key, count in counts.items()]
        norm = math.sqrt(sum([w * w for w in weights]))
        vectors.append((counts, [rounded(w / norm * EXAMPLE_SCALE) for w in weights]))
    return vectors


def _postings(vectors: list[tuple[Counter[str], list[int]]],
              features: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """Feature -> [(example, weight)] in file order, the features in the order they first appear."""
    postings: dict[str, list[tuple[int, int]]] = {key: [] for key in features}
    for index, (counts, fixed) in enumerate(vectors):
        for key, weight in zip(counts, fixed):
            postings[key].append((index, weight))
    return postings


def _packed_rows(vectors: list[tuple[Counter[str], list[int]]], intent_of: list[int],
                 intents: int) -> tuple[list[dict[str, int]], list[int]]:
    """Per intent, each feature's weights in the intent's examples packed into one integer, example n of the intent
    in bits 64n to 64n + 63, so that adding packed rows adds every example's sum at once; and each intent's
    number of examples."""
    packed: list[dict[str, int]] = [{} for _ in range(intents)]
    sizes = [0] * intents
    for (counts, fixed), k in zip(vectors, intent_of):
        row = packed[k]
        shift = _FIELD_BITS * sizes[k]
        for key, weight in zip(counts, fixed):
            row[key] = row.get(key, 0) + (weight << shift)
        sizes[k] += 1
    return packed, sizes


def _feature_tops(postings: dict[str, list[tuple[int, int]]], intent_of: list[int],
                  intents: int) -> dict[str, tuple[int, ...]]:
    """Per feature and intent: the sum of its NEIGHBOURS heaviest weights among the intent's examples."""
    nothing = [0] * intents
    tops = {}
    for key, found in postings.items():
        top = nothing.copy()
        if len(found) <= NEIGHBOURS:  # (two features in three) no intent has more: every weight counts
            for index, weight in found:
                top[intent_of[index]] += weight
        else:  # heaviest first, each intent taking the first NEIGHBOURS of its own
            taken = nothing.copy()
            for index, weight in sorted(found, key=_WEIGHT_OF_POSTING, reverse=True):
                k = intent_of[index]
                if taken[k] < NEIGHBOURS:
                    taken[k] += 1
                    top[k] += weight
        tops[key] = tuple(top)
    return tops


def _masked(example: Example) -> tuple[str, list[str], list[str]]:
    """The example's text with entity spans blanked, the kinds of entity it has, and the words inside them."""
    text = example.text
    entity_words: list[str] = []
    for span in sorted(example.entities, key=lambda s: s.start, reverse=True):
        entity_words += words(text[span.start:span.end])
        text = text[:span.start] + " " + text[span.end:]
    return text, sorted(dict.fromkeys(span.entity for span in example.entities)), entity_words
