"""Which of the business's services a message names, tolerant of typos and nicknames.

Fast without changing an answer. The names and aliases are laid out once per business (`_phrases`); then:
- exact matches: one regular expression finds, at each word, the best-ranked phrase starting there;
- fuzzy matches (fuzz.ratio >= MIN_SCORE): rapidfuzz is quick on a warm cache but costs several microseconds
  on the cold one it gets once per message, and almost no run of words comes close to a service name, so runs
  are filtered first, by bounds that fuzz.ratio cannot beat:
  * fuzz.ratio = 200 * (longest common subsequence) / (sum of lengths) <= 200 * shorter / sum, so a run much
    shorter or longer than a phrase cannot reach MIN_SCORE;
  * at MIN_SCORE the indel distance is at most (1 - MIN_SCORE/100) * (sum of lengths), and the edit distance
    is at most that; each edit breaks at most two of a phrase's letter pairs ("de", "et", "ta", ...), so a run
    that has fewer of the phrase's pairs than (length - 1) - 2 * edits cannot reach it either (the q-gram
    lemma). The pairs a run shares with each phrase are counted at once, in 16-bit fields of one integer.
  * a run's pairs are its words' pairs and the pairs across each space between them ("r ", " m" in
    "tmr morning"), so the sum, over its words, of each word's count padded with a space each side (" tmr ",
    " morning ") is at least the run's own count: runs of several words are filtered with that sum. A word's
    counts depend on the word alone and are kept (up to MAX_KEPT_WORDS words per business and number of words):
    working out a word's pairs was most of the cost of a message.
  * most texts come nowhere near a phrase of several words: the padded counts of all their words added up bound
    every run's, and when that sum reaches no phrase's least need (over every run length), no run is tried.
"""

import re
from collections.abc import Mapping, Sequence
from copy import deepcopy
from functools import lru_cache, partial
from itertools import compress, repeat
from math import floor
from operator import add
from typing import NamedTuple

from rapidfuzz import fuzz, process

MIN_SCORE = 85  # "ful detial" scores 86 against "full detail"; "detail" vs "retail" is 83
MIN_FUZZY_LENGTH = 6  # short words must match exactly: fuzzy "wash" would also match "was"

# The phrases scoring at least MIN_SCORE against a run of words: [(phrase, score, index)].
_close_phrases = partial(process.extract, scorer=fuzz.ratio, score_cutoff=MIN_SCORE, limit=None)
_SLACK = 1e-9  # where a score is bounded with floating point, the bound errs towards trying the run
_FIELD = 16    # bits per phrase in a packed count of letter pairs: counts and needs stay below 1 << (_FIELD - 1)
_NEVER = (1 << (_FIELD - 1)) - 1  # a need no count reaches: the run's length is out of the phrase's range
MAX_KEPT_WORDS = 4096  # words whose pair counts are kept per business and number of words: a few hundred kB at most


class _Fuzzy(NamedTuple):
    """The fuzzy phrases of one number of words, and what a run of that many words needs to score against each."""

    width: int                   # words
    phrases: tuple[str, ...]
    places: tuple[int, ...]      # each phrase's place in _Phrases.fuzzy
    lengths: frozenset[int]      # the lengths, without the spaces between words, a run could have to score
    pairs: dict[str, int]        # letter pair -> how often each phrase has it, packed (phrase k in field k)
    needs: dict[int, int]        # run length -> the pairs it needs in common with each phrase, packed
    high: int                    # the top bit of every field
    least: int                   # the least need, over every run length, of each phrase, packed
    # word -> for one word (width 1), 1 when it could score MIN_SCORE with a phrase, else 0; for more, the pairs the
    # word padded with spaces has in common with each phrase, packed. Filled as words turn up (see _kept).
    kept: dict[str, int]
    # For more than one word: most texts come nowhere near a phrase, and the padded counts of all their words added
    # up, which bound every run's, reach no phrase's least need. Up to this many words that sum stays inside its
    # fields (a word's count on a phrase is at most the phrase's pairs); 0 for one word.
    summable: int


class _Phrases(NamedTuple):
    """A business's service names and aliases, laid out for matching; built once per set of names."""

    # At each word of the message's words joined by spaces, the best-ranked phrase that starts there.
    exact: re.Pattern[str]
    first_words: frozenset[str]              # the phrases' first words: one of them starts any match
    ranks: dict[str, int]                    # phrase as matched -> its rank: longest first, then as listed
    ranked: tuple[str, ...]                  # the service of each rank
    fuzzy: tuple[tuple[str, str, int], ...]  # (service, phrase, words) long enough to match fuzzily, as listed
    by_width: tuple[_Fuzzy, ...]


