"""Training examples from Rasa 3.x NLU YAML: intents, their example texts and the entities marked in them.

The subset read is the one nlu/data/nlu.yml uses, and it is read strictly, because a typo in training
data would otherwise train a quietly worse classifier:

    version: "3.1"
    nlu:
    - intent: book
      examples: |
        - [tmrw aft](time), [full detail](service)
        - [ful detial]{"entity": "service", "value": "Full Detail"} on sat
    - synonym: Full Detail           # value -> the texts that mean it
      examples: |
        - full
    - lookup: service                # a named word list
      examples: |
        - express wash
    - regex: zip                     # accepted and kept as text; nothing here compiles it
      examples: |
        - \\d{5}

An entity is `[text](entity)` or `[text]{"entity": ..., "value": ...}` (Rasa's JSON form, which may also
carry "role" and "group"; those are ignored). The annotation is stripped from the example's text and
kept as a span over the plain text. An item's "metadata" is accepted and ignored; examples written as a
list of {text: ...} mappings (which Rasa also allows) are not read. A malformed file (a missing key, an
unbalanced bracket, an unknown section, a duplicate example) raises `TrainingDataError` naming the line
and the intent.
"""

import json
import re
from dataclasses import dataclass
from importlib import resources

import yaml

SUPPORTED_VERSION = re.compile(r"^3\.\d+$")
SECTIONS = ("intent", "synonym", "lookup", "regex")
_ANNOTATION = re.compile(r"\[(?P<text>[^\[\]]+)\](?:\((?P<name>[^()]+)\)|(?P<json>\{[^{}]*\}))")
_ENTITY_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes and marks, 5x faster


class TrainingDataError(ValueError):
    """The training file does not follow the Rasa NLU YAML subset we read."""


@dataclass(frozen=True)
class EntitySpan:
    """Characters [start, end) of an example's plain text name `entity`; `value` is what they mean."""

    start: int
    end: int
    entity: str
    value: str


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass(frozen=True)
class TrainingData:
    examples: tuple[Example, ...]
    synonyms: dict[str, tuple[str, ...]]   # "Full Detail" -> ("full", "detallado completo", ...)
    lookups: dict[str, tuple[str, ...]]    # "service" -> ("full detail", ...)
    regexes: dict[str, tuple[str, ...]]

    def intents(self) -> tuple[str, ...]:
        """The intent names in the order the file first gives them."""
        return tuple(dict.fromkeys(e.intent for e in self.examples))


def bundled_training_data() -> TrainingData:
    """The examples shipped in nlu/data/nlu.yml (package data, so it works from an installed wheel too)."""
    path = resources.files("nlu") / "data" / "nlu.yml"
    return training_data(path.read_text(encoding="utf-8"), source="nlu/data/nlu.yml")


