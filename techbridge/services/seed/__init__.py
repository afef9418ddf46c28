"""Demo data loading. Each module here exposes ``ORDER`` and ``seed(db, settings)``; all are idempotent.

Areas add their own seed module (e.g. contracts, challenges) without editing this file.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable

from techbridge.config import Settings
from techbridge.storage.db import Database

log = logging.getLogger("techbridge.seed")
Seeder = Callable[[Database, Settings], str]


def seeders() -> list[tuple[int, str, Seeder]]:
    found: list[tuple[int, str, Seeder]] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        found.append((int(getattr(module, "ORDER", 100)), info.name, module.seed))
    return sorted(found, key=lambda item: (item[0], item[1]))


def seed_all(db: Database, settings: Settings, *, echo: Callable[[str], None] | None = None) -> list[str]:
    """Run every seeder in order; returns one summary line per seeder."""
    lines = []
    for _order, name, seed in seeders():
        summary = seed(db, settings)
        line = f"{name}: {summary}"
        lines.append(line)
        log.info(line)
        if echo:
            echo(line)
    return lines
