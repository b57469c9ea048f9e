"""Conversation stories: whole SMS threads written down in YAML, run against a fresh seeded database.

The format is documented in docs/stories.md and is stable: stories written for it keep working. A story
runs through the same engine as the webhook (`bot.engine.receive_text`), with the local payment page's
code path for `pay: deposit` and the embedded default's dispatcher for `advance`, on a frozen clock.
"""

import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlmodel import select

from bot.adapters.messaging import LocalMessages
from bot.adapters.payment import LocalPayments
from bot.db.seed import SEEDS, prepare
from bot.db.session import engine_for, transaction
from bot.db.tables import Booking, Business, Conversation, Customer, Payment, Service, Staff
from bot.domain.phone import Channel, address_of, split_address
from bot.domain.travel import Place, place_at
from bot.wiring import Adapters

PUBLIC_BASE_URL = "http://127.0.0.1:8000"
FILE_KEYS = {"business", "settings", "now", "stories"}
STORY_KEYS = {"name", "from", "steps", "now", "settings"}
ACTIONS = {"user", "owner", "pay", "advance"}
CHECKS = {"booking", "owner_receives"}
STEP_KEYS = ACTIONS | CHECKS | {"bot", "from", "location", "media"}
TEXT_KEYS = {"contains", "contains_any", "not_contains", "regex", "has_link", "no_reply"}
BOT_KEYS = TEXT_KEYS | {"offers"}
OFFER_KEYS = {"at_least", "at_most", "within", "technician"}
BOOKING_KEYS = {"status", "service", "local_start", "from", "none"}
LOCATION_KEYS = {"lat", "lng", "address"}
DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?$")
LIVE = ("held", "awaiting_payment", "pending_approval", "confirmed")
LINK = re.compile(r"https?://\S+")


class StoryError(ValueError):
    """A story file that does not follow the format (docs/stories.md); the message says where and why."""


@dataclass
class Story:
    name: str
    phone_address: str
    steps: list[dict[str, Any]]
    now: datetime
    settings: dict[str, Any]


@dataclass
class StoryFile:
    path: Path
    business: str
    settings: dict[str, Any]
    now: datetime
    stories: list[Story]


@dataclass
class Outcome:
    path: Path
    name: str
    passed: bool
    step: int | None = None          # 1-based, the failing step
    expected: str = ""
    actual: str = ""

    def line(self) -> str:
        head = f"{'pass' if self.passed else 'FAIL'}  {self.path} :: {self.name}"
        if self.passed:
            return head
        return f"{head}\n      step {self.step}: expected {self.expected}\n      bot said: {self.actual!r}"


class Mismatch(Exception):
    def __init__(self, expected: str, actual: str):
        super().__init__(expected)
        self.expected, self.actual = expected, actual


# --- reading and validating -------------------------------------------------------------------------------

def story_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The story files named, folders searched for *.yml / *.yaml, in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())
        elif path.is_file():
            found.append(path)
        else:
            raise StoryError(f"{path}: no such file or folder")
    return found


