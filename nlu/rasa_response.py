"""A Rasa server's `POST /model/parse` answer -> `Parse`, resolved like `nlu.parse` resolves text.

Pure: the caller fetched the JSON (bot/adapters/rasa.py) and passes `now` and `tz`.

The shape relied on (Rasa's HTTP API spec, docs/static/spec/rasa.yml, schema ParseResult; and
rasa/nlu/extractors/duckling_entity_extractor.py, `convert_duckling_format_to_rasa`):

    {"text": "...", "intent": {"name": "book", "confidence": 0.93}, "intent_ranking": [...],
     "entities": [{"entity": "time", "start": 0, "end": 16, "value": <see below>, "confidence": 1.0,
                   "additional_info": <Duckling's own "value" object>, "extractor": "DucklingEntityExtractor"},
                  {"entity": "service", "start": 18, "end": 29, "value": "full detail", "extractor": "DIETClassifier",
                   "confidence_entity": 0.99}]}

Duckling `time` entities: `value` is an ISO string for Duckling's type "value" and {"from": iso|null,
"to": iso|null} for type "interval"; `additional_info` carries the grains ({"type": "value", "value": iso,
"grain": "day"} or {"type": "interval", "from": {"value": iso, "grain": "hour"}, "to": {...}}).

Mapping decisions:
- Intent: Rasa's intent name if it is one of ours (our training data uses our Intent values), else
  UNKNOWN (that includes Rasa's FallbackClassifier's "nlu_fallback" and a missing classifier).
  Confidence is Rasa's.
- Carrier keywords stay ours: a message our rules read as exactly STOP/START/HELP (and the other carrier
  words, nlu/intent.py) is that intent whatever Rasa says, because carriers act on those words.
- A pick of an offered option is ours to see (Rasa does not know what was offered): our choice detection
  (nlu/choice.py) runs on the text, with the same "friday at 3 is not option 3" rule as `nlu.parse`, and
  a pick makes the intent CHOOSE unless Rasa heard cancel, human, opt-out or opt-in (which outrank a pick
  in our own classifier too).
- Times: each Duckling time entity gives one window, in the order found. Duckling resolves in its own
  configured zone and /model/parse takes no zone per request, while one Rasa server serves businesses in
  many zones; so the wall-clock reading of Duckling's ISO string (its date and clock time, not the
  instant) is placed in the business's zone: "3pm" is 3pm where the business is, on DST days too. With
  Duckling configured for the business's zone the two readings agree.
  * value, grain second/minute/hour: that precise time (start == end).
  * value, grain day: the whole local day; week: seven days from Duckling's Monday; month: the month.
    Quarter and year grains give no window (too vague to offer slots for).
  * interval with from and to: Duckling's "to" is exclusive by one grain of its own ("from 2 to 4pm" is
    14:00-17:00, facebook/duckling issues #108, #201, #726); for hour/minute/second grains we step it back
    one grain, so the window ends at the last time named, as our grammar's "between 2 and 4" does
    (14:00-16:00). Day grains stay as given (the exclusive end of the last day named).
  * interval with only from ("after 5pm"): from then to the end of that day.
  * interval with only to ("before noon", "till 6pm"): Duckling gives the named time itself here
    (facebook/duckling issue #568); from 08:00 that day (00:00 when the time is 08:00 or earlier) to it,
    as our grammar reads "before". With a day grain ("until friday"): from now to it.
  * a day-part interval ("tomorrow afternoon": Duckling says 12:00-19:00, "tonight" 18:00-00:00) becomes
    the business's own day part on that date (`day_parts`, default nlu.when.DAY_PARTS), when the entity's
    words name a day part and no clock time: the business defines its afternoon, not Duckling.
  * A window wholly before `now` is dropped; if every one was, the Parse is `past`, like ours.
  When Duckling found no usable time, our own grammar (nlu/when.py) supplies windows, asap and past.
  `time` entities from other extractors (DIETClassifier trained on nlu/data/nlu.yml's `[tmrw aft](time)`
  spans: a bare text value, no Duckling `additional_info`) are not resolved here: our grammar reads them.
- service: the entity's value matched against the business's services and aliases with our matcher
  (nlu/service.py), else our matcher over the whole text (the business's own names are not in Rasa's data).
- name, email, address: the entity's value (a name title-cased and checked as our `name_in` does; an
  e-mail checked as ours); without one, found in the text as `nlu.parse` finds them.

Known gaps: one window per time entity ("fri or sat morning" gives Friday's whole day and Saturday
morning, where ours gives two mornings); Duckling's alternative `values` are ignored; relative times
("in 2 hours") from a Duckling in another zone are off by the zones' difference.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nlu.address import address_in
from nlu.choice import choice_in
from nlu.intent import HELP_WORDS, OPT_IN_WORDS, OPT_OUT_WORDS
from nlu.language import language_of
from nlu.person import email_in, introduces_name, name_in
from nlu.service import matched_service
from nlu.text import cleaned, tokens
from nlu.types import Intent, Parse, TimeWindow, public_intent
from nlu.when import DAY_PARTS, When, when

OUTRANK_A_PICK = frozenset({Intent.CANCEL, Intent.HUMAN, Intent.OPTOUT, Intent.OPTIN})
PICK_CONFIDENCE = 0.9  # what nlu's own classifier says for a pick
BEFORE_STARTS_AT = time(8)  # "before noon" starts at 08:00, as in nlu/when.py

_INTENT_NAMES = frozenset(i.value for i in Intent)
_GRAIN_STEP = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1), "hour": timedelta(hours=1)}
_FINE_GRAINS = frozenset(_GRAIN_STEP)
_DAY_PART_WORDS = {"morning": "morning", "afternoon": "afternoon", "evening": "evening", "tonight": "evening",
                   "night": "evening"}


class MalformedResponse(ValueError):
    """The JSON is not the shape of Rasa's /model/parse answer."""


