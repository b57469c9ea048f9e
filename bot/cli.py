"""The `bot` command: demo, seed, migrate, chat."""

import logging
import secrets
import sys

import typer

from bot.config import get_settings

app = typer.Typer(help="SMS/WhatsApp booking bot", no_args_is_help=True, add_completion=False)


@app.command()
def demo(port: int = typer.Option(8000, help="Port on 127.0.0.1"),
         host: str = typer.Option("127.0.0.1", help="Interface to listen on")) -> None:
    """Serve the embedded default: SQLite, the seeded demo business, the simulator at /simulator."""
    import uvicorn

    from api.main import create_app
    from bot.db.seed import prepare

    settings = get_settings()
    if settings.public_base_url == "http://127.0.0.1:8000" and port != 8000:
        settings = settings.model_copy(update={"public_base_url": f"http://{host}:{port}"})
    prepare(settings.database_url)
    typer.echo(f"Demo business ready in {settings.database_url}")
    typer.echo(f"Open http://{host}:{port}/simulator and text 'tomorrow afternoon, full detail'")
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
                              understand=adapters.understand)
        for reply in result.replies:
            typer.echo(f"bot: {reply}")
        before = len(adapters.messages.sent)
        dispatcher.tick()  # hold expiry and queued messages, as the demo's background loop does
        for sent in adapters.messages.sent[before:]:
            if sent["to"].endswith(phone):
                typer.echo(f"bot (later): {sent['body']}")
