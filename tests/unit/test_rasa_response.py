"""Rasa's /model/parse answers (with Duckling time entities) mapped onto `Parse` by nlu/rasa_response.py.

"Now" is Tue 2026-03-10 09:15 America/Chicago (CDT, UTC-5) unless a test says otherwise. The builders
below make answers in Rasa's shape: rasa/nlu/extractors/duckling_entity_extractor.py for time entities,
the ParseResult schema of Rasa's HTTP API for the rest.
"""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nlu import Intent, TimeWindow
from nlu.rasa_response import MalformedResponse, parse_from_rasa

ZONE = "America/Chicago"
CHICAGO = ZoneInfo(ZONE)
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)  # a Tuesday
SERVICES = ["Express Wash", "Full Detail", "Interior Detail"]
ALIASES = {
    "Full Detail": ["full detail", "full", "detail"],
    "Interior Detail": ["interior", "inside", "inside only"],
    "Express Wash": ["express", "wash", "quick wash"],
}
OFFERED = (
    datetime(2026, 3, 11, 12, 0, tzinfo=CHICAGO),
    datetime(2026, 3, 11, 14, 30, tzinfo=CHICAGO),
    datetime(2026, 3, 11, 15, 0, tzinfo=CHICAGO),
)


# --- Rasa's wire shape --------------------------------------------------------------------------------

def rasa_answer(text: str, intent: str | None = "book", confidence: float = 0.93, entities=()) -> dict:
    """POST /model/parse's JSON body for `text`."""
    ranking = [{"name": intent, "confidence": confidence}] if intent else []
    return {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": list(entities),
            "text_tokens": [[m.start(), m.end()] for m in re.finditer(r"\w+", text)], "intent_ranking": ranking}


def _span(text: str, body: str) -> dict:
    start = text.index(body)
    return {"start": start, "end": start + len(body), "text": body}


def duckling_value(text: str, body: str, iso: str, grain: str) -> dict:
    """A Duckling "value" time entity, as DucklingEntityExtractor passes it through."""
    info = {"values": [{"value": iso, "grain": grain, "type": "value"}], "value": iso, "grain": grain, "type": "value"}
    return {"entity": "time", **_span(text, body), "value": iso, "confidence": 1.0, "additional_info": info,
            "extractor": "DucklingEntityExtractor"}


def duckling_interval(text: str, body: str, start: str | None = None, end: str | None = None,
                      grain: str = "hour") -> dict:
    """A Duckling "interval" time entity; `end` is Duckling's own (exclusive) "to"."""
    bounds = {}
    if start:
        bounds["from"] = {"value": start, "grain": grain}
    if end:
        bounds["to"] = {"value": end, "grain": grain}
    info = {"values": [{**bounds, "type": "interval"}], **bounds, "type": "interval"}
    return {"entity": "time", **_span(text, body), "value": {"to": end, "from": start}, "confidence": 1.0,
            "additional_info": info, "extractor": "DucklingEntityExtractor"}


def diet(text: str, body: str, kind: str, value: str | None = None) -> dict:
    """A DIETClassifier entity; a different `value` is what EntitySynonymMapper makes of the words."""
    entity = {"entity": kind, **_span(text, body), "value": value or body, "confidence_entity": 0.99,
              "extractor": "DIETClassifier"}
    if value:
        entity["processors"] = ["EntitySynonymMapper"]
    return entity


def meaning(answer: dict, *, now: datetime = NOW, offered=(), **kw):
    return parse_from_rasa(answer, now=now, tz=ZONE, services=SERVICES, offered=offered, aliases=ALIASES, **kw)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def at(moment: datetime) -> TimeWindow:
    return TimeWindow(moment, moment)


# --- intents ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [i.value for i in Intent if i not in (Intent.UNKNOWN, Intent.WAITLIST)])
def test_our_intent_names_map_with_rasas_confidence(name):
    parse = meaning(rasa_answer("hmm well", name, 0.81))  # no carrier keyword, no pick: Rasa's word stands
    assert (parse.intent, parse.confidence) == (Intent(name), 0.81)


def test_rasas_waitlist_intent_is_an_availability_question_with_the_waitlist_flag():
    parse = meaning(rasa_answer("hmm well", "waitlist", 0.81))
    assert (parse.intent, parse.waitlist, parse.confidence) == (Intent.AVAILABILITY, True, 0.81)


