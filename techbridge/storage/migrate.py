"""Apply Alembic migrations on start.

Each area owns a migration branch rooted at the foundation revision, so areas can be developed side
by side; ``upgrade heads`` applies every branch.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from techbridge.storage.db import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    config.attributes["engine"] = db.engine
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision of every branch."""
    command.upgrade(alembic_config(db), "heads")
