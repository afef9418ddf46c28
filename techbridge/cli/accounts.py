"""Operator commands of the accounts area: set roles, search the audit log.

They act as the system operator and run inside an audit context (user "system", address "cli"), so what
they change is itself audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from techbridge.cli.common import echo_json, open_database, user_errors
from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services import accounts, audit
from techbridge.services.actor import SYSTEM

_CLI = audit.AuditContext(user_id=None, ip="cli", path="techbridge cli")


def set_roles(
    user_id: Annotated[int, typer.Argument(help="The account's id (see /api/users).")],
    role: Annotated[list[Role], typer.Option(help="Role (repeatable); replaces the current roles.")],
) -> None:
    """Replace an account's roles.

    Example: techbridge set-roles 7 --role technology_manager --role expert
    """
    with user_errors():
        db = open_database(Settings.from_env())
        audit.install()
        with audit.bound(_CLI):
            roles = accounts.set_roles(db, SYSTEM, user_id, [r.value for r in role])
    typer.echo(f"user {user_id}: {', '.join(roles)}")


def audit_search(
    user_id: Annotated[int | None, typer.Option(help="Only this user's events.")] = None,
    action: Annotated[str, typer.Option(help="create, update, delete, view_confidential.")] = "",
    entity_kind: Annotated[str, typer.Option(help="Table or listing kind, e.g. demands.")] = "",
    entity_id: Annotated[str, typer.Option(help="Row id.")] = "",
    since: Annotated[str, typer.Option(help="From this date (YYYY-MM-DD).")] = "",
    limit: Annotated[int, typer.Option(min=1, max=200)] = 50,
) -> None:
    """Search the audit log (newest first), printed as JSON.

    Example: techbridge audit --action view_confidential --entity-kind demands
    """
    with user_errors():
        try:
            start = dt.date.fromisoformat(since) if since else None
        except ValueError:
            raise typer.BadParameter("use a date such as 2026-01-31", param_hint="--since") from None
        db = open_database(Settings.from_env())
        result = audit.search(db, SYSTEM, audit.AuditQuery(user_id=user_id, action=action, entity_kind=entity_kind,
                                                           entity_id=entity_id, since=start), per_page=limit)
    echo_json({"total": result.total, "items": result.items})


def register(app: typer.Typer) -> None:
    app.command("set-roles")(set_roles)
    app.command("audit")(audit_search)
