"""技术经理人 case pages and /api twins: list, open (by hand, from a match, from an award), detail with history,
moves, tasks, notes, documents, relay-incubation hand-offs and assignment."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.domain.cases import DOCUMENT_KINDS, HostKind, Stage
from techbridge.errors import FieldError, ValidationFailed
from techbridge.services import cases, desk
from techbridge.web.deps import ActorDep, DatabaseDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
TAG: list[str | Enum] = ["cases"]
Scope = Annotated[str, Query(pattern="^(mine|all)$", description="mine, or all (operators)")]


class MoveIn(BaseModel):
    action: str = Field(description="advance, move_back, close or reopen")
    target: str | None = Field(default=None, description="stage to move to (advance/move_back)")
    reason: str = Field(default="", max_length=5000)


class FromMatchIn(BaseModel):
    demand_id: int
    technology_id: int


class FromAwardIn(BaseModel):
    award_id: int


class TaskIn(BaseModel):
    title: str = Field(max_length=300)
    owner_user_id: int | None = None
    due_on: dt.date | None = None


class NoteIn(BaseModel):
    text: str = Field(max_length=10_000)


class DocumentIn(BaseModel):
    kind: str = Field(description=", ".join(DOCUMENT_KINDS))
    title: str = Field(max_length=300)
    reference: str = Field(default="", max_length=500)


class HandoffIn(BaseModel):
    to_org_id: int
    host_kind: str = Field(description=", ".join(k.value for k in HostKind))
    note: str = Field(default="", max_length=5000)


class AssignIn(BaseModel):
    manager_user_id: int


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("Date", errors=[FieldError("due_on", "write the date as YYYY-MM-DD")]) from None


def _int(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise ValidationFailed("Id", errors=[FieldError(field, "must be a numeric id")])
    return int(str(value))


@router.get("/api/cases", tags=TAG, summary="Cases: mine (technology manager) or all (operator)")
def api_list(db: DatabaseDep, actor: ActorDep, scope: Scope = "mine",
             stage: Annotated[str, Query(max_length=30)] = "") -> dict[str, Any]:
    return {"ok": True, "items": desk.list_cases(db, actor, scope=scope, stage=stage)}


@router.get("/cases", include_in_schema=False)
def page_list(request: Request, db: DatabaseDep, actor: ActorDep, scope: Scope = "mine",
              stage: Annotated[str, Query(max_length=30)] = "") -> Response:
    return render(request, "cases/list.html", {"items": desk.list_cases(db, actor, scope=scope, stage=stage),
                                               "scope": scope, "stage": stage, "stages": [s.value for s in Stage]})


@router.post("/api/cases", tags=TAG, status_code=201, summary="Open a case by hand")
def api_open(db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    case_id = cases.open_case(db, actor, data)
    return {"ok": True, "id": case_id, "item": desk.case_view(db, actor, case_id)}


@router.post("/api/cases/from-match", tags=TAG, status_code=201, summary="Open a case from an accepted match")
def api_from_match(db: DatabaseDep, actor: ActorDep, body: FromMatchIn) -> dict[str, Any]:
    return {"ok": True, "id": cases.open_from_match(db, actor, body.demand_id, body.technology_id)}


@router.post("/api/cases/from-award", tags=TAG, status_code=201, summary="Open a case from a challenge award")
def api_from_award(db: DatabaseDep, actor: ActorDep, body: FromAwardIn) -> dict[str, Any]:
    return {"ok": True, "id": cases.open_from_award(db, actor, body.award_id)}


@router.get("/cases/new", include_in_schema=False)
def page_new(request: Request, actor: ActorDep) -> Response:
    actor.require_login()
    return render(request, "cases/form.html", {"values": dict(request.query_params), "errors": {}})


@router.post("/cases/new", include_in_schema=False)
async def page_open(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"title", "summary", "demand_id", "technology_id", "seller_org_id",
                                             "buyer_org_id", "manager_user_id", "from", "award_id"})
    try:
        origin = data.pop("from", "manual")
        if origin == "match":
            case_id = cases.open_from_match(db, actor, _int(data.get("demand_id"), "demand_id") or 0,
                                            _int(data.get("technology_id"), "technology_id") or 0)
        elif origin == "award":
            case_id = cases.open_from_award(db, actor, _int(data.get("award_id"), "award_id") or 0)
        else:
            data.pop("award_id", None)
            case_id = cases.open_case(db, actor, data)
    except ValidationFailed as exc:
        return render(request, "cases/form.html", {"values": data, "error": exc,
                                                   "errors": {e.field: e.message for e in exc.errors}},
                      status_code=422)
    return _back(case_id)


@router.get("/api/cases/{case_id}", tags=TAG, summary="One case with tasks, documents, hand-offs and history")
def api_detail(case_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, "item": desk.case_view(db, actor, case_id)}


@router.get("/cases/{case_id}", include_in_schema=False)
def page_detail(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    return render(request, "cases/detail.html", {"case": desk.case_view(db, actor, case_id),
                                                 "document_kinds": DOCUMENT_KINDS,
                                                 "host_kinds": [k.value for k in HostKind]})


@router.post("/api/cases/{case_id}/moves", tags=TAG,
             summary="Advance, move back, close or reopen; an illegal move answers 409 illegal_transition")
def api_move(case_id: int, db: DatabaseDep, actor: ActorDep, body: MoveIn) -> dict[str, Any]:
    stage = cases.move(db, actor, case_id, body.action, target=body.target, reason=body.reason)
    return {"ok": True, "stage": stage, "item": desk.case_view(db, actor, case_id)}


@router.post("/cases/{case_id}/moves", include_in_schema=False)
async def page_move(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"move", "action", "target", "reason"})
    action, _sep, target = str(data.get("move", "")).partition(":")
    cases.move(db, actor, case_id, action or str(data.get("action", "")), target=target or data.get("target"),
               reason=str(data.get("reason", "")))
    return _back(case_id)


@router.post("/api/cases/{case_id}/tasks", tags=TAG, status_code=201, summary="Add a task with owner and due date")
def api_task(case_id: int, db: DatabaseDep, actor: ActorDep, body: TaskIn) -> dict[str, Any]:
    return {"ok": True, "id": cases.add_task(db, actor, case_id, body.title, owner_user_id=body.owner_user_id,
                                             due_on=body.due_on)}


@router.post("/cases/{case_id}/tasks", include_in_schema=False)
async def page_task(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"title", "owner_user_id", "due_on"})
    cases.add_task(db, actor, case_id, str(data.get("title", "")),
                   owner_user_id=_int(data.get("owner_user_id"), "owner_user_id"), due_on=_date(data.get("due_on")))
    return _back(case_id)


@router.post("/api/cases/tasks/{task_id}/done", tags=TAG, summary="Mark a task done")
def api_task_done(task_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    cases.complete_task(db, actor, task_id)
    return {"ok": True}


@router.post("/cases/{case_id}/tasks/{task_id}/done", include_in_schema=False)
async def page_task_done(request: Request, case_id: int, task_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    await read_form(request)
    cases.complete_task(db, actor, task_id)
    return _back(case_id)


@router.post("/api/cases/{case_id}/notes", tags=TAG, status_code=201, summary="Add a note to the history")
def api_note(case_id: int, db: DatabaseDep, actor: ActorDep, body: NoteIn) -> dict[str, Any]:
    cases.add_note(db, actor, case_id, body.text)
    return {"ok": True}


@router.post("/cases/{case_id}/notes", include_in_schema=False)
async def page_note(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"text"})
    cases.add_note(db, actor, case_id, str(data.get("text", "")))
    return _back(case_id)


@router.post("/api/cases/{case_id}/documents", tags=TAG, status_code=201,
             summary="Record a document (NDA, LOI …) by title and reference")
def api_document(case_id: int, db: DatabaseDep, actor: ActorDep, body: DocumentIn) -> dict[str, Any]:
    return {"ok": True, "id": cases.add_document(db, actor, case_id, body.kind, body.title, body.reference)}


@router.post("/cases/{case_id}/documents", include_in_schema=False)
async def page_document(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"kind", "title", "reference"})
    cases.add_document(db, actor, case_id, str(data.get("kind", "")), str(data.get("title", "")),
                       str(data.get("reference", "")))
    return _back(case_id)


@router.post("/api/cases/{case_id}/handoffs", tags=TAG, status_code=201,
             summary="Relay incubation (接力孵化): hand the case to another host organisation")
def api_handoff(case_id: int, db: DatabaseDep, actor: ActorDep, body: HandoffIn) -> dict[str, Any]:
    return {"ok": True, "id": cases.handoff(db, actor, case_id, body.to_org_id, body.host_kind, body.note)}


@router.post("/cases/{case_id}/handoffs", include_in_schema=False)
async def page_handoff(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"to_org_id", "host_kind", "note"})
    cases.handoff(db, actor, case_id, _int(data.get("to_org_id"), "to_org_id") or 0, str(data.get("host_kind", "")),
                  str(data.get("note", "")))
    return _back(case_id)


@router.post("/api/cases/{case_id}/assign", tags=TAG, summary="Assign the case to a technology manager (operator)")
def api_assign(case_id: int, db: DatabaseDep, actor: ActorDep, body: AssignIn) -> dict[str, Any]:
    cases.assign(db, actor, case_id, body.manager_user_id)
    return {"ok": True}


@router.post("/cases/{case_id}/assign", include_in_schema=False)
async def page_assign(request: Request, case_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"manager_user_id"})
    cases.assign(db, actor, case_id, _int(data.get("manager_user_id"), "manager_user_id") or 0)
    return _back(case_id)
