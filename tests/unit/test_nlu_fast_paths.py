"""The shortcuts that make nlu.parse fast give the answers of the plain ways they replace.

Each test compares a fast path with a plain, obviously right version written here, on seeded random inputs
(the same every run) built from the words the shortcuts care about.
"""

import dataclasses
import inspect
import random
import re
import unicodedata
from itertools import product

import pytest
from rapidfuzz import fuzz, process

from nlu.classifier import _TOKEN, _is_kept, words
from nlu.intent import _WAITLIST, is_waitlist_request
from nlu.service import MIN_FUZZY_LENGTH, MIN_SCORE, matched_service
from nlu import address, text as text_tokens
from nlu.address import address_in, address_in_cleaned
from nlu.eval import load
from nlu.text import cleaned, has_digit, has_letters_or_digits, unmarked
from nlu.types import Intent, Parse, parse_of

SERVICES = ["Express Wash", "Full Detail", "Interior Detail", "Ceramic Coating", "Headlight Restoration", "Wax"]
ALIASES = {
    "Full Detail": ["full detail", "full", "detail", "detallado completo", "detallado"],
    "Interior Detail": ["interior", "inside", "inside only", "solo interior"],
    "Express Wash": ["express", "wash", "quick wash", "lavado", "lavado express"],
    "Ceramic Coating": ["ceramic", "coating", "ceramic  coat"],
    "Wax": ["wax job", "w.a.x", "(wax)", "wax|job", "lavado rápido", "   "],
}
WORDS = sorted({w for phrase in [*SERVICES, *(a for names in ALIASES.values() for a in names)]
                for w in phrase.lower().split()} | set("can i get a the on fri at 3pm please retail was it".split()))


def plain_matched_service(tokens, services, aliases=None):
    """nlu.service.matched_service as first written: every phrase against every run, exactly then fuzzily."""
    phrases, runs = [], {}
    for service in services:
        for phrase in (service, *((aliases or {}).get(service, ()))):
            target = " ".join(phrase.lower().split())
            width = len(target.split())
            if not width:
                continue
            phrases.append((service, target, width))
            runs.setdefault(width, [" ".join(tokens[i:i + width]) for i in range(len(tokens) - width + 1)])
    exact = [(len(target), service) for service, target, width in phrases if target in runs[width]]
    if exact:
        return max(exact, key=lambda hit: hit[0])[1]
    best = None
    for service, target, width in phrases:
        if len(target) < MIN_FUZZY_LENGTH or not runs[width]:
            continue
        found = process.extractOne(target, runs[width], scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        if found is not None and (best is None or (found[1], len(target)) > best[:2]):
            best = (found[1], len(target), service)
    return best[2] if best else None


def misspelt(word: str, rng: random.Random) -> str:
    if len(word) < 3 or rng.random() < 0.5:
        return word
    i = rng.randrange(len(word))
    return rng.choice([word[:i] + word[i + 1:], word[:i] + rng.choice("aeiourst") + word[i:],
                       word[:i] + rng.choice("aeiourst") + word[i + 1:]])


def test_matched_service_finds_what_trying_every_phrase_on_every_run_finds() -> None:
    rng = random.Random(5)
    disagreements = []
    for _ in range(6000):
        tokens = [misspelt(misspelt(rng.choice(WORDS), rng), rng) for _ in range(rng.randint(0, 7))]
        if tokens and rng.random() < 0.15:  # words with spaces in them, and empty words, are read as given
            i = rng.randrange(len(tokens))
            tokens[i:i + 2] = [" ".join(tokens[i:i + 2])]
        elif rng.random() < 0.05:
            tokens.insert(rng.randint(0, len(tokens)), "")
        services = rng.sample(SERVICES, rng.randint(0, len(SERVICES)))
        aliases = rng.choice([None, {}, ALIASES])
        if matched_service(tokens, services, aliases) != plain_matched_service(tokens, services, aliases):
            disagreements.append((tokens, services, aliases is ALIASES))
    assert disagreements == []


@pytest.mark.parametrize("tokens", [["ful", "detial"], ["intreior", "detail"], ["detailing"], ["exprss", "wsh"],
                                    ["quik", "wash"], ["ceramik", "coatng"], ["lavadoo"], ["retail"]])
def test_near_misses_score_as_rapidfuzz_scores_them(tokens: list[str]) -> None:
    assert matched_service(tokens, SERVICES, ALIASES) == plain_matched_service(tokens, SERVICES, ALIASES)


def test_parse_of_is_the_parse_the_dataclass_makes() -> None:
    values = dict(intent=Intent.BOOK, confidence=0.6, windows=(), service="Full Detail", choice=2, name="Dana",
                  email=None, address="1 Oak St", asap=False, past=True, too_far=False, waitlist=True, language="es")
    # parse_of takes every field but extras, positionally, in the dataclass's order
    assert list(inspect.signature(parse_of).parameters) == [f.name for f in dataclasses.fields(Parse)][:-1]
    made, plain = parse_of(*values.values()), Parse(**values)

    assert made == plain
    assert repr(made) == repr(plain)
    assert list(vars(made)) == list(vars(plain))
    assert made.extras == {} and made.extras is not parse_of(*values.values()).extras
    with pytest.raises(AttributeError):
        made.intent = Intent.DENY  # still frozen


def test_words_of_ascii_text_are_the_words_the_general_rule_keeps() -> None:
    rng = random.Random(3)
    alphabet = "abcyz09 ?!.,'#@&-_:/$^|~AB"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))) for _ in range(5000)]
    texts += ["3pm works, the 2nd", "Yesss!!", "ok?? thx", "can't make it"]
    for text in texts:
        folded = text.lower().replace("'", "")
        plain = [t for t in _TOKEN.findall(_squeezed(folded)) if t.isalpha() or _is_kept(t)]
        assert words(text) == plain, text


