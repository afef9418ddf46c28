"""The root Typer app and helpers every command module shares."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer

from techbridge.config import Settings
from techbridge.errors import TechbridgeError
from techbridge.storage.db import Database

app = typer.Typer(
    name="techbridge",
    help="techbridge (技术桥): technology-transfer and technology-trading platform.\n\n"
    "Configuration comes from TECHBRIDGE_* environment variables (see `techbridge serve --help`).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(help="Benchmarks: quality and speed figures, reported as medians and ratios.",
                        no_args_is_help=True)
app.add_typer(bench_app, name="bench")

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def user_errors() -> Iterator[None]:
    """Print a TechbridgeError as its message (never a stack trace) and exit 1."""
    try:
        yield
    except TechbridgeError as exc:
        typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
        for item in exc.errors[:200]:
            where = f"line {item.line}: " if item.line is not None else ""
            typer.echo(f"  {where}{item.field}: {item.message}", err=True)
        if len(exc.errors) > 200:
            typer.echo(f"  … and {len(exc.errors) - 200} more", err=True)
        raise typer.Exit(1) from None


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """Open the configured database, applying migrations first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    if migrate:
        from techbridge.storage.migrate import upgrade

        upgrade(db)
    return db


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
