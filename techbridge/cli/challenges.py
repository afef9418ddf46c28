"""``techbridge challenges …`` and ``techbridge cases …``: the same services as the pages, for operators and scripts.

Every command acts as the account given by ``--as EMAIL`` (default: the system operator), so the same roles and
transition rules apply as on the web; an illegal step prints the envelope's message and exits 1.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from techbridge.cli.common import echo_json, open_database, user_errors
from techbridge.config import Settings
from techbridge.domain import challenges as call_rules
from techbridge.domain.roles import Role
from techbridge.errors import FieldError, NotFound, ValidationFailed
from techbridge.services import cases, challenge_discovery, challenge_views, challenges, desk, notifications
from techbridge.services.actor import SYSTEM, Actor
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow

challenges_app = typer.Typer(help="揭榜挂帅 challenge calls: create, workflow steps, applications, reviews, awards.",
                             no_args_is_help=True)
cases_app = typer.Typer(help="技术经理人 cases: open, move, tasks, documents, relay hand-offs, the desk.",
                        no_args_is_help=True)
AsUser = Annotated[str, typer.Option("--as", help="Act as this account (e-mail); default: the system operator.")]
Today = Annotated[str, typer.Option(help="Date the deadline rules use (YYYY-MM-DD); default: today.")]


def _db() -> Database:
    return open_database(Settings.from_env())


def _actor(db: Database, email: str) -> Actor:
    if not email:
        return SYSTEM
    with db.read() as session:
        user = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        if user is None or not user.is_active:
            raise NotFound(f"No active account {email!r}; create it with `techbridge users add`")
        roles = frozenset(Role(r) for r in user.roles if r in Role._value2member_map_)
        return Actor(user_id=user.id, display_name=user.display_name, roles=roles,
                     organisation_id=user.organisation_id)


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Date", errors=[FieldError("--today", "write the date as YYYY-MM-DD")]) from None


def _json_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValidationFailed("Unreadable file", errors=[FieldError(str(path), f"not a JSON object: {exc}")]) from None
    if not isinstance(data, dict):
        raise ValidationFailed("Unreadable file", errors=[FieldError(str(path), "must hold one JSON object")])
    return data


# ---------------------------------------------------------------- challenges

@challenges_app.command("list")
def list_calls(state: Annotated[str, typer.Option(help="Only this state.")] = "", as_: AsUser = "") -> None:
    """List calls (id, state, deadline, title). Example: techbridge challenges list --state published"""
    with user_errors():
        db = _db()
        for item in challenge_views.list_calls(db, _actor(db, as_), state=state):
            typer.echo(f"{item['id']:>5}  {item['state']:<13} {item['deadline']}  {item['title']}")


@challenges_app.command("show")
def show_call(call_id: int, as_: AsUser = "") -> None:
    """Print one call as JSON (what the account may see). Example: techbridge challenges show 3"""
    with user_errors():
        db = _db()
        echo_json(challenge_views.call_view(db, _actor(db, as_), call_id))


@challenges_app.command("workflow")
def workflow() -> None:
    """Print the call state machine: action, from, to, who, deadline rule."""
    for t in call_rules.CALL_TRANSITIONS.values():
        typer.echo(f"{t.action:<19} {','.join(sorted(s.value for s in t.sources)):<45} → {t.target.value:<13} "
                   f"{'/'.join(sorted(p.value for p in t.parties)):<16} {t.deadline.value}"
                   f"{' (reason)' if t.needs_reason else ''}")


@challenges_app.command("create")
def create_call(file: Annotated[Path, typer.Argument(help="JSON object with the call's fields.", exists=True)],
                as_: AsUser = "") -> None:
    """Draft a call from a JSON file. Example: techbridge challenges create call.json --as issuer@example.org"""
    with user_errors():
        db = _db()
        typer.echo(challenges.create_call(db, _actor(db, as_), _json_file(file)))


@challenges_app.command("step")
def step(call_id: int, action: Annotated[str, typer.Argument(help="submit, return, publish, close_applications, "
                                                                     "start_notice, reopen_review, award, accept, "
                                                                     "pay_reward, terminate")],
         reason: Annotated[str, typer.Option(help="Why (required for return, reopen_review, terminate).")] = "",
         winner: Annotated[list[int] | None, typer.Option(help="award: application id (repeat for 赛马).")] = None,
         as_: AsUser = "", today: Today = "") -> None:
    """Take one workflow step. Example: techbridge challenges step 3 award --winner 7 --winner 9 --as issuer@x.cn"""
    with user_errors():
        db = _db()
        typer.echo(challenges.transition(db, _actor(db, as_), call_id, action, reason=reason, winners=winner or [],
                                         today=_date(today)))


@challenges_app.command("apply")
def apply(call_id: int, file: Annotated[Path, typer.Argument(help="JSON application.", exists=True)],
          as_: AsUser = "", today: Today = "") -> None:
    """Apply to a call with a JSON file (team_name, plan, budget_yuan, team, prior_technology_ids …)."""
    with user_errors():
        db = _db()
        typer.echo(challenges.apply(db, _actor(db, as_), call_id, _json_file(file), today=_date(today)))


@challenges_app.command("panel")
def panel(call_id: int, expert: Annotated[list[int], typer.Option(help="Expert user id (repeatable).")],
          as_: AsUser = "") -> None:
    """Put experts on a call's panel and print the conflicts that exclude them."""
    with user_errors():
        db = _db()
        result = challenges.assign_panel(db, _actor(db, as_), call_id, expert)
        echo_json(result)


