"""Commands for evaluation, funds and roadshows: ``techbridge evaluation recompute|show``,
``techbridge events schedule|reschedule`` and the benchmark ``techbridge bench schedule``."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from techbridge.cli.common import bench_app, echo_json, open_database, user_errors
from techbridge.config import Settings
from techbridge.services.actor import SYSTEM

evaluation_app = typer.Typer(help="Market-value scores: recompute and inspect.", no_args_is_help=True)
events_app = typer.Typer(help="Roadshow events: run the meeting scheduler.", no_args_is_help=True)


@evaluation_app.command("recompute")
def recompute(technology: Annotated[list[int] | None, typer.Option(help="Only these technology ids.")] = None
              ) -> None:
    """Recompute market-value scores (all technologies, or --technology ID …); unchanged evidence is skipped.

    Example: techbridge evaluation recompute
    """
    from techbridge.services import evaluation
    from techbridge.services.matching import MatchingService

    with user_errors():
        settings = Settings.from_env()
        db = open_database(settings)
        started = time.perf_counter()
        matching = MatchingService(db, index_dir=settings.data_dir / "index")
        report = evaluation.recompute(db, matching, technology_ids=technology or None)
        typer.echo(f"{report.changed} of {report.technologies} scores changed in {time.perf_counter() - started:.1f} s")


@evaluation_app.command("show")
def show(technology_id: int) -> None:
    """Print one technology's score with its breakdown and evidence as JSON.

    Example: techbridge evaluation show 12
    """
    from techbridge.services import evaluation

    with user_errors():
        echo_json(evaluation.score_of(open_database(Settings.from_env()), technology_id))


@events_app.command("schedule")
def schedule(event_id: int,
             keep: Annotated[bool, typer.Option(help="Keep standing meetings (reschedule after cancellations).")]
             = False,
             time_limit: Annotated[float, typer.Option(help="Solver time limit in seconds.", min=1, max=600)] = 30.0,
             workers: Annotated[int, typer.Option(help="Solver threads.", min=1, max=64)] = 2) -> None:
    """Schedule an event's accepted meeting requests as the operator and print the summary.

    Example: techbridge events schedule 1 --keep
    """
    from techbridge.services import events
    from techbridge.services.events.solver import SolverOptions

    with user_errors():
        db = open_database(Settings.from_env())
        run = events.reschedule if keep else events.schedule
        result = run(db, SYSTEM, event_id, SolverOptions(time_limit_s=time_limit, workers=workers))
        result.pop("unscheduled", None)
        echo_json(result)


@bench_app.command("schedule")
def bench_schedule(
    projects: Annotated[int, typer.Option(min=2, max=100_000)] = 500,
    investors: Annotated[int, typer.Option(min=1, max=100_000)] = 300,
    requests: Annotated[int, typer.Option(min=1, max=1_000_000)] = 3000,
    slots: Annotated[int, typer.Option(min=4, max=200)] = 16,
    tables: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    time_limit: Annotated[float, typer.Option(help="Time limit for the whole solve (s).", min=1, max=600)] = 25.0,
    workers: Annotated[int, typer.Option(help="CP-SAT search workers.", min=1, max=64)] = 2,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 7,
    output: Annotated[Path | None, typer.Option(help="Also write the figures as JSON here.")] = None,
) -> None:
    """Generate an event (sample, synthetic) and time the scheduler on it: solve time, share scheduled, gap;
    every constraint is re-checked by the independent checker.

    Example: techbridge bench schedule --time-limit 20 --workers 2
    """
    from techbridge.domain.events import check_schedule
    from techbridge.services.events.generate import generated_event
    from techbridge.services.events.solver import SolverOptions, solve

    with user_errors():
        started = time.perf_counter()
        problem = generated_event(projects, investors, requests, slots, tables, seed)
        generated = time.perf_counter() - started
        result = solve(problem, SolverOptions(time_limit_s=time_limit, workers=workers))
        violations = check_schedule(problem, result.assignments)
        figures = {
            "projects": projects, "investors": investors, "requests": requests, "slots": slots, "tables": tables,
            "workers": workers, "time_limit_s": time_limit, "cpu_count": os.cpu_count(),
            "generate_seconds": round(generated, 2), "solve_seconds": round(result.solve_seconds, 2),
            "status": result.status, "scheduled": len(result.assignments),
            "share_scheduled": round(len(result.assignments) / requests, 4), "objective": result.objective,
            "bound": result.bound, "gap": round(result.gap, 5),
            "participants_over_their_slots": len(result.warnings), "violations": len(violations)}
        echo_json(figures)
        if output:
            output.write_text(json.dumps(figures, indent=2), encoding="utf-8")
        if violations:
            typer.secho("the independent checker found violations: " + violations[0].detail, fg="red", err=True)
            raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(evaluation_app, name="evaluation")
    app.add_typer(events_app, name="events")