def training_data(yaml_text: str, *, source: str = "<nlu yaml>") -> TrainingData:
    """The examples, synonyms, lookups and regexes in one Rasa NLU YAML document."""
    try:
        root = yaml.compose(yaml_text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise TrainingDataError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise TrainingDataError(f"{source}: expected a mapping with 'version' and 'nlu' at the top")
    top = _mapping(root, source, "the top level")
    unknown = set(top) - {"version", "nlu"}
    if unknown:
        key = sorted(unknown)[0]
        raise TrainingDataError(f"{_where(source, top[key][0])}: unsupported top-level key {key!r}")
    if "version" in top:
        version = _scalar(top["version"][1], source, "version")
        if not SUPPORTED_VERSION.match(version):
            raise TrainingDataError(f"{_where(source, top['version'][1])}: version {version!r}, expected \"3.x\"")
    if "nlu" not in top:
        raise TrainingDataError(f"{source}: no 'nlu' section")
    items = top["nlu"][1]
    if not isinstance(items, yaml.SequenceNode):
        raise TrainingDataError(f"{_where(source, items)}: 'nlu' must be a list of '- intent: ...' items")

    examples: list[Example] = []
    seen: dict[str, str] = {}
    tables: dict[str, dict[str, tuple[str, ...]]] = {"synonym": {}, "lookup": {}, "regex": {}}
    for item in items.value:
        kind, name, lines = _section(item, source)
        if kind == "intent":
            for line_no, line in lines:
                example = _example(line, name, f"{source}:{line_no} (intent {name!r})")
                key = example.text.casefold()
                if key in seen:
                    raise TrainingDataError(f"{source}:{line_no} (intent {name!r}): duplicate example "
                                            f"{example.text!r}, already under {seen[key]!r}")
                seen[key] = name
                examples.append(example)
        else:
            if name in tables[kind]:
                raise TrainingDataError(f"{_where(source, item)}: second {kind} section {name!r}")
            tables[kind][name] = tuple(text for _, text in lines)
    if not examples:
        raise TrainingDataError(f"{source}: no intent examples")
    return TrainingData(tuple(examples), tables["synonym"], tables["lookup"], tables["regex"])


def _section(item: yaml.Node, source: str) -> tuple[str, str, list[tuple[int, str]]]:
    """(kind, name, numbered example lines) of one '- intent: x / examples: |' item."""
    if not isinstance(item, yaml.MappingNode):
        raise TrainingDataError(f"{_where(source, item)}: each 'nlu' item must be a mapping like 'intent: book'")
    fields = _mapping(item, source, "an nlu item")
    kinds = [k for k in SECTIONS if k in fields]
    if len(kinds) != 1:
        raise TrainingDataError(f"{_where(source, item)}: an nlu item needs exactly one of {', '.join(SECTIONS)}")
    kind = kinds[0]
    name = _scalar(fields[kind][1], source, kind)
    label = f"{_where(source, item)} ({kind} {name!r})"
    extra = set(fields) - {kind, "examples", "metadata"}
    if extra:
        raise TrainingDataError(f"{label}: unsupported key {sorted(extra)[0]!r}")
    if not name:
        raise TrainingDataError(f"{label}: empty {kind} name")
    if "examples" not in fields:
        raise TrainingDataError(f"{label}: no 'examples'")
    block = fields["examples"][1]
    if not isinstance(block, yaml.ScalarNode) or block.tag != "tag:yaml.org,2002:str":
        raise TrainingDataError(f"{label}: 'examples' must be a '|' block of '- ' lines")
    lines = _example_lines(block, f"({kind} {name!r})", source)
    if not lines:
        raise TrainingDataError(f"{label}: no examples")
    return kind, name, lines


def _example_lines(block: yaml.ScalarNode, section: str, source: str) -> list[tuple[int, str]]:
    """The '- text' lines of an examples block, each with its 1-based line in the file."""
    # A literal block's content starts on the line after its '|' indicator; a plain or quoted
    # scalar folds lines, so its line numbers are only approximate (it is rare in Rasa files).
    first = block.start_mark.line + (2 if block.style == "|" else 1)
    out = []
    for offset, raw in enumerate(block.value.splitlines()):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("- ") or not line[2:].strip():
            raise TrainingDataError(f"{source}:{first + offset} {section}: expected '- <example>', got {line!r}")
        out.append((first + offset, line[2:].strip()))
    return out


def _example(line: str, intent: str, where: str) -> Example:
    """The plain text of one annotated example and its entity spans."""
    text, spans, last = [], [], 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[last:match.start()]
        _check_no_stray_brackets(before, line, where)
        text.append(before)
        length += len(before)
        surface = match.group("text")
        entity, value = _entity(match, where)
        spans.append(EntitySpan(length, length + len(surface), entity, value if value is not None else surface))
        text.append(surface)
        length += len(surface)
        last = match.end()
    _check_no_stray_brackets(line[last:], line, where)
    text.append(line[last:])
    plain = "".join(text)
    if not plain.strip():
        raise TrainingDataError(f"{where}: empty example")
    return Example(plain, intent, tuple(spans))


def _entity(match: re.Match[str], where: str) -> tuple[str, str | None]:
    if match.group("name") is not None:
        entity, value = match.group("name").strip(), None
    else:
        try:
            spec = json.loads(match.group("json"))
        except json.JSONDecodeError as exc:
            raise TrainingDataError(f"{where}: bad entity JSON {match.group('json')!r}: {exc.msg}") from exc
        if not isinstance(spec, dict) or not isinstance(spec.get("entity"), str):
            raise TrainingDataError(f"{where}: entity JSON needs an \"entity\" string: {match.group('json')!r}")
        entity, value = spec["entity"], spec.get("value")
        if value is not None and not isinstance(value, str):
            raise TrainingDataError(f"{where}: entity \"value\" must be a string: {match.group('json')!r}")
    if not _ENTITY_NAME.match(entity):
        raise TrainingDataError(f"{where}: bad entity name {entity!r}")
    return entity, value


def _check_no_stray_brackets(fragment: str, line: str, where: str) -> None:
    # An unmatched '[' or ']' is nearly always a broken annotation ("[full detail(service)"), and
    # left in it would teach the classifier a bracket; SMS text itself has no use for them.
    if "[" in fragment or "]" in fragment:
        raise TrainingDataError(f"{where}: unbalanced or malformed entity annotation in {line!r}")


def _mapping(node: yaml.MappingNode, source: str, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        name = _scalar(key, source, what)
        if name in out:
            raise TrainingDataError(f"{_where(source, key)}: duplicate key {name!r} in {what}")
        out[name] = (key, value)
    return out


def _scalar(node: yaml.Node, source: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise TrainingDataError(f"{_where(source, node)}: {what} must be a plain value")
    return node.value.strip()


def _where(source: str, node: yaml.Node) -> str:
    return f"{source}:{node.start_mark.line + 1}"