def parse_from_rasa(response: Any, *, text: str | None = None, now: datetime, tz: str,
                    services: Sequence[str] = (), offered: Sequence[datetime] = (),
                    aliases: Mapping[str, Sequence[str]] | None = None,
                    day_parts: Mapping[str, tuple[time, time]] | None = None,
                    horizon: timedelta = timedelta(days=60)) -> Parse:
    """The meaning of Rasa's answer for `text` in zone `tz` against `now`; MalformedResponse if it is not one."""
    if not isinstance(response, Mapping):
        raise MalformedResponse(f"expected a JSON object, got {type(response).__name__}")
    said = response.get("text")
    said = said if isinstance(said, str) else ""
    text = cleaned(text if text is not None else said)
    zone = ZoneInfo(tz)
    parts = dict(day_parts) if day_parts else DAY_PARTS
    words = tokens(text)
    entities = _entities(response)
    ours = when(words, now=now, tz=zone, day_parts=parts, horizon=horizon)

    windows: list[TimeWindow] = []
    duckling_past = False
    for entity in (e for e in entities if e.get("entity") == "time"):
        window = _window(entity, said or text, zone=zone, parts=parts, now=now)
        if window is None:
            continue
        if window.end < now or (window.is_precise and window.start < now):
            duckling_past = True
        elif window not in windows:
            windows.append(window)
    if windows or duckling_past:
        found = When(tuple(windows), past=not windows, days_named=ours.days_named)
    else:
        found = ours

    service = _service(entities, words, services, aliases)
    choice = choice_in(words, offered, zone)
    if choice is not None and found.days_named and found.windows:
        # "friday at 3" while Wednesday's 3:00 is on offer asks for Friday, not for option 3.
        if offered[choice - 1].astimezone(zone).date() not in {w.start.date() for w in found.windows}:
            choice = None

    intent, confidence = _intent(response)
    if (keyword := _carrier_intent(text, words)) is not None:
        intent, confidence = keyword, 1.0
    elif choice is not None and intent not in OUTRANK_A_PICK and intent is not Intent.CHOOSE:
        intent, confidence = Intent.CHOOSE, PICK_CONFIDENCE

    name = _entity_text(entities, "name")
    email = _entity_text(entities, "email")
    address = _entity_text(entities, "address")
    intent, waitlist = public_intent(intent)
    return Parse(
        intent=intent,
        waitlist=waitlist,
        confidence=confidence,
        windows=found.windows,
        service=service,
        choice=choice,
        name=name_in(name) if name else (name_in(text) if introduces_name(text) else None),
        email=email_in(email) if email else email_in(text),
        address=address or address_in(text),
        asap=found.asap,
        past=found.past,
        language=language_of(text, words),  # Rasa does not say; replies follow the customer's language
    )


def _carrier_intent(text: str, words: list[str]) -> Intent | None:
    """OPTOUT, OPTIN or HELP when the whole message is one carrier keyword (nlu/intent.py's words)."""
    if text.strip() == "?":
        return Intent.HELP
    if len(words) != 1:
        return None
    for keywords, intent in ((OPT_OUT_WORDS, Intent.OPTOUT), (OPT_IN_WORDS, Intent.OPTIN), (HELP_WORDS, Intent.HELP)):
        if words[0] in keywords:
            return intent
    return None


