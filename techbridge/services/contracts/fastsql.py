"""Driver-level bulk writes for the two hot bulk statements (contract rows and statistics-cell upserts).

SQLAlchemy's per-row parameter processing costs more than the database work at millions of rows, so
these statements go to the DBAPI cursor directly, with each column's own bind processor applied once
per value (the same conversions SQLAlchemy would apply). On SQLite rows go in with one executemany;
on PostgreSQL with COPY … FROM STDIN, which streams the rows in one command instead of one INSERT
each (psycopg's executemany is a pipelined INSERT per row: per-row server parse/execute and client
bookkeeping cost more than the rows themselves). Both run on the session's connection, inside the
caller's transaction, so a failed batch leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def _placeholder(session: Session) -> str:
    return "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"


def _check_names(table: Table, columns: Sequence[str]) -> None:
    """Identifiers are only ever table metadata names, never user input; refuse anything else."""
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"not columns of {table.name}: {unknown}")


def processors(session: Session, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """Per-column value conversion; psycopg needs JSON values wrapped (SQLAlchemy does that in its own path)."""
    dialect = session.get_bind().dialect
    out: list[Callable[[Any], Any] | None] = []
    for name in columns:
        column_type = table.c[name].type
        process: Callable[[Any], Any] | None = column_type.bind_processor(dialect)
        if process is None and isinstance(column_type, JSON) and dialect.name == "postgresql":
            from psycopg.types.json import Json

            process = Json
        out.append(process)
    return out


def _converted(session: Session, table: Table, columns: Sequence[str],
               rows: Sequence[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """Each row's values in ``columns`` order (a missing key is NULL), through the column processors."""
    convert = [(i, p) for i, p in enumerate(processors(session, table, columns)) if p is not None]
    out: list[tuple[Any, ...]] = []
    append = out.append
    for row in rows:
        values = list(map(row.get, columns))
        for i, process in convert:
            value = values[i]
            if value is not None:
                values[i] = process(value)
        append(tuple(values))
    return out


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (mappings; keys not in ``columns`` are ignored, missing ones are NULL) in bulk.

    SQLite: one executemany. PostgreSQL: one COPY FROM STDIN (text format, so the server parses each
    value as it would an INSERT literal of the column's type).
    """
    if not rows:
        return
    _check_names(table, columns)
    params = _converted(session, table, columns, rows)
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, columns, params)
        return
    mark = _placeholder(session)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608
    session.connection().exec_driver_sql(sql, params)


def _copy(session: Session, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """COPY rows into ``table`` on the session's own psycopg connection (the caller's transaction).

    Driver errors are re-raised as SQLAlchemy's (IntegrityError for a duplicate certificate number, …),
    as the executemany path raises them; the caller's transaction then rolls back as a whole.
    """
    import psycopg

    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = session.connection().connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            write = copy.write_row
            for row in rows:
                write(row)
    except psycopg.Error as exc:
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc


def upsert_add(session: Session, table: Table, key: Sequence[str], sums: Sequence[str],
               rows: Sequence[Sequence[Any]]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE SET each sum column += the new value."""
    if not rows:
        return
    mark = _placeholder(session)
    columns = [*key, *sums]
    updates = ", ".join(f"{c} = {table.name}.{c} + excluded.{c}" for c in sums)
    _check_names(table, columns)
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}) "  # noqa: S608
           f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}")
    session.connection().exec_driver_sql(sql, list(rows))


def upsert_add_returning(session: Session, table: Table, key: Sequence[str], total: str,
                         rows: Sequence[Sequence[Any]], *, chunk: int = 1000) -> list[tuple[Any, ...]]:
    """Multi-row INSERT … ON CONFLICT (key) DO UPDATE SET total += new, RETURNING (*key, total).

    One statement per ``chunk`` rows instead of one per row: the bulk path reserves certificate numbers
    for hundreds of (year, registry) groups per batch, and a round trip each cost more than the rest.
    Rows are written in the given order, so callers that sort keep a consistent lock order.
    """
    columns = [*key, total]
    _check_names(table, columns)
    mark = _placeholder(session)
    one = f"({', '.join([mark] * len(columns))})"
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))} "  # noqa: S608
               f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {total} = {table.name}.{total} + excluded.{total} "
               f"RETURNING {', '.join(columns)}")
        flat = tuple(value for row in part for value in row)
        out.extend(tuple(r) for r in session.connection().exec_driver_sql(sql, flat))
    return out
