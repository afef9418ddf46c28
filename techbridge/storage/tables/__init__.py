"""All tables. Importing this package imports every area's table module, so that ``Base.metadata``
is complete for migrations and tests; each area owns one module here."""

from __future__ import annotations

import importlib
import pkgutil

from techbridge.storage.tables.base import Base


def load_all() -> None:
    """Import every table module of the package (idempotent)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


load_all()

__all__ = ["Base", "load_all"]