@pytest.mark.parametrize("answer", [
    pytest.param(rasa_answer("blah", "nlu_fallback", 0.3), id="fallback-classifier"),
    pytest.param(rasa_answer("blah", "out_of_scope", 0.9), id="not-one-of-ours"),
    pytest.param(rasa_answer("blah", None, 0.0), id="no-intent-name"),
    pytest.param({"text": "blah", "entities": []}, id="no-intent-key"),
    pytest.param({"text": "blah", "intent": None, "entities": []}, id="intent-null"),
])
def test_anything_else_is_unknown(answer):
    parse = meaning(answer)
    assert (parse.intent, parse.confidence) == (Intent.UNKNOWN, 0.0)


@pytest.mark.parametrize("text, rasa_says, intent", [
    ("STOP", "deny", Intent.OPTOUT),
    ("cancel", "cancel", Intent.OPTOUT),      # carriers treat a bare CANCEL as opt-out
    ("unstop", "unknown", Intent.OPTIN),
    ("HELP", "human", Intent.HELP),
    ("cancel my appointment", "cancel", Intent.CANCEL),
    ("please stop texting me", "optout", Intent.OPTOUT),
])
def test_carrier_keywords_are_ours_whatever_rasa_says(text, rasa_says, intent):
    assert meaning(rasa_answer(text, rasa_says, 0.6)).intent is intent


# --- Duckling times -> business-local windows -----------------------------------------------------------

def _answer(text: str, *entities) -> dict:
    return rasa_answer(text, "book", 0.9, entities)


