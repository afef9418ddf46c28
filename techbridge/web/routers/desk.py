"""The technology manager's desk: board by stage, overdue tasks, funnel with conversion rates, time in stage."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from techbridge.domain.cases import ACTIVE_STAGES
from techbridge.services import desk
from techbridge.web.deps import ActorDep, DatabaseDep
from techbridge.web.render import render

router = APIRouter()
NAV = [(70, "nav.desk", "/desk")]
Scope = Annotated[str, Query(pattern="^(mine|all)$", description="mine, or all managers (operators)")]


@router.get("/api/desk", tags=["cases"], summary="Desk: board by stage, overdue tasks, funnel, time in stage")
def api_desk(db: DatabaseDep, actor: ActorDep, scope: Scope = "mine") -> dict[str, Any]:
    return {"ok": True, **desk.desk(db, actor, scope=scope)}


@router.get("/desk", include_in_schema=False)
def page_desk(request: Request, db: DatabaseDep, actor: ActorDep, scope: Scope = "mine") -> Response:
    actor.require_login()
    if scope == "mine" and actor.is_operator and not request.query_params.get("scope"):
        scope = "all"
    return render(request, "desk/desk.html", {"desk": desk.desk(db, actor, scope=scope),
                                              "active_stages": [s.value for s in ACTIVE_STAGES]})