def load(path: Path) -> StoryFile:
    """Read and validate one story file; raises StoryError naming the place and the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise StoryError(f"{path}: not valid YAML: {error}") from None
    where = str(path)
    _mapping(raw, where, FILE_KEYS, required={"business", "now", "stories"})
    if raw["business"] not in SEEDS:
        raise StoryError(f"{where}: business {raw['business']!r} is not a seed (known: {', '.join(SEEDS)})")
    settings = _settings(raw.get("settings") or {}, f"{where}: settings")
    now = _instant(raw["now"], f"{where}: now")
    if not isinstance(raw["stories"], list) or not raw["stories"]:
        raise StoryError(f"{where}: stories must be a non-empty list")
    stories = []
    for number, item in enumerate(raw["stories"], 1):
        at = f"{where}: story {number}"
        _mapping(item, at, STORY_KEYS, required={"name", "from", "steps"})
        at = f"{where}: story {item['name']!r}"
        phone_address = _address(item["from"], f"{at}: from")
        if not isinstance(item["steps"], list) or not item["steps"]:
            raise StoryError(f"{at}: steps must be a non-empty list")
        for index, step in enumerate(item["steps"], 1):
            _check_step(step, f"{at}: step {index}")
        stories.append(Story(str(item["name"]), phone_address, item["steps"],
                             _instant(item["now"], f"{at}: now") if "now" in item else now,
                             {**settings, **_settings(item.get("settings") or {}, f"{at}: settings")}))
    return StoryFile(path, raw["business"], settings, now, stories)


def duration(text: str) -> timedelta:
    """"23h", "30m", "2d", "1h30m" -> a timedelta; raises StoryError for anything else."""
    match = DURATION.match(str(text).strip()) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise StoryError(f"bad duration {text!r}: use whole days, hours and minutes like '2d', '23h', '1h30m'")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


def _mapping(value: Any, where: str, allowed: set[str], *, required: set[str] = frozenset()) -> None:
    if not isinstance(value, dict):
        raise StoryError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise StoryError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})")
    missing = sorted(required - set(value))
    if missing:
        raise StoryError(f"{where}: missing key(s) {', '.join(missing)}")


def _instant(value: Any, where: str) -> datetime:
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise StoryError(f"{where}: {value!r} is not an ISO date-time") from None
    if parsed.tzinfo is None:
        raise StoryError(f"{where}: {value!r} needs a UTC offset, e.g. 2026-03-10T09:15:00-05:00")
    return parsed


def _local(value: Any, where: str) -> datetime:
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise StoryError(f"{where}: {value!r} is not a local date-time like 2026-03-11T14:00") from None
    if parsed.tzinfo is not None:
        raise StoryError(f"{where}: {value!r} is local wall-clock time in the business's zone: no offset")
    return parsed


def _address(value: Any, where: str) -> str:
    channel, phone = split_address(str(value))
    if phone is None:
        raise StoryError(f"{where}: {value!r} is not a phone number like +15550100001 or whatsapp:+15550100001")
    return address_of(channel, phone)


def _settings(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StoryError(f"{where}: expected a mapping")
    columns = set(Business.model_fields) - {"id", "slug"}
    unknown = sorted(set(value) - columns)
    if unknown:
        raise StoryError(f"{where}: unknown business setting(s) {', '.join(unknown)}")
    out = {}
    for key, setting in value.items():
        if key in ("quiet_start", "quiet_end") and isinstance(setting, str):
            try:
                setting = time.fromisoformat(setting)
            except ValueError:
                raise StoryError(f"{where}: {key} {setting!r} is not a time like 21:00") from None
        out[key] = setting
    return out


def _check_step(step: Any, where: str) -> None:
    _mapping(step, where, STEP_KEYS)
    kinds = [k for k in step if k in ACTIONS | CHECKS]
    if len(kinds) != 1:
        raise StoryError(f"{where}: a step is exactly one of {', '.join(sorted(ACTIONS | CHECKS))} "
                         f"(found {', '.join(kinds) or 'none'})")
    kind = kinds[0]
    if "bot" in step and kind not in ACTIONS:
        raise StoryError(f"{where}: 'bot' expectations go on a user, owner, pay or advance step")
    if ("location" in step or "media" in step) and kind != "user":
        raise StoryError(f"{where}: 'location' and 'media' go on a user step")
    if "from" in step and kind not in ("user", "pay", "booking"):
        raise StoryError(f"{where}: 'from' goes on a user, pay or booking step")
    if "from" in step:
        _address(step["from"], f"{where}: from")
    if kind in ("user", "owner") and not isinstance(step[kind], str):
        raise StoryError(f"{where}: {kind} takes the text, as a string")
    if kind == "pay" and step["pay"] != "deposit":
        raise StoryError(f"{where}: pay takes 'deposit'")
    if kind == "advance":
        try:
            duration(step["advance"])
        except StoryError as error:
            raise StoryError(f"{where}: {error}") from None
    if "location" in step:
        _mapping(step["location"], f"{where}: location", LOCATION_KEYS, required={"lat", "lng"})
    if "media" in step and (not isinstance(step["media"], int) or step["media"] < 0):
        raise StoryError(f"{where}: media is a count of attached pictures")
    if "bot" in step:
        _check_bot(step["bot"], f"{where}: bot")
    if kind == "owner_receives":
        _check_text(step["owner_receives"], f"{where}: owner_receives", TEXT_KEYS - {"no_reply"})
    if kind == "booking":
        expected = step["booking"]
        _mapping(expected, f"{where}: booking", BOOKING_KEYS)
        if "local_start" in expected:
            _local(expected["local_start"], f"{where}: booking: local_start")
        if "from" in expected:
            _address(expected["from"], f"{where}: booking: from")


def _check_bot(value: Any, where: str) -> None:
    _check_text(value, where, BOT_KEYS)
    if "offers" in value:
        offers = value["offers"]
        _mapping(offers, f"{where}: offers", OFFER_KEYS)
        for key in ("at_least", "at_most"):
            if key in offers and (not isinstance(offers[key], int) or offers[key] < 0):
                raise StoryError(f"{where}: offers: {key} must be a whole number")
        if "within" in offers:
            window = offers["within"]
            if not isinstance(window, list) or len(window) != 2:
                raise StoryError(f"{where}: offers: within is [local start, local end]")
            for bound in window:
                _local(bound, f"{where}: offers: within")


def _check_text(value: Any, where: str, allowed: set[str]) -> None:
    _mapping(value, where, allowed)
    for key in ("contains", "contains_any", "not_contains"):
        if key in value and not (isinstance(value[key], list) and all(isinstance(s, str) for s in value[key])):
            raise StoryError(f"{where}: {key} takes a list of strings")
    if "regex" in value:
        try:
            re.compile(value["regex"])
        except (re.error, TypeError) as error:
            raise StoryError(f"{where}: regex {value['regex']!r} does not compile: {error}") from None
    for key in ("has_link", "no_reply"):
        if key in value and not isinstance(value[key], bool):
            raise StoryError(f"{where}: {key} is true or false")


# --- running -----------------------------------------------------------------------------------------------

@dataclass
class _Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class _Run:
    """One story's world: its database, clock, adapters and what it has seen so far."""

    url: str
    business_id: int
    clock: _Clock
    adapters: Adapters
    owner_seen: int = 0                       # texts to the owner already read by owner_receives
    seen: dict[str, int] = field(default_factory=dict)   # phone -> texts sent already read by its steps
    turns: int = 0
    sms_address: str = ""
    whatsapp_address: str = ""
    owner_phone: str = ""
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))



