"""Persistence: SQLAlchemy tables, the Database handle with its transaction rules, and migrations."""

from techbridge.storage.db import Database

__all__ = ["Database"]
