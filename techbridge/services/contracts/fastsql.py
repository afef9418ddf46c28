"""Driver-level executemany for the two hot bulk statements (contract rows and statistics-cell upserts).

SQLAlchemy's per-row parameter processing costs more than the database work at millions of rows, so
these statements go to the DBAPI cursor directly, with each column's own bind processor applied once
per value (the same conversions SQLAlchemy would apply). Works on SQLite and PostgreSQL (psycopg).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Table
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


def insert_many(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT rows (tuples in ``columns`` order) with one executemany."""
    if not rows:
        return
    mark = _placeholder(session)
    _check_names(table, columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608
    convert = [(i, p) for i, p in enumerate(processors(session, table, columns)) if p is not None]
    params: list[Any] = []
    for row in rows:
        values = list(row)
        for i, process in convert:
            if values[i] is not None:
                values[i] = process(values[i])
        params.append(tuple(values))
    session.connection().exec_driver_sql(sql, params)


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
