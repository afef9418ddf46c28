"""The ``techbridge`` command line: thin Typer commands over the services.

Every module in this package that defines ``register(app)`` is discovered and registered, so an area
adds its commands (``techbridge stats``, ``techbridge bench schedule`` …) without editing this file.
Errors are printed as the same one-line message the API returns, with exit code 1; wrong arguments
exit 2 with Typer's message naming the option.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from techbridge.cli.common import app


def _load_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in ("common",):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def main() -> None:
    """Console-script entry point."""
    _load_commands()
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)


__all__ = ["app", "main"]
