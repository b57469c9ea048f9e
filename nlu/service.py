"""Which of the business's services a message names, tolerant of typos and nicknames."""

from collections.abc import Mapping, Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

MIN_SCORE = 85  # "ful detial" scores 86 against "full detail"; "detail" vs "retail" is 83
MIN_FUZZY_LENGTH = 6  # short words must match exactly: fuzzy "wash" would also match "was"


def matched_service(tokens: list[str], services: Sequence[str],
                    aliases: Mapping[str, Sequence[str]] | None = None) -> str | None:
    """The service whose name or alias best matches a run of words in the message, or None.

    Longer phrases beat shorter ones at equal score, so "interior detail" wins over the alias
    "detail" of Full Detail. An exact match scores 100 and a fuzzy one less, so any exact match
    beats every fuzzy one and the fuzzy scores are only worked out when no phrase matches exactly.
    """
    phrases: list[tuple[str, str, int]] = []  # (service, name or alias as matched, its number of words)
    runs: dict[int, list[str]] = {}  # the message's runs of n words, joined, by n
    for service in services:
        for phrase in (service, *((aliases or {}).get(service, ()))):
            target, width = _target(phrase)
            if not width:
                continue
            phrases.append((service, target, width))
            if width not in runs:
                runs[width] = [" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1)]
    exact = [(len(target), service) for service, target, width in phrases if target in runs[width]]
    if exact:
        return max(exact, key=lambda hit: hit[0])[1]  # max keeps the first of equal lengths
    best: tuple[float, int, str] | None = None
    for service, target, width in phrases:
        if len(target) < MIN_FUZZY_LENGTH or not runs[width]:
            continue
        found = process.extractOne(target, runs[width], scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if found is not None:
            key = (found[1], len(target), service)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


@lru_cache(maxsize=1024)
def _target(phrase: str) -> tuple[str, int]:
    """A service name or alias as matched, and its number of words: "Full  Detail" -> ("full detail", 2)."""
    words = phrase.lower().split()
    return " ".join(words), len(words)
