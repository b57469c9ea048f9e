"""Helpers for conversations that span days: book, pay, move the clock, let the dispatcher run."""

from datetime import datetime, timedelta

from tests.conftest import CHICAGO, DANA, replies, rows, signed_post, twilio_form


def say(client, body: str, *, from_: str = DANA, **extra) -> list[str]:
    """The customer texts `body`; the bot's replies in the same thread."""
    return replies(signed_post(client, twilio_form(body, from_=from_, **extra)))


def book(client, dispatcher, request: str, *, from_: str = DANA, pick: str = "1", name: str | None = "Dana",
         **extra) -> None:
    """A whole booking: the request, a pick, the name (if asked), the deposit paid, the dispatcher run."""
    say(client, request, from_=from_, **extra)
    reply = say(client, pick, from_=from_, **extra)[0]
    if "name" in reply:
        reply = say(client, name, from_=from_, **extra)[0]
    token = reply.split("/pay/")[1].split()[0]
    assert client.post(f"/pay/{token}", follow_redirects=False).status_code == 303
    dispatcher.tick()


def texts_to(db_url: str, phone: str, *, kind: str | None = None) -> list[tuple[str, str]]:
    """(body, status) of the texts the bot started to `phone` (not replies), oldest first."""
    sql = "select body, status from message where phone = :p and direction = 'out' and reply_to_id is null"
    if kind is not None:
        sql += " and kind = :k"
    return rows(db_url, sql + " order by id", p=phone, k=kind)


def due(db_url: str, kind: str) -> list[tuple[str, bool]]:
    """(due_at, done) of the due work of a kind, in order."""
    return [(at, done is not None) for at, done in
            rows(db_url, "select due_at, done_at from due_work where kind = :k order by due_at, id", k=kind)]


def at(clock, local: datetime) -> None:
    """Set the clock to a local Chicago wall-clock time."""
    clock.now = local.replace(tzinfo=CHICAGO) if local.tzinfo is None else local


def later(clock, **delta) -> None:
    clock.advance(timedelta(**delta))