def _entities(response: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entities = response.get("entities", [])
    if entities is None:
        return []
    if not isinstance(entities, list):
        raise MalformedResponse("'entities' is not a list")
    return [e for e in entities if isinstance(e, Mapping)]


def _intent(response: Mapping[str, Any]) -> tuple[Intent, float]:
    found = response.get("intent")
    if found is None:
        return Intent.UNKNOWN, 0.0
    if not isinstance(found, Mapping):
        raise MalformedResponse("'intent' is not an object")
    name, confidence = found.get("name"), found.get("confidence")
    if not isinstance(name, str) or name not in _INTENT_NAMES:
        return Intent.UNKNOWN, 0.0
    if not isinstance(confidence, int | float) or isinstance(confidence, bool):
        confidence = 0.0
    return Intent(name), min(max(float(confidence), 0.0), 1.0)


def _service(entities: list[Mapping[str, Any]], words: list[str], services: Sequence[str],
             aliases: Mapping[str, Sequence[str]] | None) -> str | None:
    for value in (e.get("value") for e in entities if e.get("entity") == "service"):
        if isinstance(value, str) and (hit := matched_service(tokens(value), services, aliases)):
            return hit
    return matched_service(words, services, aliases)


def _entity_text(entities: list[Mapping[str, Any]], kind: str) -> str | None:
    for entity in entities:
        value = entity.get("value")
        if entity.get("entity") == kind and isinstance(value, str) and value.strip():
            return cleaned(value)
    return None


def _window(entity: Mapping[str, Any], said: str, *, zone: ZoneInfo, parts: Mapping[str, tuple[time, time]],
            now: datetime) -> TimeWindow | None:
    """The local window one Duckling time entity names, or None when it names none we can use."""
    info = entity.get("additional_info")
    if not isinstance(info, Mapping):
        return None
    if info.get("type") == "value":
        at, grain = _wall(info.get("value")), info.get("grain")
        if at is None:
            return None
        if grain in _FINE_GRAINS:
            return TimeWindow(_local(at, zone), _local(at, zone))
        span = _calendar_span(at.date(), grain)
        return TimeWindow(_midnight(span[0], zone), _midnight(span[1], zone)) if span else None
    if info.get("type") != "interval":
        return None
    start, start_grain = _bound(info.get("from"))
    end, end_grain = _bound(info.get("to"))
    part = _day_part(_words_of(entity, said))
    if start is not None and part in parts:
        begins, ends = parts[part]
        return TimeWindow(_local(datetime.combine(start.date(), begins), zone),
                          _local(datetime.combine(start.date(), ends), zone))
    if start is not None and end is not None:
        if end_grain in _GRAIN_STEP:
            end -= _GRAIN_STEP[end_grain]
        end = max(end, start)
        return TimeWindow(_local(start, zone), _local(end, zone))
    if start is not None:
        return TimeWindow(_local(start, zone), _midnight(start.date() + timedelta(days=1), zone))
    if end is not None:
        if end_grain not in _FINE_GRAINS:
            local_now = now.astimezone(zone)
            return TimeWindow(local_now, max(_local(end, zone), local_now))
        begins = BEFORE_STARTS_AT if end.time() > BEFORE_STARTS_AT else time(0)
        return TimeWindow(_local(datetime.combine(end.date(), begins), zone), _local(end, zone))
    return None


def _bound(raw: Any) -> tuple[datetime | None, str | None]:
    if not isinstance(raw, Mapping):
        return None, None
    grain = raw.get("grain")
    return _wall(raw.get("value")), grain if isinstance(grain, str) else None


def _wall(raw: Any) -> datetime | None:
    """The wall-clock date and time an ISO string names, without its offset."""
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=None)
    except ValueError:
        return None


def _calendar_span(day: date, grain: Any) -> tuple[date, date] | None:
    if grain == "day":
        return day, day + timedelta(days=1)
    if grain == "week":
        return day, day + timedelta(days=7)
    if grain == "month":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1)
    return None


def _words_of(entity: Mapping[str, Any], said: str) -> list[str]:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(said):
        return tokens(said[start:end])
    body = entity.get("text")
    return tokens(body) if isinstance(body, str) else []


def _day_part(words: list[str]) -> str | None:
    """The day part the words name ("tomorrow afternoon"), unless they also name a clock time."""
    if "noon" in words or any(ch.isdigit() for w in words for ch in w):
        return None
    return next((_DAY_PART_WORDS[w] for w in words if w in _DAY_PART_WORDS), None)


def _local(wall: datetime, zone: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)
