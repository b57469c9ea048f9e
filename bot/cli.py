"""The `bot` command: demo, seed, migrate, chat, stories, token create, owner add."""

import logging
import secrets
import sys

import typer

from bot.config import get_settings

app = typer.Typer(help="SMS/WhatsApp booking bot", no_args_is_help=True, add_completion=False)
token_app = typer.Typer(help="Owner API tokens", no_args_is_help=True)
owner_app = typer.Typer(help="Owner page accounts", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(owner_app, name="owner")


@app.command()
def demo(port: int = typer.Option(8000, help="Port on 127.0.0.1"),
         host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
         reminders: str = typer.Option("", help="Reminder offsets in minutes for the demo business, to see one "
                                                "arrive in the simulator: with '55', booking a time an hour ahead "
                                                "gets its reminder 5 minutes later (default 24 h and 2 h)")
         ) -> None:
    """Serve the embedded default: SQLite, the seeded demo business, the simulator at /simulator."""
    import uvicorn

    from api.main import create_app
    from bot.db.seed import prepare

    settings = get_settings()
    if settings.public_base_url == "http://127.0.0.1:8000" and port != 8000:
        settings = settings.model_copy(update={"public_base_url": f"http://{host}:{port}"})
    prepare(settings.database_url)
    from bot.db.seed import DEMO_OWNER_EMAIL, DEMO_OWNER_PASSWORD, DEMO_SLUG

    token = _new_token(settings.database_url, DEMO_SLUG, "demo")
    if reminders:
        _set_reminder_offsets(settings.database_url, DEMO_SLUG, reminders)
    typer.echo(f"Demo business ready in {settings.database_url}")
    typer.echo(f"Open http://{host}:{port}/simulator and text 'tomorrow afternoon, full detail'")
    typer.echo(f"Owner page: http://{host}:{port}/owner  (sign in as {DEMO_OWNER_EMAIL} / {DEMO_OWNER_PASSWORD})")
    typer.echo(f"Owner API:  http://{host}:{port}/docs  (Authorization: Bearer {token})")
    uvicorn.run(create_app(settings, dispatcher=True), host=host, port=port, log_level="info")


@app.command()
def seed(business: str = typer.Option("demo", help="Seed name")) -> None:
    """Create or migrate the database named by DATABASE_URL, then seed the demo business (safe twice)."""
    from bot.db.seed import SEEDS, prepare

    if business not in SEEDS:
        typer.echo(f"unknown seed {business!r}; known: {', '.join(SEEDS)}", err=True)
        raise typer.Exit(2)
    prepare(get_settings().database_url, business)
    typer.echo("database migrated and seeded")


@app.command()
def migrate() -> None:
    """Bring the database named by DATABASE_URL to the newest schema."""
    from bot.db.schema import upgrade

    upgrade(get_settings().database_url)
    typer.echo("database migrated")


@app.command()
def chat(from_phone: str = typer.Option("+15550100001", "--from", help="The customer's (or owner's) phone"),
         whatsapp: bool = typer.Option(False, help="Text the business's WhatsApp number")) -> None:
    """Chat with the bot in the terminal, through the same engine as the webhook."""
    from api.main import utc_now
    from bot.db.seed import DEMO_SLUG, prepare
    from bot.db.session import transaction
    from bot.db.tables import Business
    from bot.domain.phone import Channel, address_of, e164
    from bot.engine import Inbound, receive_text
    from bot.wiring import adapters_from
    from sqlmodel import select
    from tasks.local_loop import LocalDispatcher

    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    phone = e164(from_phone)
    if phone is None:
        typer.echo("--from must be a phone number, e.g. +15550100001", err=True)
        raise typer.Exit(2)
    prepare(settings.database_url)
    adapters = adapters_from(settings)
    dispatcher = LocalDispatcher(settings.database_url, adapters, utc_now, settings.dispatcher_interval_seconds)
    channel = Channel.WHATSAPP if whatsapp else Channel.SMS
    with transaction(settings.database_url) as session:
        business = session.exec(select(Business).where(Business.slug == DEMO_SLUG)).one()
        to_address = address_of(channel, (business.whatsapp_phone if whatsapp else business.sms_phone) or "")
    typer.echo(f"Texting {business.name} at {to_address} as {phone}. Ctrl-D to quit.")
    for line in sys.stdin if not sys.stdin.isatty() else iter(lambda: typer.prompt("you", default="", show_default=False), None):
        inbound = Inbound(to_address, address_of(channel, phone), line.rstrip("\n"), "CLI" + secrets.token_hex(16))
        result = receive_text(settings.database_url, inbound, now=utc_now(), payments=adapters.payments,
                              understand=adapters.understand, public_base_url=settings.public_base_url,
                              travel=adapters.travel, geocoder=adapters.geocoder)
        for reply in result.replies:
            typer.echo(f"bot: {reply}")
        before = len(adapters.messages.sent)
        dispatcher.tick()  # hold expiry and queued messages, as the demo's background loop does
        for sent in adapters.messages.sent[before:]:
            if sent["to"].endswith(phone):
                typer.echo(f"bot (later): {sent['body']}")


@app.command()
def stories(paths: list[str] = typer.Argument(..., help="Story files (YAML) or folders of them")) -> None:
    """Run conversation stories (docs/stories.md): one line per story, exit 1 if any fails."""
    from bot.stories import StoryError, run_paths

    logging.basicConfig(level=logging.ERROR)
    passed = failed = 0
    try:
        for outcome in run_paths(paths):
            typer.echo(outcome.line())
            passed, failed = passed + outcome.passed, failed + (not outcome.passed)
    except StoryError as error:
        typer.echo(f"invalid story file: {error}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{passed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


@token_app.command("create")
def token_create(business: str = typer.Option(..., help="The business's slug, e.g. shine"),
                 label: str = typer.Option("", help="What the token is for, e.g. 'booking widget'")) -> None:
    """Print a new owner API token for the business (it is stored hashed: copy it now)."""
    from bot.db.schema import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    typer.echo(_new_token(settings.database_url, business, label))


@owner_app.command("add")
def owner_add(business: str = typer.Option(..., help="The business's slug, e.g. shine"),
              email: str = typer.Option(..., help="The owner's sign-in email")) -> None:
    """Create a sign-in for the owner page; the password is asked for, never passed on the command line."""
    from bot.access import create_owner_account
    from bot.db import queries
    from bot.db.schema import upgrade
    from bot.db.session import transaction
    from api.main import utc_now

    settings = get_settings()
    upgrade(settings.database_url)
    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with transaction(settings.database_url) as session:
        found = queries.business_by_slug(session, slug=business)
        if found is None:
            typer.echo(f"no business with slug {business!r}", err=True)
            raise typer.Exit(2)
        try:
            create_owner_account(session, found, email=email, password=password, now=utc_now())
        except ValueError as error:
            typer.echo(str(error), err=True)
            raise typer.Exit(2)
    typer.echo(f"{email} can sign in at {settings.public_base_url}/owner")


def _new_token(database_url: str, slug: str, label: str) -> str:
    from api.main import utc_now
    from bot.access import create_api_token
    from bot.db import queries
    from bot.db.session import transaction

    with transaction(database_url) as session:
        found = queries.business_by_slug(session, slug=slug)
        if found is None:
            typer.echo(f"no business with slug {slug!r}", err=True)
            raise typer.Exit(2)
        return create_api_token(session, found, label=label, now=utc_now())


def _set_reminder_offsets(database_url: str, slug: str, minutes: str) -> None:
    """Short reminder offsets for a demo, so a person sees one arrive (bookings confirmed from now on)."""
    from sqlmodel import select

    from bot.db.session import transaction
    from bot.db.tables import Business

    try:
        offsets = [int(m) for m in minutes.split(",") if m.strip()]
    except ValueError:
        typer.echo("--reminders takes minutes, e.g. '5,2'", err=True)
        raise typer.Exit(2)
    with transaction(database_url) as session:
        business = session.exec(select(Business).where(Business.slug == slug)).one()
        business.reminder_offsets_minutes = offsets
        business.quiet_start = business.quiet_end = None  # a demo at night should still show them
    typer.echo(f"Reminders {', '.join(f'{m} min' for m in offsets)} before each booking")
