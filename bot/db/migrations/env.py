"""Alembic environment: the URL comes from the caller (bot migrate / bot demo), the schema from bot.db.tables."""

from alembic import context
from sqlmodel import SQLModel

import bot.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.db.session import engine_for

config = context.config
url = config.get_main_option("sqlalchemy.url")


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        with engine_for(url).connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
