"""Core statements compiled once per database dialect and run straight on the driver's connection.

A turn runs about nine statements, and SQLAlchemy's execution path (the compiled cache's lookup, the execution
context, parameter and result processing objects, the Result) cost two to three times what the driver does for
the same statement: 36 against 13 microseconds for the inbound INSERT. The statements every text runs are so
few and so fixed that compiling each once and keeping what SQLAlchemy would work out per call (the SQL text,
the order of its parameters, the type processors of its parameters and columns) leaves only the driver's work.

The statement is still SQLAlchemy's: built with Core, compiled by the dialect, with the same type processing of
every parameter and column (UTCDateTime, JSON, Boolean), so what is stored and read back is what Core would
store and read. What is left out is what these statements do not use: column defaults (give every value),
execution events (the engine has none: bot/db/session.py) and the ORM (none of the session's objects is
flushed or refreshed: flush first where that matters, as queries.blocking_spans does).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Dialect, Table, bindparam, insert, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert, Update
from sqlmodel import Session


@dataclass(slots=True)
class _Compiled:
    sql: str
    positional: bool                                  # qmark/numeric/format: a sequence; else a mapping
    parameters: tuple[tuple[str, Callable | None], ...]   # each parameter's name and bind processor, in order
    fixed: Mapping[str, Any]                          # values the statement binds itself (an IN list's)
    dialect: Dialect
    types: tuple                                      # each result column's type, as the dialect handles it
    columns: tuple[tuple[int, Callable], ...] | None = None   # the columns with a processor, and it (from the
                                                              # first result's description)


class Prepared:
    """A Core statement, run on a session's transaction through the DB-API connection under it."""

    def __init__(self, statement: Executable):
        self.statement = statement
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, session: Session, parameters: Mapping[str, Any]) -> list[tuple]:
        cursor, compiled = self._execute(session, parameters)
        try:
            return _processed(cursor.fetchall(), _columns(compiled, cursor))
        finally:
            cursor.close()

    def first(self, session: Session, parameters: Mapping[str, Any]) -> tuple | None:
        cursor, compiled = self._execute(session, parameters)
        try:
            row = cursor.fetchone()
            return None if row is None else _processed([row], _columns(compiled, cursor))[0]
        finally:
            cursor.close()

    def scalar(self, session: Session, parameters: Mapping[str, Any]) -> Any:
        """The first column of the first row (an INSERT's RETURNING id), or None when there is no row."""
        row = self.first(session, parameters)
        return None if row is None else row[0]

    def run(self, session: Session, parameters: Mapping[str, Any]) -> int:
        """Run a statement that returns no rows; how many rows it matched."""
        cursor, _ = self._execute(session, parameters)
        try:
            return cursor.rowcount
        finally:
            cursor.close()

    def run_many(self, session: Session, many: Iterable[Mapping[str, Any]]) -> None:
        connection = session.connection()
        compiled = self._compiled(connection.dialect)
        rows = [_bound(compiled, p) for p in many]
        cursor = connection.connection.driver_connection.cursor()
        try:
            cursor.executemany(compiled.sql, rows)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(error, compiled, rows) from error
        finally:
            cursor.close()

    def _execute(self, session: Session, parameters: Mapping[str, Any]):
        connection = session.connection()
        compiled = self._compiled(connection.dialect)
        bound = _bound(compiled, parameters)
        try:
            return connection.connection.driver_connection.execute(compiled.sql, bound), compiled
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(error, compiled, bound) from error

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = self._by_dialect[dialect.name] = compile_for(self.statement, dialect)
        return compiled


def compile_for(statement: Executable, dialect: Dialect) -> _Compiled:
    """What running `statement` on `dialect` needs, worked out once. An IN list of fixed values is rendered into
    the text as SQLAlchemy renders it on each execution (its "expanded state"), so the statement has one text."""
    compiled = statement.compile(dialect=dialect)
    given = {name for name, bind in compiled.binds.items() if bind.required}
    expanded = compiled.construct_expanded_state(dict.fromkeys(given))
    names = expanded.positiontup if compiled.positional else tuple(expanded.parameters)
    fixed = {name: value for name, value in expanded.parameters.items() if name not in given}
    types = tuple(column.type.dialect_impl(dialect) for column in getattr(statement, "exported_columns", ()))
    processors = {**expanded.processors, **{name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                                            for name, bind in compiled.binds.items()}}
    return _Compiled(expanded.statement, compiled.positional,
                     tuple((name, processors.get(name)) for name in names), fixed, dialect, types)


def _wrapped(error: Exception, compiled: _Compiled, parameters) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...), so callers catch the
    same exceptions as from Core."""
    return DBAPIError.instance(compiled.sql, parameters, error, compiled.dialect.loaded_dbapi.Error,
                               dialect=compiled.dialect)


def _columns(compiled: _Compiled, cursor) -> tuple[tuple[int, Callable], ...]:
    """The result columns' processors: some depend on the type the driver reports (PostgreSQL's numerics)."""
    if compiled.columns is None:
        dialect_of = compiled.dialect
        processors = (kind.result_processor(dialect_of, described[1])
                      for kind, described in zip(compiled.types, cursor.description))
        compiled.columns = tuple((at, process) for at, process in enumerate(processors) if process is not None)
    return compiled.columns


def insert_of(table: Table, names: Iterable[str], *, dialect_insert: Callable[[Table], Insert] = insert) -> Insert:
    """An INSERT of exactly these columns of `table` (a plain insert() lists every column the compiler knows); each
    value is the parameter named after its column. `dialect_insert`: a dialect's own insert(), for its ON CONFLICT."""
    return dialect_insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in names})


def update_by_id(table: Table, names: Iterable[str], *, id_parameter: str) -> Update:
    """An UPDATE of these columns of the row whose id is the parameter `id_parameter`; each column's new value is
    the parameter "new_<column>" (a parameter may not share its column's name in an UPDATE's WHERE and SET)."""
    return (update(table).where(table.c.id == bindparam(id_parameter))
            .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in names}))


def _bound(compiled: _Compiled, given: Mapping[str, Any]) -> Sequence | dict:
    values = {**compiled.fixed, **given} if compiled.fixed else given
    if compiled.positional:
        return [values[name] if process is None else process(values[name]) for name, process in compiled.parameters]
    return {name: values[name] if process is None else process(values[name]) for name, process in compiled.parameters}


def _processed(rows: list[tuple], columns: tuple[tuple[int, Callable], ...]) -> list[tuple]:
    if not columns:
        return rows
    if len(columns) == 1:
        (at, process), = columns
        return [(*row[:at], process(row[at]), *row[at + 1:]) for row in rows]
    processed = []
    for row in rows:
        row = list(row)
        for at, process in columns:
            row[at] = process(row[at])
        processed.append(tuple(row))
    return processed
