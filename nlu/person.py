"""Names and e-mail addresses people give in a text."""

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_INTRO = re.compile(r"^(?:hi|hey|hello|hola)?[\s,]*(?:it'?s|its|i'?m|im|i am|this is|my name is|name is|name'?s|"
                    r"call me|me llamo|mi nombre es)\s+", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
# Where a name given in a longer text ends: "my name is Dana, 123 Oak St" is Dana.
_AFTER_NAME = re.compile(r"\s*(?:[,;!?]|\.\s|\s(?:and|y)\s).*$", re.IGNORECASE)
_NOT_NAMES = frozenset({"yes", "no", "ok", "okay", "hi", "hello", "hey", "thanks", "help", "menu", "stop", "si",
                        "hola", "gracias"})


def email_in(text: str) -> str | None:
    match = _EMAIL.search(text) if "@" in text else None
    return match.group(0) if match else None


def name_in(text: str) -> str | None:
    """The person's name when the text is a name or introduces one ("it's dana k"), title-cased."""
    candidate = _INTRO.sub("", text.strip())
    if candidate != text.strip():
        candidate = _AFTER_NAME.sub("", candidate)
    candidate = candidate.strip(" .!,")
    if not candidate or len(candidate) > 60 or candidate.lower() in _NOT_NAMES:
        return None
    if not _NAME.match(candidate) or len(candidate.split()) > 4:
        return None
    return " ".join(part[:1].upper() + part[1:] for part in candidate.split())


def introduces_name(text: str) -> bool:
    """Whether the text says "my name is ..." (rather than being a bare word that may be a name)."""
    return bool(_INTRO.match(text.strip()))
