"""Contract and statistics commands: ``techbridge stats``, ``techbridge contracts …``, ``techbridge bench stats``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from techbridge.cli.common import bench_app, echo_json, open_database, user_errors
from techbridge.config import Settings
from techbridge.services.actor import SYSTEM
from techbridge.services.contracts import bulk, export, published, workflow
from techbridge.services.contracts import stats as stats_service

contracts_app = typer.Typer(help="Technology contracts (技术合同认定登记): import, workflow steps, published data.",
                            no_args_is_help=True)


class Source(StrEnum):
    registered = "registered"
    published = "published"


class OutFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def stats(
    by: Annotated[str, typer.Option(help="Dimensions to group by, comma-separated (year, month, contract_type, "
                                         "technology_field, ipr_type, plan_source, seller_nature, buyer_nature, "
                                         "seller_region, buyer_region, seller_bloc, buyer_bloc).")] = "year",
    measure: Annotated[str, typer.Option(help="count, value, tech_value or ratio (ranks --top).")] = "value",
    source: Annotated[Source, typer.Option(help="registered contracts or published (yearbook) figures.")]
    = Source.registered,
    year: Annotated[str, typer.Option(help="Filter: year(s), e.g. 2023 or 2022,2023.")] = "",
    month: Annotated[str, typer.Option(help="Filter: month(s) 1-12.")] = "",
    contract_type: Annotated[str, typer.Option(help="Filter: contract type code(s).")] = "",
    technology_field: Annotated[str, typer.Option(help="Filter: technology field code(s) F01-F11.")] = "",
    ipr_type: Annotated[str, typer.Option(help="Filter: IPR type code(s).")] = "",
    plan_source: Annotated[str, typer.Option(help="Filter: plan source code(s).")] = "",
    seller_nature: Annotated[str, typer.Option(help="Filter: seller party-nature code(s).")] = "",
    buyer_nature: Annotated[str, typer.Option(help="Filter: buyer party-nature code(s).")] = "",
    seller_region: Annotated[str, typer.Option(help="Filter: seller region(s), code or name (110000, 北京).")] = "",
    buyer_region: Annotated[str, typer.Option(help="Filter: buyer region(s), code or name.")] = "",
    seller_bloc: Annotated[str, typer.Option(help="Filter: seller bloc(s) jjj, yrd, gba, other.")] = "",
    buyer_bloc: Annotated[str, typer.Option(help="Filter: buyer bloc(s).")] = "",
    top: Annotated[int | None, typer.Option(help="Keep the top N rows by --measure.", min=1, max=1000)] = None,
    lang: Annotated[str, typer.Option(help="Label language: zh or en.")] = "zh",
    format_: Annotated[OutFormat, typer.Option("--format", help="json (rows), csv or xlsx.")] = OutFormat.json,
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Statistics of technology contracts, the same query as GET /api/stats.

    Amounts are in 万元. Examples:
      techbridge stats --source published --by seller_region,year --year 2023
      techbridge stats --by seller_bloc,buyer_bloc --year 2024 --format csv --output flows.csv
    """
    params: dict[str, Any] = {k: v for k, v in locals().items() if k not in ("format_", "output", "lang")}
    params["source"] = source.value
    settings = Settings.from_env()
    with user_errors():
        db = open_database(settings)
        result = stats_service.query(db, params, lang=lang)
    if format_ is OutFormat.json:
        text = json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            typer.echo(text)
        return
    data = export.to_csv(result, lang) if format_ is OutFormat.csv else export.to_xlsx(result, lang)
    if output:
        output.write_bytes(data)
        typer.echo(f"wrote {len(result.rows)} rows to {output}")
    elif format_ is OutFormat.csv:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        sys.stdout.buffer.write(data)


@contracts_app.command("load-published")
def load_published() -> None:
    """Load the shipped yearbook panel (输出/吸纳 by province, 2000–2023) into published statistics.

    Example: techbridge contracts load-published
    """
    settings = Settings.from_env()
    with user_errors():
        count = published.load_panel(open_database(settings))
    typer.echo(f"published statistics: {count} province-year rows loaded")


@contracts_app.command("import")
def import_contracts(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSONL of decided registrations.", exists=True,
                                         dir_okay=False)],
) -> None:
    """Register the contracts of a file (columns title, contract_type, price, seller.name, buyer.region_code …).

    All or nothing: one bad row and nothing is stored; each bad row is reported by line and field.
    Example: techbridge contracts import registrations-2025.csv
    """
    settings = Settings.from_env()
    with user_errors():
        count = bulk.import_file(open_database(settings), settings, SYSTEM, file)
    typer.echo(f"registered {count} contracts")


