"""Column types shared by the tables."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        """process_result_value after the dialect's own parsing, as TypeDecorator does, but faster on SQLite: an
        offer reads two of these for every booking up to the horizon, and attaching the zone with replace() cost
        more than all the rest of reading a booking. SQLite keeps the UTC wall time as text, so the text with
        "+00:00" appended parses straight to the aware datetime; anything else takes the general way."""
        parse = self.impl_instance.result_processor(dialect, coltype)
        if parse is None:  # the driver gives datetimes itself (PostgreSQL)
            return super().result_processor(dialect, coltype)

        def process(value):
            if value is None:
                return None
            if isinstance(value, str):
                try:
                    return datetime.fromisoformat(value + "+00:00")
                except ValueError:  # not the text SQLAlchemy writes (one with an offset of its own, say)
                    pass
            value = parse(value)
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

        return process