@challenges_app.command("score")
def score(application_id: int, mark: Annotated[list[str], typer.Option("--score", help="criterion=0..10")],
          comment: str = "", as_: AsUser = "", today: Today = "") -> None:
    """Score an application. Example: techbridge challenges score 7 --score approach=8 --score team=7 … --as e@x.cn"""
    with user_errors():
        db = _db()
        scores = dict(item.split("=", 1) for item in mark if "=" in item)
        typer.echo(challenges.score(db, _actor(db, as_), application_id, scores, comment, today=_date(today)))


@challenges_app.command("object")
def object_(call_id: int, text: str, as_: AsUser = "", today: Today = "") -> None:
    """Raise an objection during the public notice."""
    with user_errors():
        db = _db()
        typer.echo(challenges.object_to(db, _actor(db, as_), call_id, text, today=_date(today)))


@challenges_app.command("resolve")
def resolve(objection_id: int, decision: str, resolution: str, as_: AsUser = "") -> None:
    """Uphold or dismiss an objection (operator)."""
    with user_errors():
        db = _db()
        challenges.resolve_objection(db, _actor(db, as_), objection_id, decision, resolution)
        typer.echo("ok")


@challenges_app.command("milestone")
def milestone(award_id: int, milestone_id: int, outcome: str, comment: str = "", as_: AsUser = "") -> None:
    """Review a milestone of an award: passed releases its share, failed terminates the team."""
    with user_errors():
        db = _db()
        result = challenges.review_milestone(db, _actor(db, as_), award_id, milestone_id, outcome, comment)
        echo_json({**result, "released_yuan": call_rules.yuan(result["released_fen"])})


@challenges_app.command("solvers")
def solvers(call_id: int, top: int = 10) -> None:
    """Proposed teams and experts for a call, with reasons."""
    with user_errors():
        db = _db()
        matching = MatchingService(db, index_dir=Settings.from_env().data_dir / "index")
        echo_json(challenge_discovery.propose(db, matching, call_id, top=top))


@challenges_app.command("remind")
def remind(today: Today = "", days_ahead: int = 3) -> None:
    """Create deadline notifications (tasks, application deadlines, notice windows); run daily."""
    with user_errors():
        typer.echo(f"{desk.remind(_db(), today=_date(today), days_ahead=days_ahead)} notification(s)")


@challenges_app.command("outbox")
def outbox(send: Annotated[bool, typer.Option(help="Print each pending e-mail and mark it sent.")] = False) -> None:
    """Drain the notification e-mail outbox to stdout (stands in for a mail sender, which is not configured)."""
    with user_errors():
        db = _db()
        if not send:
            typer.echo("pass --send to print and mark pending e-mails as sent")
            return
        report = notifications.drain_outbox(db, lambda to, subject, body: typer.echo(f"To: {to}\nSubject: {subject}"
                                                                                     f"\n\n{body}\n---"))
        typer.echo(f"sent {report.sent}, failed {report.failed}, pending {report.pending}")