TIMES = [
    pytest.param(_answer("tomorrow afternoon", duckling_interval(
        "tomorrow afternoon", "tomorrow afternoon", "2026-03-11T12:00:00.000-05:00", "2026-03-11T19:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 11, 12), local(2026, 3, 11, 17)),), id="day-part-is-the-business-afternoon"),
    pytest.param(_answer("sat morning", duckling_interval(
        "sat morning", "sat morning", "2026-03-14T04:00:00.000-05:00", "2026-03-14T12:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 14, 8), local(2026, 3, 14, 12)),), id="morning"),
    pytest.param(_answer("tonight", duckling_interval(
        "tonight", "tonight", "2026-03-10T18:00:00.000-05:00", "2026-03-11T00:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 10, 17), local(2026, 3, 10, 21)),), id="tonight-is-the-evening"),
    pytest.param(_answer("fri at 3pm", duckling_value("fri at 3pm", "fri at 3pm", "2026-03-13T15:00:00.000-05:00",
                                                      "hour")),
        (at(local(2026, 3, 13, 15)),), id="hour-grain-is-precise"),
    pytest.param(_answer("thurs 2:30pm", duckling_value("thurs 2:30pm", "thurs 2:30pm", "2026-03-12T14:30:00.000-05:00",
                                                        "minute")),
        (at(local(2026, 3, 12, 14, 30)),), id="minute-grain-is-precise"),
    pytest.param(_answer("sat", duckling_value("sat", "sat", "2026-03-14T00:00:00.000-05:00", "day")),
        (TimeWindow(local(2026, 3, 14), local(2026, 3, 15)),), id="day-grain-is-the-whole-day"),
    pytest.param(_answer("thursday from 2 to 4pm", duckling_interval(
        "thursday from 2 to 4pm", "thursday from 2 to 4pm", "2026-03-12T14:00:00.000-05:00",
        "2026-03-12T17:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 12, 14), local(2026, 3, 12, 16)),), id="exclusive-hour-end-stepped-back"),
    pytest.param(_answer("thu 2:30 to 4:30pm", duckling_interval(
        "thu 2:30 to 4:30pm", "thu 2:30 to 4:30pm", "2026-03-12T14:30:00.000-05:00",
        "2026-03-12T16:31:00.000-05:00", grain="minute")),
        (TimeWindow(local(2026, 3, 12, 14, 30), local(2026, 3, 12, 16, 30)),), id="exclusive-minute-end-stepped-back"),
    pytest.param(_answer("any time after 5 on thurs", duckling_interval(
        "any time after 5 on thurs", "after 5 on thurs", start="2026-03-12T17:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 12, 17), local(2026, 3, 13)),), id="only-from-runs-to-end-of-day"),
    pytest.param(_answer("friday before noon", duckling_interval(
        "friday before noon", "friday before noon", end="2026-03-13T12:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 13, 8), local(2026, 3, 13, 12)),), id="only-to-from-8am"),
    pytest.param(_answer("friday before 7am", duckling_interval(
        "friday before 7am", "friday before 7am", end="2026-03-13T07:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 13), local(2026, 3, 13, 7)),), id="only-to-early-from-midnight"),
    pytest.param(_answer("mon to wed next week", duckling_interval(
        "mon to wed next week", "mon to wed next week", "2026-03-16T00:00:00.000-05:00",
        "2026-03-19T00:00:00.000-05:00", grain="day")),
        (TimeWindow(local(2026, 3, 16), local(2026, 3, 19)),), id="day-interval-end-stays-exclusive"),
    pytest.param(_answer("next week", duckling_value("next week", "next week", "2026-03-16T00:00:00.000-05:00",
                                                     "week")),
        (TimeWindow(local(2026, 3, 16), local(2026, 3, 23)),), id="week-grain"),
    pytest.param(_answer("in april", duckling_value("in april", "in april", "2026-04-01T00:00:00.000-05:00", "month")),
        (TimeWindow(local(2026, 4, 1), local(2026, 5, 1)),), id="month-grain"),
    pytest.param(_answer("this year", duckling_value("this year", "this year", "2026-01-01T00:00:00.000-06:00",
                                                     "year")),
        (), id="year-grain-gives-nothing"),
    pytest.param(_answer("fri or sat morning",
                         duckling_value("fri or sat morning", "fri", "2026-03-13T00:00:00.000-05:00", "day"),
                         duckling_interval("fri or sat morning", "sat morning", "2026-03-14T04:00:00.000-05:00",
                                           "2026-03-14T12:00:00.000-05:00")),
        (TimeWindow(local(2026, 3, 13), local(2026, 3, 14)), TimeWindow(local(2026, 3, 14, 8), local(2026, 3, 14, 12))),
        id="one-window-per-entity-in-order"),
    pytest.param(_answer("3pm tomorrow", duckling_value("3pm tomorrow", "3pm tomorrow", "2026-03-11T15:00:00.000+00:00",
                                                        "hour")),
        (at(local(2026, 3, 11, 15)),), id="duckling-in-utc-still-means-3pm-here"),
]


@pytest.mark.parametrize("answer, windows", TIMES)
def test_duckling_times_become_business_local_windows(answer, windows):
    parse = meaning(answer)
    assert parse.windows == windows and not parse.past


def test_the_business_own_day_parts_win():
    answer = TIMES[0].values[0]
    parts = {"morning": (time(7), time(11)), "afternoon": (time(13), time(18)), "evening": (time(18), time(22))}
    assert meaning(answer, day_parts=parts).windows == (TimeWindow(local(2026, 3, 11, 13), local(2026, 3, 11, 18)),)


def test_spring_forward_day_in_chicago():
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=CHICAGO)  # CST; clocks go 02:00 -> 03:00 on Sunday 8 March
    whole = meaning(_answer("sunday", duckling_value("sunday", "sunday", "2026-03-08T00:00:00.000-06:00", "day")),
                    now=friday).windows[0]
    assert (whole.start.astimezone(UTC), whole.end.astimezone(UTC)) == (
        datetime(2026, 3, 8, 6, tzinfo=UTC), datetime(2026, 3, 9, 5, tzinfo=UTC))  # a 23-hour day
    three = meaning(_answer("sunday 3pm", duckling_value("sunday 3pm", "sunday 3pm", "2026-03-08T15:00:00.000-05:00",
                                                         "hour")), now=friday).windows[0]
    assert three.start.astimezone(UTC) == datetime(2026, 3, 8, 20, tzinfo=UTC)  # 15:00 CDT
    afternoon = meaning(_answer("sunday afternoon", duckling_interval(
        "sunday afternoon", "sunday afternoon", "2026-03-08T12:00:00.000-05:00", "2026-03-08T19:00:00.000-05:00")),
        now=friday).windows[0]
    assert (afternoon.start.astimezone(UTC), afternoon.end.astimezone(UTC)) == (
        datetime(2026, 3, 8, 17, tzinfo=UTC), datetime(2026, 3, 8, 22, tzinfo=UTC))


def test_fall_back_day_in_chicago_is_25_hours():
    now = datetime(2026, 10, 30, 9, 0, tzinfo=CHICAGO)
    day = meaning(_answer("sunday", duckling_value("sunday", "sunday", "2026-11-01T00:00:00.000-05:00", "day")),
                  now=now).windows[0]
    assert day.end.astimezone(UTC) - day.start.astimezone(UTC) == timedelta(hours=25)


@pytest.mark.parametrize("answer", [
    _answer("yesterday", duckling_value("yesterday", "yesterday", "2026-03-09T00:00:00.000-05:00", "day")),
    _answer("today at 8am", duckling_value("today at 8am", "today at 8am", "2026-03-10T08:00:00.000-05:00", "hour")),
])
def test_times_already_gone_are_past(answer):
    parse = meaning(answer)
    assert (parse.windows, parse.past) == ((), True)


@pytest.mark.parametrize("text, windows, asap", [
    ("sat morning", (TimeWindow(local(2026, 3, 14, 8), local(2026, 3, 14, 12)),), False),
    ("asap please", (TimeWindow(NOW, NOW + timedelta(days=60)),), True),
])
def test_without_a_duckling_time_our_grammar_answers(text, windows, asap):
    parse = meaning(rasa_answer(text, "book", 0.7))
    assert (parse.windows, parse.asap) == (windows, asap)


def test_a_diet_time_span_is_left_to_our_grammar():
    text = "tmrw aft, full detail"
    span = diet(text, "tmrw aft", "time")  # DIET trained on [tmrw aft](time): a text value, no Duckling info
    assert meaning(_answer(text, span)).windows == (TimeWindow(local(2026, 3, 11, 12), local(2026, 3, 11, 17)),)


def test_an_unusable_duckling_value_is_skipped():
    broken = duckling_value("sat", "sat", "not a date", "day")
    assert meaning(_answer("sat", broken)).windows == (TimeWindow(local(2026, 3, 14), local(2026, 3, 15)),)


# --- services, picks, people ---------------------------------------------------------------------------

@pytest.mark.parametrize("answer, service", [
    pytest.param(_answer("full detial pls", diet("full detial pls", "full detial", "service")), "Full Detail",
                 id="typo-in-entity"),
    pytest.param(_answer("the works pls", diet("the works pls", "the works", "service", "full detail")),
                 "Full Detail", id="synonym-mapped-value"),
    pytest.param(_answer("quick wash", diet("quick wash", "quick wash", "service")), "Express Wash", id="alias"),
    pytest.param(_answer("pressure washing", diet("pressure washing", "pressure washing", "service")), None,
                 id="not-a-service-of-this-business"),
    pytest.param(_answer("inside only tmrw"), "Interior Detail", id="no-entity-our-matcher-on-the-text"),
])
def test_service_entity_becomes_the_canonical_service(answer, service):
    assert meaning(answer).service == service


@pytest.mark.parametrize("answer, intent, choice", [
    pytest.param(rasa_answer("2", "affirm", 0.5), Intent.CHOOSE, 2, id="bare-number"),
    pytest.param(rasa_answer("second one", "choose", 0.88), Intent.CHOOSE, 2, id="ordinal"),
    pytest.param(_answer("the 2:30 one", duckling_value("the 2:30 one", "2:30", "2026-03-10T14:30:00.000-05:00",
                                                        "minute")),
                 Intent.CHOOSE, 2, id="time-of-an-offer"),
    pytest.param(_answer("friday at 3", duckling_value("friday at 3", "friday at 3", "2026-03-13T15:00:00.000-05:00",
                                                       "hour")),
                 Intent.BOOK, None, id="another-day-is-not-a-pick"),
    pytest.param(rasa_answer("cancel 2", "cancel", 0.9), Intent.CANCEL, 2, id="cancel-outranks-a-pick"),
    pytest.param(rasa_answer("no", "deny", 0.97), Intent.DENY, None, id="no-pick"),
])
def test_picks_against_the_offered_times(answer, intent, choice):
    parse = meaning(answer, offered=OFFERED)
    assert (parse.intent, parse.choice) == (intent, choice)


def test_entities_for_people():
    text = "dana k, dana@example.com, 12 Oak St"
    parse = meaning(rasa_answer(text, "unknown", 0.4, [diet(text, "dana k", "name"),
                                                       diet(text, "dana@example.com", "email"),
                                                       diet(text, "12 Oak St", "address")]))
    assert (parse.name, parse.email, parse.address) == ("Dana K", "dana@example.com", "12 Oak St")


def test_people_found_in_the_text_without_entities():
    assert meaning(rasa_answer("my name is lee", "unknown", 0.2)).name == "Lee"
    assert meaning(rasa_answer("it's lee@example.com", "unknown", 0.2)).email == "lee@example.com"


# --- not Rasa's shape ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    pytest.param([], id="a-list"),
    pytest.param("ok", id="a-string"),
    pytest.param({"text": "hi", "intent": "greet", "entities": []}, id="intent-not-an-object"),
    pytest.param({"text": "hi", "intent": {"name": "greet"}, "entities": {"time": "x"}}, id="entities-not-a-list"),
])
def test_not_rasas_shape_raises_malformed(body):
    with pytest.raises(MalformedResponse):
        meaning(body)
