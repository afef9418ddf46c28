"""Core commands: init, serve, import, export, match, users."""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from techbridge.cli.common import echo_json, open_database, user_errors
from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.errors import ImportFailed
from techbridge.services import accounts, transfer
from techbridge.services.actor import SYSTEM
from techbridge.services.matching import DENSE_ENCODERS, MatchingService
from techbridge.services.seed import seed_all
from techbridge.services.seed.catalog import is_seeded
from techbridge.storage.db import Database


class Kind(StrEnum):
    technologies = "technologies"
    demands = "demands"
    organisations = "organisations"
    people = "people"


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"


def _settings_help() -> str:
    return "\n\n".join(f"{name} (default {default!r}): {help_text}" for name, default, help_text in
                       Settings.describe())


def init(
    demo: Annotated[bool, typer.Option(help="Load the shipped demo data (idempotent).")] = True,
) -> None:
    """Create the data directory and database, apply migrations and load the demo data.

    Example: techbridge init
    """
    with user_errors():
        settings = Settings.from_env().ensure_secret_key()
        db = open_database(settings)
        typer.echo(f"database ready: {settings.resolved_database_url.split('@')[-1]}")
        if demo:
            seed_all(db, settings, echo=typer.echo)


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (TECHBRIDGE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (TECHBRIDGE_PORT).", min=1, max=65535)] = None,
    demo: Annotated[bool | None, typer.Option(help="Load demo data on first start (TECHBRIDGE_LOAD_DEMO_DATA).")]
    = None,
) -> None:
    """Serve the web platform and API (migrations and first-run demo data included).

    Example: techbridge serve --port 8000
    """
    import uvicorn

    from techbridge.web import create_app

    with user_errors():
        overrides: dict[str, Any] = {}
        if host:
            overrides["host"] = host
        if port:
            overrides["port"] = port
        if demo is not None:
            overrides["load_demo_data"] = demo
        settings = Settings.from_env(**overrides).ensure_secret_key()
        db = open_database(settings)
        if settings.load_demo_data and not is_seeded(db):
            typer.echo("first start: loading demo data …")
            seed_all(db, settings, echo=typer.echo)
        app = create_app(settings, db=db, migrate=False)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    typer.secho(f"techbridge is serving at http://{settings.host}:{settings.port}", fg=typer.colors.GREEN)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


serve.__doc__ = (serve.__doc__ or "") + "\n\nSettings:\n\n" + _settings_help()


def import_(
    kind: Annotated[Kind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSONL file.", exists=True, dir_okay=False)],
    format_: Annotated[Format | None, typer.Option("--format", help="Override the format from the suffix.")]
    = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="Column mapping SOURCE=field (repeatable).")]
    = None,
    skip_invalid: Annotated[bool, typer.Option(help="Load the good rows and report the bad ones.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write the report (JSON) here.")] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of CSV/JSONL; auto tries UTF-8 then GB18030.")]
    = "auto",
) -> None:
    """Import records, upserting by external_id (re-importing the same file changes nothing).

    All-or-nothing by default: one bad row and nothing is written; every bad row is reported with its
    line, field and what to fix.

    Examples:
      techbridge import technologies results.xlsx --map 成果名称=title --map 编号=external_id
      techbridge import demands needs.csv --skip-invalid --report needs-report.json
    """
    with user_errors():
        settings = Settings.from_env()
        db = open_database(settings)
        mapping = transfer.parse_mapping(map_ or [])
        try:
            result = transfer.import_file(db, settings, SYSTEM, kind.value, file,
                                          fmt=format_.value if format_ else None, mapping=mapping,
                                          skip_invalid=skip_invalid, encoding=encoding)
        except ImportFailed as exc:
            if report:
                failed = transfer.ImportReport(kind=kind.value, errors=exc.errors)
                report.write_text(json_text(failed.as_dict()), encoding="utf-8")
            raise
        typer.echo(result.to_text())
        if report:
            report.write_text(json_text(result.as_dict()), encoding="utf-8")