def matched_service(tokens: list[str], services: Sequence[str],
                    aliases: Mapping[str, Sequence[str]] | None = None) -> str | None:
    """The service whose name or alias best matches a run of words in the message, or None.

    Longer phrases beat shorter ones at equal score, so "interior detail" wins over the alias
    "detail" of Full Detail. An exact match scores 100 and a fuzzy one less, so any exact match
    beats every fuzzy one and the fuzzy scores are only worked out when no phrase matches exactly.
    """
    if not services or not tokens:
        return None
    table = _table(services, aliases)
    joined = " ".join(tokens)
    if joined.count(" ") == len(tokens) - 1:  # the words have no spaces, so a run of them is a substring
        found = () if table.first_words.isdisjoint(tokens) else table.exact.findall(joined)
    else:  # a phrase of n words is matched against the runs of n of these words
        found = [run for width in {phrase.count(" ") + 1 for phrase in table.ranks}
                 for run in _runs(tokens, width) if run in table.ranks and run.count(" ") == width - 1]
    if found:
        return table.ranked[min(map(table.ranks.__getitem__, found))]
    # Each phrase's best score against the runs of its width (fuzz.ratio is symmetric, so each run is scored
    # against all the phrases at once), for the runs the bounds in the module's docstring leave.
    scores: dict[int, float] = {}
    lengths: list[int] = []
    for fuzzy in table.by_width:
        width = fuzzy.width
        kept = list(map(fuzzy.kept.get, tokens))
        if None in kept:
            kept = [_kept(fuzzy, word) if found is None else found for word, found in zip(tokens, kept)]
        if width == 1:
            runs: Sequence[str] = list(compress(tokens, kept))
        elif len(tokens) < width or (len(tokens) <= fuzzy.summable and not _may_score(fuzzy, sum(kept), 0)):
            continue  # no run of this many words could score (see _Fuzzy.summable)
        else:
            lengths = lengths or list(map(len, tokens))
            summed = lengths  # the lengths of the runs of `width` words, without the spaces
            for shift in range(1, width):
                summed = list(map(add, summed, lengths[shift:]))
            # The words' padded counts add up to at least the run's own count (see the module's docstring).
            runs = [" ".join(tokens[i:i + width])
                    for i in compress(range(len(summed)), map(fuzzy.lengths.__contains__, summed))
                    if _may_score(fuzzy, sum(kept[i:i + width]), summed[i] + width - 1)]
        for run in runs:
            for _, score, k in _close_phrases(run, fuzzy.phrases):
                if score > scores.get(fuzzy.places[k], -1.0):
                    scores[fuzzy.places[k]] = score
    if not scores:
        return None
    best: tuple[float, int, str] | None = None
    for place in sorted(scores):  # as listed: the first of equal scores and lengths wins
        service, target, _ = table.fuzzy[place]
        key = (scores[place], len(target), service)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def _kept(fuzzy: _Fuzzy, word: str) -> int:
    """What `fuzzy.kept` holds for the word, worked out and kept: how many of each phrase's letter pairs the word
    (with a space each side, for phrases of several words) has, each pair it has counted once, packed; for phrases
    of one word, whether that count and the word's length let it score."""
    padded = word if fuzzy.width == 1 else f" {word} "
    found = sum(map(fuzzy.pairs.get, set(map(add, padded, padded[1:])), repeat(0)))
    if fuzzy.width == 1:
        found = int(len(word) in fuzzy.lengths and _may_score(fuzzy, found, len(word)))
    if len(fuzzy.kept) < MAX_KEPT_WORDS:
        fuzzy.kept[word] = found
    return found


def _may_score(fuzzy: _Fuzzy, shared: int, length: int) -> bool:
    """Whether a run of `length` characters sharing at most `shared` pairs could reach MIN_SCORE with a phrase:
    whether any field's count reaches its need. Length 0: a run of any length (each phrase's least need)."""
    return bool(((shared | fuzzy.high) - (fuzzy.needs[length] if length else fuzzy.least)) & fuzzy.high)


