"""The migrations build exactly the schema the table models describe (columns, types, indexes, constraints),
on SQLite and PostgreSQL: a model change without its migration (or the other way round) fails here."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import bot.db.tables  # noqa: F401  (the models register their tables)
from bot.db.schema import upgrade
from bot.db.session import engine_for


def _differences(url: str) -> list:
    upgrade(url)
    with engine_for(url).connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)


def test_sqlite_schema_matches_the_models(tmp_path):
    assert _differences(f"sqlite:///{tmp_path / 'bot.db'}") == []


def test_postgres_schema_matches_the_models(postgres_url):
    assert _differences(postgres_url) == []


def test_bookings_that_touch_a_window_are_found_by_the_end_index(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    with engine_for(url).connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM booking WHERE business_id = 1 AND end_at > '2026-03-10' "
            "AND start_at < '2026-03-12'").all()
    assert "ix_booking_business_end" in repr(plan)
