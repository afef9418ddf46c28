"""Storage: SQLite settings, migrations in step with the tables, transactions that never half-write."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from techbridge.storage.db import Database
from techbridge.storage.tables import Base
from techbridge.storage.tables.catalog import OrganisationRow


def test_sqlite_pragmas(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_migrations_match_the_table_definitions(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"tables and migrations differ; add a migration: {diff}"


def test_failed_transaction_writes_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.transaction() as session:
        session.add(OrganisationRow(name="甲", kind="university"))
        session.flush()
        raise RuntimeError("boom")
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OrganisationRow)) == 0


def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    from techbridge.storage.tables.catalog import PersonRow

    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(PersonRow(name="x", roles=["expert"], organisation_id=987654))
        session.flush()


def test_concurrent_writers_all_succeed(db: Database) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                with db.transaction() as session:
                    count = session.scalar(select(func.count()).select_from(OrganisationRow)) or 0
                    session.add(OrganisationRow(name=f"w{n}-{i}-{count}", kind="enterprise"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OrganisationRow)) == 80


def test_reads_do_not_persist_stray_writes(db: Database) -> None:
    with db.read() as session:
        session.add(OrganisationRow(name="stray", kind="enterprise"))
        session.flush()
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OrganisationRow)) == 0


@pytest.mark.postgres
def test_postgres_is_really_used(db: Database) -> None:
    assert not db.is_sqlite
    with db.engine.connect() as conn:
        assert "PostgreSQL" in str(conn.execute(text("select version()")).scalar())