def run_file(story_file: StoryFile, workdir: Path) -> Iterator[Outcome]:
    """Run each story of a file on its own copy of a database migrated and seeded once for the file."""
    template = workdir / "template.db"
    prepare(f"sqlite:///{template}", story_file.business)
    engine_for(f"sqlite:///{template}").dispose()  # closing it checkpoints the WAL into the file
    for number, story in enumerate(story_file.stories, 1):
        path = workdir / f"story-{number}.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        try:
            yield run_story(story, url, story_file.path)
        finally:
            engine_for(url).dispose()


def run_paths(paths: Iterable[str | Path]) -> Iterator[Outcome]:
    """Every story in the files and folders named; StoryError before anything runs if one is malformed."""
    files = [load(p) for p in story_paths(paths)]
    for story_file in files:
        with tempfile.TemporaryDirectory(prefix="stories-") as workdir:
            yield from run_file(story_file, Path(workdir))


def run_story(story: Story, url: str, path: Path) -> Outcome:
    """One story on a database at `url` that is migrated and seeded, nothing else."""
    from tasks.local_loop import LocalDispatcher

    clock = _Clock(story.now)
    adapters = Adapters(payments=LocalPayments(PUBLIC_BASE_URL), messages=LocalMessages())
    with transaction(url) as session:
        business = session.exec(select(Business)).first()
        for key, value in story.settings.items():
            setattr(business, key, value)
        run = _Run(url, business.id, clock, adapters, sms_address=address_of(Channel.SMS, business.sms_phone or ""),
                   whatsapp_address=address_of(Channel.WHATSAPP, business.whatsapp_phone or ""),
                   owner_phone=business.owner_phones[0] if business.owner_phones else "",
                   zone=ZoneInfo(business.time_zone))
    dispatcher = LocalDispatcher(url, adapters, clock, interval=3600)
    for index, step in enumerate(story.steps, 1):
        try:
            _step(run, dispatcher, story, step)
        except Mismatch as mismatch:
            return Outcome(path, story.name, False, index, mismatch.expected, mismatch.actual)
    return Outcome(path, story.name, True)


