"""Phone numbers and Twilio addresses; the booking lifecycle's moves and which statuses block a slot."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.booking import (
    ALLOWED_MOVES,
    BookingStatus,
    InvalidMove,
    can_move,
    checked_move,
    is_blocking,
)
from bot.domain.phone import Channel, address_of, e164, masked, split_address

# --- phone ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("(555) 010-0001", "+15550100001", id="us-national-format"),
        pytest.param("555.010.0001", "+15550100001", id="dots"),
        pytest.param("  +1 555 010 0001 ", "+15550100001", id="international-with-spaces"),
        pytest.param("+15550100001", "+15550100001", id="already-e164"),
        pytest.param("+44 20 7946 0958", "+442079460958", id="uk-number"),
        pytest.param("hello", None, id="words"),
        pytest.param("", None, id="empty"),
        pytest.param("12", None, id="too-short"),
        pytest.param("+1 555 010 0001 0001 0001", None, id="too-long"),
        pytest.param("(555)", None, id="area-code-only"),
    ],
)
def test_e164(raw: str, expected: str | None) -> None:
    assert e164(raw) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param("whatsapp:+15550001111", (Channel.WHATSAPP, "+15550001111"), id="whatsapp"),
        pytest.param("WhatsApp:+15550001111", (Channel.WHATSAPP, "+15550001111"), id="whatsapp-any-case"),
        pytest.param(" +15550001111 ", (Channel.SMS, "+15550001111"), id="sms"),
        pytest.param("whatsapp:garbage", (Channel.WHATSAPP, None), id="whatsapp-bad-number"),
        pytest.param("garbage", (Channel.SMS, None), id="sms-bad-number"),
    ],
)
def test_split_address(address: str, expected: tuple[Channel, str | None]) -> None:
    assert split_address(address) == expected


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        pytest.param(Channel.WHATSAPP, "whatsapp:+15550001111", id="whatsapp"),
        pytest.param(Channel.SMS, "+15550001111", id="sms"),
    ],
)
def test_address_of_round_trips_with_split_address(channel: Channel, expected: str) -> None:
    assert address_of(channel, "+15550001111") == expected
    assert split_address(expected) == (channel, "+15550001111")


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        pytest.param("+15550001111", "********1111", id="e164"),
        pytest.param("1234", "1234", id="exactly-four"),
        pytest.param("12", "12", id="shorter-than-four"),
        pytest.param("", "", id="empty"),
    ],
)
def test_masked_keeps_only_the_last_four(phone: str, expected: str) -> None:
    assert masked(phone) == expected


# --- booking lifecycle ---------------------------------------------------------------------------------

S = BookingStatus
ALLOWED = [
    (S.HELD, S.AWAITING_PAYMENT), (S.HELD, S.PENDING_APPROVAL), (S.HELD, S.CONFIRMED), (S.HELD, S.EXPIRED),
    (S.HELD, S.CANCELLED),
    (S.AWAITING_PAYMENT, S.PENDING_APPROVAL), (S.AWAITING_PAYMENT, S.CONFIRMED), (S.AWAITING_PAYMENT, S.EXPIRED),
    (S.AWAITING_PAYMENT, S.CANCELLED),
    (S.PENDING_APPROVAL, S.CONFIRMED), (S.PENDING_APPROVAL, S.REJECTED), (S.PENDING_APPROVAL, S.EXPIRED),
    (S.PENDING_APPROVAL, S.CANCELLED),
    (S.CONFIRMED, S.COMPLETED), (S.CONFIRMED, S.CANCELLED), (S.CONFIRMED, S.NO_SHOW),
    (S.COMPLETED, S.NO_SHOW),   # the owner corrects the automatic "done": the customer never came
]
FORBIDDEN = [
    (S.CONFIRMED, S.HELD), (S.CONFIRMED, S.PENDING_APPROVAL), (S.CONFIRMED, S.EXPIRED), (S.CONFIRMED, S.CONFIRMED),
    (S.PENDING_APPROVAL, S.HELD), (S.AWAITING_PAYMENT, S.HELD), (S.HELD, S.HELD), (S.HELD, S.COMPLETED),
    (S.HELD, S.NO_SHOW), (S.AWAITING_PAYMENT, S.REJECTED),
    (S.CANCELLED, S.CONFIRMED), (S.EXPIRED, S.HELD), (S.REJECTED, S.CONFIRMED), (S.COMPLETED, S.CANCELLED),
    (S.NO_SHOW, S.COMPLETED),
]


def _id(move: tuple[BookingStatus, BookingStatus]) -> str:
    return f"{move[0]}->{move[1]}"


@pytest.mark.parametrize("move", ALLOWED, ids=_id)
def test_allowed_moves(move: tuple[BookingStatus, BookingStatus]) -> None:
    current, target = move

    assert can_move(current, target) is True
    assert checked_move(current, target) is target


@pytest.mark.parametrize("move", FORBIDDEN, ids=_id)
def test_forbidden_moves_raise(move: tuple[BookingStatus, BookingStatus]) -> None:
    current, target = move

    assert can_move(current, target) is False
    with pytest.raises(InvalidMove, match=f"from {current} to {target}"):
        checked_move(current, target)


def test_the_allowed_table_is_exactly_the_listed_moves() -> None:
    table = {(current, target) for current, targets in ALLOWED_MOVES.items() for target in targets}

    assert table == set(ALLOWED)
    assert set(ALLOWED_MOVES) == set(BookingStatus)


@pytest.mark.parametrize("final", [S.CANCELLED, S.EXPIRED, S.REJECTED, S.NO_SHOW], ids=str)
def test_final_statuses_go_nowhere(final: BookingStatus) -> None:
    assert [target for target in BookingStatus if can_move(final, target)] == []


CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 3, 10, 9, 15, tzinfo=CHICAGO)
LATER = datetime(2026, 3, 10, 9, 25, tzinfo=CHICAGO)
EARLIER = datetime(2026, 3, 10, 9, 5, tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("status", "hold_expires_at", "expected"),
    [
        pytest.param(S.HELD, LATER, True, id="held-before-expiry"),
        pytest.param(S.HELD, EARLIER, False, id="held-after-expiry"),
        pytest.param(S.HELD, NOW, False, id="held-at-expiry"),
        pytest.param(S.HELD, NOW + timedelta(microseconds=1), True, id="held-a-tick-before-expiry"),
        pytest.param(S.HELD, None, False, id="held-without-expiry"),
        pytest.param(S.AWAITING_PAYMENT, LATER, True, id="awaiting-payment-before-expiry"),
        pytest.param(S.AWAITING_PAYMENT, EARLIER, False, id="awaiting-payment-after-expiry"),
        pytest.param(S.PENDING_APPROVAL, None, True, id="pending-approval"),
        pytest.param(S.PENDING_APPROVAL, EARLIER, True, id="pending-approval-ignores-hold-expiry"),
        pytest.param(S.CONFIRMED, None, True, id="confirmed"),
        pytest.param(S.CONFIRMED, EARLIER, True, id="confirmed-ignores-hold-expiry"),
        pytest.param(S.CANCELLED, None, False, id="cancelled"),
        pytest.param(S.CANCELLED, LATER, False, id="cancelled-with-future-expiry"),
        pytest.param(S.EXPIRED, LATER, False, id="expired"),
        pytest.param(S.COMPLETED, None, False, id="completed"),
        pytest.param(S.REJECTED, None, False, id="rejected"),
        pytest.param(S.NO_SHOW, None, False, id="no-show"),
    ],
)
def test_is_blocking(status: BookingStatus, hold_expires_at: datetime | None, expected: bool) -> None:
    assert is_blocking(status, hold_expires_at, NOW) is expected


def test_hold_expiry_compares_instants_across_zones() -> None:
    # 15:20 UTC is 10:20 CDT: after 09:15 CDT, and not after 10:20 CDT.
    expires = datetime(2026, 3, 10, 15, 20, tzinfo=ZoneInfo("UTC"))

    assert is_blocking(S.HELD, expires, NOW) is True
    assert is_blocking(S.HELD, expires, datetime(2026, 3, 10, 10, 20, tzinfo=CHICAGO)) is False
