"""Storage: SQLModel tables, the engine, small query functions and Alembic migrations."""