def _step(run: _Run, dispatcher: Any, story: Story, step: dict[str, Any]) -> None:
    from bot.deposit import record_payment
    from bot.engine import Inbound, receive_text

    customer = _address(step["from"], "from") if "from" in step else story.phone_address
    if "booking" in step:
        return _expect_booking(run, step["booking"], _address(step["booking"]["from"], "from")
                               if "from" in step["booking"] else customer)
    if "owner_receives" in step:
        texts = [m["body"] for m in _owner_texts(run)[run.owner_seen:]]
        run.owner_seen += len(texts)
        return _expect_text(step["owner_receives"], texts, what="the owner received")
    replies: list[str] = []
    offers: list[datetime] = []
    watched = customer
    if "user" in step or "owner" in step:
        if "owner" in step:
            watched = run.owner_phone
            sender, body = run.owner_phone, _fill(run, step["owner"], story.phone_address)
        else:
            sender, body = customer, step["user"]
        channel, _ = split_address(sender)
        location = step.get("location")
        run.turns += 1
        inbound = Inbound(run.whatsapp_address if channel is Channel.WHATSAPP else run.sms_address, sender, body,
                          f"STORY{run.turns:06d}", media_count=step.get("media", 0),
                          location=Place(location.get("address", ""), float(location["lat"]), float(location["lng"]))
                          if location else None)
        result = receive_text(run.url, inbound, now=run.clock(), payments=run.adapters.payments,
                              understand=run.adapters.understand, public_base_url=PUBLIC_BASE_URL)
        replies, offers = list(result.replies), list(result.offers)
    elif "pay" in step:
        with transaction(run.url) as session:
            payment = _open_payment(session, run, customer)
            if payment is None:
                raise Mismatch("a deposit link to pay", "(no pending deposit for this customer)")
            record_payment(session, payment, now=run.clock(), payments=run.adapters.payments,
                           public_base_url=PUBLIC_BASE_URL)
    else:
        run.clock.now += duration(step["advance"])
    dispatcher.tick()  # what the embedded default's loop does next: due work, then the outbox
    # Texts the bot started to this phone (outbox) since this phone's previous step: a decline the owner
    # sent is read on the customer's next step, as it would be in their thread.
    _, watched_phone = split_address(watched)
    sent = run.adapters.messages.sent
    pushed = [m["body"] for m in sent[run.seen.get(watched_phone, 0):] if split_address(m["to"])[1] == watched_phone]
    run.seen[watched_phone] = len(sent)
    if "bot" in step:
        expected = step["bot"]
        _expect_text(expected, replies + pushed, what="the bot said")
        if "offers" in expected:
            _expect_offers(run, expected["offers"], offers, customer, replies)


def _fill(run: _Run, text: str, customer_address: str) -> str:
    """`{booking}` in an owner's text: the id of the story customer's latest booking."""
    if "{booking}" not in text:
        return text
    with transaction(run.url) as session:
        booking = _latest_booking(session, run, customer_address)
    return text.replace("{booking}", str(booking.id) if booking else "0")


def _latest_booking(session: Any, run: _Run, customer_address: str) -> Booking | None:
    _, phone = split_address(customer_address)
    customer = session.exec(select(Customer).where(Customer.business_id == run.business_id,
                                                   Customer.phone == phone)).first()
    if customer is None:
        return None
    bookings = session.exec(select(Booking).where(Booking.customer_id == customer.id)
                            .order_by(Booking.id.desc())).all()
    # The newest live booking, else the newest: a waitlist slot is held as a booking of its own that is
    # cancelled when the customer's real booking moves into it, and that row is not "their booking".
    return next((b for b in bookings if b.status in LIVE), bookings[0] if bookings else None)


def _open_payment(session: Any, run: _Run, customer_address: str) -> Payment | None:
    booking = _latest_booking(session, run, customer_address)
    if booking is None:
        return None
    return session.exec(select(Payment).where(Payment.booking_id == booking.id,
                                              Payment.status.in_(("pending", "expired")))
                        .order_by(Payment.id.desc())).first()


def _owner_texts(run: _Run) -> list[dict[str, str]]:
    return [m for m in run.adapters.messages.sent if split_address(m["to"])[1] == run.owner_phone]


def _shown(texts: list[str]) -> str:
    return " | ".join(texts) if texts else "(nothing)"


