"""Which of the business's services a message names, tolerant of typos and nicknames."""

from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz

MIN_SCORE = 85  # "ful detial" scores 86 against "full detail"; "detail" vs "retail" is 83


def matched_service(tokens: list[str], services: Sequence[str],
                    aliases: Mapping[str, Sequence[str]] | None = None) -> str | None:
    """The service whose name or alias best matches a run of words in the message, or None.

    Longer phrases beat shorter ones at equal score, so "interior detail" wins over the alias
    "detail" of Full Detail.
    """
    best: tuple[float, int, str] | None = None
    for service in services:
        for phrase in (service, *((aliases or {}).get(service, ()))):
            words = phrase.lower().split()
            if not words:
                continue
            score = _best_run_score(tokens, words)
            if score >= MIN_SCORE:
                key = (score, len(" ".join(words)), service)
                if best is None or key[:2] > best[:2]:
                    best = key
    return best[2] if best else None


def _best_run_score(tokens: list[str], words: list[str]) -> float:
    target = " ".join(words)
    width = len(words)
    best = 0.0
    for i in range(len(tokens) - width + 1):
        run = " ".join(tokens[i:i + width])
        # Short words must match exactly: fuzzy "wash" would also match "was".
        score = 100.0 if run == target else (fuzz.ratio(run, target) if len(target) >= 6 else 0.0)
        best = max(best, score)
    return best