@contracts_app.command("generate")
def generate(
    count: Annotated[int, typer.Argument(help="How many synthetic contracts to register.", min=1)],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same contracts).")] = 7,
) -> None:
    """Register synthetic contracts (marked sample data) drawn from the province panel's distributions.

    Example: techbridge contracts generate 10000
    """
    from techbridge.services.contracts.bench import load

    settings = Settings.from_env()
    with user_errors():
        db = open_database(settings)
        result = load(db, settings, count, seed=seed, echo=typer.echo)
    echo_json(result)


@contracts_app.command("show")
def show(contract_id: Annotated[int, typer.Argument(help="Contract id.")]) -> None:
    """Print one contract with its history and deadline as JSON.

    Example: techbridge contracts show 12
    """
    settings = Settings.from_env()
    with user_errors():
        echo_json(workflow.get(open_database(settings), settings, SYSTEM, contract_id))


@contracts_app.command("act")
def act(
    contract_id: Annotated[int, typer.Argument(help="Contract id.")],
    action: Annotated[str, typer.Argument(help="submit, accept, request_supplement, supplement, start_review, "
                                               "refer_experts, register, reject, amend, cancel, object, "
                                               "uphold_registration, uphold_rejection")],
    reason: Annotated[str, typer.Option(help="Why (required for reject, cancel, amend, objections, 补正).")] = "",
) -> None:
    """Take one workflow step as the operator.

    Example: techbridge contracts act 12 register
    """
    settings = Settings.from_env()
    with user_errors():
        item = workflow.act(open_database(settings), settings, SYSTEM, contract_id, action, reason=reason or None)
    typer.echo(f"contract {contract_id}: {item['status']}"
               + (f", certificate {item['certificate_number']}" if item["certificate_number"] else ""))


def bench_stats(
    contracts: Annotated[int, typer.Option(help="How many synthetic contracts to register.", min=1)] = 100_000,
    database_url: Annotated[str, typer.Option(help="Database to fill (default: a fresh SQLite file in "
                                                   "DATA_DIR/bench/). Use a throwaway database.")] = "",
    batch: Annotated[int, typer.Option(help="Contracts per bulk transaction.", min=100)] = 20_000,
    repeats: Annotated[int, typer.Option(help="Runs of each dashboard query.", min=1)] = 20,
    singles: Annotated[int, typer.Option(help="Contracts also registered one by one through the workflow.",
                                         min=0)] = 200,
    pipelined: Annotated[bool, typer.Option(help="Validate the next batch in a worker process while storing "
                                                 "this one (--no-pipelined: one process).")] = True,
    saturated: Annotated[bool, typer.Option(help="Skip loading; fill every statistics cell any N could produce "
                                                 "and time the dashboard queries (worst case at any scale).")]
    = False,
    output: Annotated[Path | None, typer.Option(help="Write the figures (JSON) here.")] = None,
) -> None:
    """Bulk registration throughput (contracts/s) and dashboard query latency (p50/p95) at N contracts.

    Example: techbridge bench stats --contracts 1000000
    """
    from techbridge.services.contracts.bench import run_bench

    settings = Settings.from_env()
    with user_errors():
        if database_url:
            settings = settings.with_overrides(database_url=database_url)
        else:
            folder = settings.data_dir / "bench"
            folder.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                (folder / f"stats.sqlite3{suffix}").unlink(missing_ok=True)
            settings = settings.with_overrides(database_url=f"sqlite:///{(folder / 'stats.sqlite3').resolve()}")
        db = open_database(settings)
        if saturated:
            from techbridge.services.contracts.bench import queries, saturate_cells

            cells = saturate_cells(db)
            result = {"database": db.engine.dialect.name, "saturated_cells": cells,
                      "dashboard": queries(db, repeats=repeats)}
        else:
            result = run_bench(db, settings, contracts=contracts, batch=batch, repeats=repeats, singles=singles,
                               pipelined=pipelined, echo=typer.echo)
    echo_json(result)
    if output:
        output.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")


def register(app: typer.Typer) -> None:
    app.command("stats")(stats)
    app.add_typer(contracts_app, name="contracts")
    bench_app.command("stats")(bench_stats)