# ---------------------------------------------------------------- cases

@cases_app.command("list")
def list_cases(scope: str = "mine", stage: str = "", as_: AsUser = "") -> None:
    """List cases (mine, or all for operators)."""
    with user_errors():
        db = _db()
        for item in desk.list_cases(db, _actor(db, as_), scope=scope, stage=stage):
            typer.echo(f"{item['id']:>5}  {item['stage']:<18} {item['days_in_stage']:>6} d  {item['title']}")


@cases_app.command("show")
def show_case(case_id: int, as_: AsUser = "") -> None:
    """Print a case with tasks, documents, hand-offs and history as JSON."""
    with user_errors():
        db = _db()
        echo_json(desk.case_view(db, _actor(db, as_), case_id))


@cases_app.command("open")
def open_case(title: str, demand: int | None = None, technology: int | None = None, manager: int | None = None,
              from_match: Annotated[bool, typer.Option(help="Open from the accepted match demand × technology.")]
              = False, award: Annotated[int | None, typer.Option(help="Open from this challenge award.")] = None,
              as_: AsUser = "") -> None:
    """Open a case by hand, from an accepted match or from an award. Example: techbridge cases open "对接" --demand 3"""
    with user_errors():
        db = _db()
        actor = _actor(db, as_)
        if award is not None:
            typer.echo(cases.open_from_award(db, actor, award))
        elif from_match:
            typer.echo(cases.open_from_match(db, actor, demand or 0, technology or 0))
        else:
            data: dict[str, Any] = {"title": title, "demand_id": demand, "technology_id": technology,
                                    "manager_user_id": manager}
            typer.echo(cases.open_case(db, actor, {k: v for k, v in data.items() if v is not None}))


@cases_app.command("move")
def move(case_id: int, action: Annotated[str, typer.Argument(help="advance, move_back, close or reopen")],
         to: Annotated[str, typer.Option(help="Target stage.")] = "", reason: str = "", as_: AsUser = "") -> None:
    """Move a case. Example: techbridge cases move 4 move_back --to evaluation --reason "估值需重做" """
    with user_errors():
        db = _db()
        typer.echo(cases.move(db, _actor(db, as_), case_id, action, target=to or None, reason=reason))


@cases_app.command("task")
def task(case_id: int, title: str, owner: int | None = None, due: str = "", as_: AsUser = "") -> None:
    """Add a task with owner (user id) and due date."""
    with user_errors():
        db = _db()
        typer.echo(cases.add_task(db, _actor(db, as_), case_id, title, owner_user_id=owner, due_on=_date(due)))


@cases_app.command("note")
def note(case_id: int, text: str, as_: AsUser = "") -> None:
    """Add a note to a case's history."""
    with user_errors():
        db = _db()
        cases.add_note(db, _actor(db, as_), case_id, text)
        typer.echo("ok")


@cases_app.command("document")
def document(case_id: int, kind: str, title: str, reference: str = "", as_: AsUser = "") -> None:
    """Record a document (nda, loi, term_sheet, contract, …)."""
    with user_errors():
        db = _db()
        typer.echo(cases.add_document(db, _actor(db, as_), case_id, kind, title, reference))


@cases_app.command("handoff")
def handoff(case_id: int, to_org: int, host_kind: str, note_: Annotated[str, typer.Option("--note")] = "",
            as_: AsUser = "") -> None:
    """Relay incubation (接力孵化): hand the case to another host organisation."""
    with user_errors():
        db = _db()
        typer.echo(cases.handoff(db, _actor(db, as_), case_id, to_org, host_kind, note_))


@cases_app.command("desk")
def desk_cmd(scope: str = "mine", as_: AsUser = "") -> None:
    """The desk figures as JSON: board counts, overdue tasks, funnel, time in stage (and per manager for all)."""
    with user_errors():
        db = _db()
        data = desk.desk(db, _actor(db, as_), scope=scope)
        data["board"] = {stage: len(items) for stage, items in data["board"].items()}
        echo_json(data)


def register(app: typer.Typer) -> None:
    app.add_typer(challenges_app, name="challenges")
    app.add_typer(cases_app, name="cases")
