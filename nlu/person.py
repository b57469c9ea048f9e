"""Names and e-mail addresses people give in a text."""

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_INTRO = re.compile(r"^(?:hi|hey|hello)?[\s,]*(?:it'?s|its|i'?m|im|i am|this is|my name is|name is|name'?s|call me)\s+",
                    re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
_NOT_NAMES = frozenset({"yes", "no", "ok", "okay", "hi", "hello", "hey", "thanks", "help", "menu", "stop"})


def email_in(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


def name_in(text: str) -> str | None:
    """The person's name when the text is a name or introduces one ("it's dana k"), title-cased."""
    candidate = _INTRO.sub("", text.strip()).strip(" .!,")
    if not candidate or len(candidate) > 60 or candidate.lower() in _NOT_NAMES:
        return None
    if not _NAME.match(candidate) or len(candidate.split()) > 4:
        return None
    return " ".join(part[:1].upper() + part[1:] for part in candidate.split())


def introduces_name(text: str) -> bool:
    """Whether the text says "my name is ..." (rather than being a bare word that may be a name)."""
    return bool(_INTRO.match(text.strip()))