def _runs(tokens: list[str], width: int) -> list[str]:
    """The message's runs of `width` words, joined by spaces."""
    return [" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1)]


_TABLES: dict[tuple[str, ...], tuple[Mapping[str, Sequence[str]] | None, _Phrases]] = {}
MAX_TABLES = 256


def _table(services: Sequence[str], aliases: Mapping[str, Sequence[str]] | None) -> _Phrases:
    """The business's phrases. Kept per list of names with a copy of the aliases given last time: comparing the
    aliases with that copy takes a third of the time of making them the hashable key `_phrases` needs (lists to
    tuples), which was the matcher's largest cost on a text naming no service."""
    names = tuple(services)
    kept = _TABLES.get(names)
    if kept is not None and kept[0] == aliases:
        return kept[1]
    table = _phrases(names, tuple(map(tuple, map(aliases.get, services, repeat(())))) if aliases else None)
    if len(_TABLES) < MAX_TABLES or names in _TABLES:
        _TABLES[names] = (deepcopy(aliases), table)  # a copy: the caller may change its lists later
    return table


@lru_cache(maxsize=256)
def _phrases(services: tuple[str, ...], aliases: tuple[tuple[str, ...], ...] | None) -> _Phrases:
    """The names and aliases (aliases[k] are services[k]'s) as matched: lower case, spaces folded."""
    listed: list[tuple[str, str, int]] = []  # (service, name or alias as matched, its number of words)
    for k, service in enumerate(services):
        for phrase in (service, *(aliases[k] if aliases else ())):
            words = phrase.lower().split()
            if words:
                listed.append((service, " ".join(words), len(words)))
    # max() of (length, listed order) keeps the first of equal lengths: so does the lowest rank here.
    order = sorted(range(len(listed)), key=lambda k: (-len(listed[k][1]), k))
    ranks: dict[str, int] = {}
    for rank, k in enumerate(order):
        ranks.setdefault(listed[k][1], rank)
    # At each word's start, a lookahead tries the phrases best rank first, so overlapping matches are all found
    # and each is the best phrase starting at its word. A phrase ends at a space or the text's end.
    phrases = "|".join(map(re.escape, sorted(ranks, key=ranks.__getitem__)))
    exact = re.compile(f"(?:^| )(?=({phrases})(?: |$))" if ranks else "(?!)")
    fuzzy = tuple(phrase for phrase in listed if len(phrase[1]) >= MIN_FUZZY_LENGTH)
    by_width: dict[int, list[int]] = {}
    for place, (_, _, width) in enumerate(fuzzy):
        by_width.setdefault(width, []).append(place)
    return _Phrases(exact, frozenset(phrase.split(" ")[0] for phrase in ranks), ranks,
                    tuple(listed[k][0] for k in order), fuzzy,
                    tuple(_fuzzy(width, [fuzzy[place][1] for place in places], places)
                          for width, places in by_width.items()))


def _fuzzy(width: int, phrases: list[str], places: list[int]) -> _Fuzzy:
    """What a run of `width` words needs to be worth scoring against each of these phrases."""
    pairs: dict[str, int] = {}
    needs: dict[int, int] = {}
    for k, phrase in enumerate(phrases):
        a = len(phrase)
        for i in range(a - 1):
            pairs[phrase[i:i + 2]] = pairs.get(phrase[i:i + 2], 0) + (1 << (_FIELD * k))
        for b in range(1, 2 * a + 2):  # run lengths with the spaces; longer ones score below MIN_SCORE
            if 200 * min(a, b) >= (MIN_SCORE - _SLACK) * (a + b):
                edits = floor((1 - MIN_SCORE / 100) * (a + b) + _SLACK)
                need = max(0, min(_NEVER, (a - 1) - 2 * edits))
            else:
                need = _NEVER
            needs[b] = needs.get(b, _NEVER * _repeated(len(phrases))) - ((_NEVER - need) << (_FIELD * k))
    # A run's bound adds up `width` padded words' counts, each at most a phrase's pairs: past _NEVER a field could
    # overflow, so every run of a possible length is tried.
    if width * max(map(len, phrases)) >= _NEVER:
        pairs, needs = {}, {b: 0 for b, need in needs.items() if need != _NEVER * _repeated(len(phrases))}
    lengths = frozenset(b - (width - 1) for b, need in needs.items() if need != _NEVER * _repeated(len(phrases)))
    needs = {b: need for b, need in needs.items() if b - (width - 1) in lengths}
    least = sum(min([(need >> (_FIELD * k)) & _NEVER for need in needs.values()], default=_NEVER) << (_FIELD * k)
                for k in range(len(phrases)))
    # A word's count on a phrase is at most the phrase's distinct pairs, fewer than its length.
    summable = 0 if width == 1 or not pairs else _NEVER // max(map(len, phrases))
    return _Fuzzy(width, tuple(phrases), tuple(places), lengths, pairs, needs,
                  (1 << (_FIELD - 1)) * _repeated(len(phrases)), least, {}, summable)


def _repeated(fields: int) -> int:
    """1 in each of `fields` fields: multiplied by a small number, that number in each field."""
    return sum(1 << (_FIELD * k) for k in range(fields))