def test_tokens_of_ascii_text_are_the_tokens_the_general_pattern_finds() -> None:
    rng = random.Random(5)
    alphabet = "abmpz0129 ?#'.:/-@&,"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(8000)]
    texts += ["a10 10a 3pm 2:30pm 12:30p 3/14/2026 can't it's'", "tmrw 10am pls", "#2 or #3?"]
    for text in texts:
        assert text_tokens._ASCII_TOKEN.findall(text) == text_tokens._TOKEN.findall(text), text


def test_a_business_that_changes_its_aliases_is_matched_with_the_new_ones() -> None:
    services = ["Full Detail", "Interior Detail"]
    aliases = {"Full Detail": ["full"], "Interior Detail": ["inside"]}
    assert matched_service(["fd"], services, aliases) is None
    aliases["Full Detail"].append("fd")  # the same dict and list, changed in place after a message
    assert matched_service(["fd"], services, aliases) == "Full Detail"
    assert matched_service(["fd"], services, {"Full Detail": ("full",), "Interior Detail": ("inside",)}) is None
    assert matched_service(["fd"], services, None) is None
    assert matched_service(["inside"], services, {**aliases, "Interior Detail": ["indoors"]}) is None


def plain_address_in(text: str) -> str | None:
    """nlu.address.address_in without the cheap searches that rule most texts out before the full patterns."""
    if not has_digit(text):
        return None
    for line in re.split(r"[\r\n]+", text):
        line = cleaned(line)
        match = address._US.search(line) or address._SPANISH.search(line)
        if match is not None:
            return line[match.start():address._tail_end(line, match.end())].rstrip(" ,;")
    return None


def test_address_in_finds_what_the_full_patterns_find() -> None:
    rng = random.Random(11)
    words = ["12", "5", "1100", "4b", "oak", "Main", "st", "St.", "ave", "Congress", "calle", "Calle", "mayor", "av.",
             "C/", "Avda", "PASEO", "travesía", "Callejón", "nº", "at", "3pm", "2:30", "3/14", "austin", "TX", "78703",
             "tomorrow", "Apt", "#2", "rd", "Drive", "the", "14th", "\t", "\x00", "\n", "ſ"]
    texts = ["".join(rng.choice(words) + rng.choice([" ", " ", ", ", "", "\n"]) for _ in range(rng.randint(1, 9)))
             for _ in range(6000)]
    texts += [record.text for record in load()]
    for text in texts:
        assert address_in(text) == plain_address_in(text), text
        if "\n" not in text and "\r" not in text:
            assert address_in_cleaned(cleaned(text)) == address_in(text), text


def _squeezed(text: str) -> str:
    out = []
    for ch in text:
        if not (out and ch == out[-1] and ch.isascii() and ch.isalnum()):
            out.append(ch)
    return "".join(out)


def test_marks_and_letters_are_found_as_unicodedata_says() -> None:
    chars = [chr(c) for c in range(0x3000)] + ["👍", "🙏", "\U0001d400"]
    text = "".join(chars)
    assert unmarked(text) == "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    assert [has_letters_or_digits(c) for c in chars] == [c.isalnum() for c in chars]


def test_waitlist_words_check_skips_only_texts_the_patterns_cannot_match() -> None:
    vocabulary = ("text tell let call contact me if anything a spot an opening earlier sooner opens opening frees up "
                  "comes cancel cancelled waitlist wait list - waiting lista de espera avisame avisenme me avisas "
                  "escribeme mandame antes se libera se desocupa se abre cancela please").split()
    rng = random.Random(4)
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 9))) for _ in range(20000)]
    texts += [" ".join(pair) for pair in product(["text me", "if anything", "avísame si"], ["opens", "se libera antes"])]
    assert [is_waitlist_request(t) for t in texts] == [_WAITLIST.search(unmarked(t.lower())) is not None
                                                       for t in texts]
    assert any(is_waitlist_request(t) for t in texts)