def _expect_text(expected: dict[str, Any], texts: list[str], *, what: str) -> None:
    said = "\n".join(texts)
    low = said.lower()
    if "no_reply" in expected:
        if expected["no_reply"] and texts:
            raise Mismatch("no reply", _shown(texts))
        if not expected["no_reply"] and not texts:
            raise Mismatch("a reply", _shown(texts))
    for needle in expected.get("contains", []):
        if needle.lower() not in low:
            raise Mismatch(f"{what} to contain {needle!r}", _shown(texts))
    if "contains_any" in expected and not any(n.lower() in low for n in expected["contains_any"]):
        raise Mismatch(f"{what} to contain one of {expected['contains_any']!r}", _shown(texts))
    for needle in expected.get("not_contains", []):
        if needle.lower() in low:
            raise Mismatch(f"{what} not to contain {needle!r}", _shown(texts))
    if "regex" in expected and not re.search(expected["regex"], said, re.IGNORECASE):
        raise Mismatch(f"{what} to match /{expected['regex']}/", _shown(texts))
    if "has_link" in expected and bool(LINK.search(said)) != expected["has_link"]:
        raise Mismatch("a link" if expected["has_link"] else "no link", _shown(texts))


def _expect_offers(run: _Run, expected: dict[str, Any], offers: list[datetime], customer_address: str,
                   replies: list[str]) -> None:
    local = [o.astimezone(run.zone).replace(tzinfo=None) for o in offers]
    shown = f"offers {[o.isoformat(timespec='minutes') for o in local]}: {_shown(replies)}"
    if "at_least" in expected and len(offers) < expected["at_least"]:
        raise Mismatch(f"at least {expected['at_least']} offer(s)", shown)
    if "at_most" in expected and len(offers) > expected["at_most"]:
        raise Mismatch(f"at most {expected['at_most']} offer(s)", shown)
    if "within" in expected:
        start, end = (_local(b, "within") for b in expected["within"])
        outside = [o for o in local if not start <= o <= end]
        if outside:
            raise Mismatch(f"every offer within {start:%Y-%m-%d %H:%M}..{end:%Y-%m-%d %H:%M}", shown)
    if "technician" in expected:
        names = _technicians(run, offers, customer_address)
        if not offers or any(n != expected["technician"] for n in names):
            raise Mismatch(f"every offer with {expected['technician']}", f"{shown} (technicians {names})")


def _technicians(run: _Run, offers: list[datetime], customer_address: str) -> list[str | None]:
    """Who would do each offered slot if it were picked now: the technician the hold would book."""
    from bot.schedule import free_at

    _, phone = split_address(customer_address)
    with transaction(run.url) as session:
        business = session.get(Business, run.business_id)
        customer = session.exec(select(Customer).where(Customer.business_id == run.business_id,
                                                       Customer.phone == phone)).first()
        conversation = session.exec(select(Conversation).where(Conversation.business_id == run.business_id,
                                                               Conversation.phone == phone)).first()
        name = (conversation.data or {}).get("service") if conversation else None
        service = session.exec(select(Service).where(Service.business_id == run.business_id,
                                                     Service.name == name)).first()
        if service is None or customer is None:
            return [None for _ in offers]
        place = place_at(customer.address, customer.lat, customer.lng)
        names = []
        for start in offers:
            slot = free_at(session, business, service, start, now=run.clock(), place=place)
            staff = session.get(Staff, slot.staff_id) if slot else None
            names.append(staff.name if staff else None)
        return names


def _expect_booking(run: _Run, expected: dict[str, Any], customer_address: str) -> None:
    with transaction(run.url) as session:
        booking = _latest_booking(session, run, customer_address)
        if expected.get("none"):
            if booking is not None:
                raise Mismatch("no booking", f"booking {booking.id} ({booking.status})")
            return
        if booking is None:
            raise Mismatch(f"a booking {expected}", "(no booking)")
        service = session.get(Service, booking.service_id)
        local_start = booking.start_at.astimezone(run.zone).replace(tzinfo=None)
        actual = (f"booking {booking.id}: {booking.status}, {service.name}, "
                  f"{local_start.isoformat(timespec='minutes')}")
        if "status" in expected and booking.status != expected["status"]:
            raise Mismatch(f"booking status {expected['status']!r}", actual)
        if "service" in expected and service.name.lower() != str(expected["service"]).lower():
            raise Mismatch(f"booking service {expected['service']!r}", actual)
        if "local_start" in expected and local_start != _local(expected["local_start"], "local_start"):
            raise Mismatch(f"booking at {expected['local_start']}", actual)