def json_text(data: object) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def export(
    kind: Annotated[Kind, typer.Argument(help="What to export.")],
    file: Annotated[Path, typer.Argument(help="Output file (.csv, .xlsx or .jsonl).", dir_okay=False)],
    format_: Annotated[Format | None, typer.Option("--format", help="Override the format from the suffix.")]
    = None,
) -> None:
    """Export every record of a kind in the same layout the importer reads.

    Example: techbridge export technologies all.xlsx
    """
    with user_errors():
        settings = Settings.from_env()
        db = open_database(settings)
        count = transfer.export_file(db, kind.value, file, format_.value if format_ else None)
    typer.echo(f"wrote {count} {kind.value} to {file}")


def _matching_service(settings: Settings, db: Database) -> MatchingService:
    """The server's matching service over the saved index; the slow encoders take part in queries once the
    server has filled them in (a CLI process never fills them itself)."""
    return MatchingService(db, index_dir=settings.data_dir / "index",
                           background_encoders=DENSE_ENCODERS if settings.dense_matching else ())


def match(
    text: Annotated[str, typer.Argument(help="The need, in plain words (Chinese or English).")],
    top: Annotated[int, typer.Option(help="How many results.", min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Rank technologies for a need described in plain words, with the reasons for each.

    Example: techbridge match "减糖后馅料口感变差，想用仪器代替人工品尝" --top 5
    """
    with user_errors():
        settings = Settings.from_env()
        db = open_database(settings)
        service = _matching_service(settings, db)
        matches = service.match_text(text, top=top)
        from techbridge.services.catalog import get_many

        rows = get_many(db, "technologies", [m.technology_id for m in matches])
    if as_json:
        echo_json({"engine": service.status(), "matches": [
            {**m.as_dict(), "title": rows[m.technology_id].title} for m in matches]})
        return
    if not matches:
        typer.echo("no matching technologies")
    for rank, m in enumerate(matches, start=1):
        typer.echo(f"{rank:>2}. [{m.score:7.3f}] #{m.technology_id} {rows[m.technology_id].title}")
        if m.reasons.matched_terms:
            typer.echo(f"     matched terms: {', '.join(m.reasons.matched_terms)}")


def match_learn(
    as_json: Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")] = False,
) -> None:
    """Relearn the matching fusion weights from the stored accept/reject feedback.

    Half of the judged demands train, the other half checks; the new weights are kept only if the held-out
    demands' accepted technologies do not rank worse. The server also does this by itself.

    Example: techbridge match-learn --json
    """
    with user_errors():
        settings = Settings.from_env()
        db = open_database(settings)
        service = _matching_service(settings, db)
        report = service.learn_weights()
    if as_json:
        echo_json(report.as_dict())
        return
    typer.echo(f"feedback decisions: {report.feedback_rows}")
    for d in report.directions:
        figures = ""
        if d.held_out_mrr_prior is not None:
            figures = f"; held-out MRR@10 {d.held_out_mrr_prior:.3f} -> {d.held_out_mrr_learned:.3f}"
        typer.echo(f"{d.direction}: {d.judged_demands} judged demand(s){figures}; "
                   f"{'APPLIED' if d.applied else 'not applied'}: {d.why}")
        if d.applied and d.learned:
            typer.echo("  weights: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(d.learned.items())))


def create_user(
    email: Annotated[str, typer.Option(help="Login e-mail.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[list[Role], typer.Option(help="Role (repeatable).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="Password (prompted when omitted).")],
) -> None:
    """Create an account with any roles (operators, registry officers, technology managers).

    Example: techbridge create-user --email ops@example.org --name 运营 --role operator
    """
    with user_errors():
        settings = Settings.from_env()
        db = open_database(settings)
        user_id = accounts.create_user(db, email=email, password=password, display_name=name, roles=role)
    typer.echo(f"user {user_id} ready")


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
    app.command("import")(import_)
    app.command()(export)
    app.command()(match)
    app.command("match-learn")(match_learn)
    app.command("create-user")(create_user)
