"""揭榜挂帅 pages and their /api twins: list, create/edit, detail with timeline, every workflow step, applications,
panel, scores, objections, milestone reviews, solver discovery and invitations."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.domain import challenges as rules
from techbridge.errors import FieldError, PermissionDenied, ValidationFailed
from techbridge.services import challenge_discovery, challenge_views, challenges
from techbridge.web.deps import ActorDep, DatabaseDep, MatchingDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(60, "nav.challenges", "/challenges")]
TAG: list[str | Enum] = ["challenges"]
StateQ = Annotated[str, Query(max_length=20, description="Only calls in this state")]


class TransitionIn(BaseModel):
    action: str = Field(description="submit, return, publish, close_applications, start_notice, reopen_review, "
                                    "award, accept, pay_reward or terminate")
    reason: str = Field(default="", max_length=5000)
    winners: list[int] = Field(default_factory=list, description="award: application ids, best first")
    amounts_yuan: list[str] | None = Field(default=None, description="award: amount per winner (yuan)")


class PanelIn(BaseModel):
    expert_user_ids: list[int] = Field(min_length=1, max_length=50)


class ScoreIn(BaseModel):
    scores: dict[str, float] = Field(description="0–10 per rubric criterion")
    comment: str = Field(default="", max_length=5000)


class ObjectionIn(BaseModel):
    text: str = Field(max_length=5000)
    application_id: int | None = None


class ResolveIn(BaseModel):
    decision: str = Field(description="upheld or dismissed")
    resolution: str = Field(max_length=5000)


class MilestoneReviewIn(BaseModel):
    outcome: str = Field(description="passed or failed")
    comment: str = Field(default="", max_length=5000)


class InviteIn(BaseModel):
    organisation_id: int | None = None
    person_id: int | None = None
    reasons: list[str] = Field(default_factory=list, max_length=10)


def _amounts(values: list[str] | None) -> list[int] | None:
    return [rules.fen_from_yuan(v) for v in values] if values else None


def _ids(text: Any, field: str) -> list[int]:
    items = [p.strip() for p in str(text or "").replace("，", ",").split(",") if p.strip()]
    if not all(p.isdigit() for p in items):
        raise ValidationFailed("Ids", errors=[FieldError(field, "list numeric ids separated by commas")])
    return [int(p) for p in items]


def _require_issuer_or_operator(view: dict[str, Any]) -> None:
    """Solver proposals are the issuer's working tool (and the operator's), not a public page."""
    if not {"issuer", "operator"} & set(view["parties"]):
        raise PermissionDenied("Only the issuer or an operator sees the proposed solvers of a call")


def _back(call_id: int) -> RedirectResponse:
    return RedirectResponse(f"/challenges/{call_id}", status_code=303)


# ---------------------------------------------------------------- reads

@router.get("/api/challenges", tags=TAG, summary="Challenge calls visible to you (drafts only to their issuer)")
def api_list(db: DatabaseDep, actor: ActorDep, state: StateQ = "", mine: bool = False) -> dict[str, Any]:
    return {"ok": True, "items": challenge_views.list_calls(db, actor, state=state, mine=mine)}


@router.get("/challenges", include_in_schema=False)
def page_list(request: Request, db: DatabaseDep, actor: ActorDep, state: StateQ = "", mine: bool = False) -> Response:
    return render(request, "challenges/list.html", {
        "items": challenge_views.list_calls(db, actor, state=state, mine=mine), "state": state, "mine": mine,
        "states": [s.value for s in rules.CallState]})


@router.get("/api/challenges/workflow", tags=TAG, summary="The call state machine: actions, states, parties, rules")
def api_workflow() -> dict[str, Any]:
    return {"ok": True, "transitions": [
        {"action": t.action, "from": sorted(s.value for s in t.sources), "to": t.target.value,
         "parties": sorted(p.value for p in t.parties), "deadline_rule": t.deadline.value,
         "needs_reason": t.needs_reason} for t in rules.CALL_TRANSITIONS.values()],
        "activities": [{"activity": a, "states": sorted(s.value for s in states),
                        "parties": sorted(p.value for p in parties), "deadline_rule": rule.value}
                       for a, (states, parties, rule) in rules.CALL_ACTIVITIES.items()],
        "rubric": [c.__dict__ for c in rules.DEFAULT_RUBRIC], "trim_from": rules.TRIM_FROM}


@router.get("/api/challenges/{call_id}", tags=TAG, summary="One call: public facts and timeline; details for parties")
def api_detail(call_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, "item": challenge_views.call_view(db, actor, call_id)}


@router.get("/challenges/new", include_in_schema=False)
def page_new(request: Request, actor: ActorDep) -> Response:
    actor.require_login()
    return render(request, "challenges/form.html", {"values": {}, "errors": {}, "item": None})


@router.get("/challenges/{call_id}", include_in_schema=False)
def page_detail(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    view = challenge_views.call_view(db, actor, call_id)
    return render(request, "challenges/detail.html", {"call": view, "today": dt.date.today().isoformat()})


# ---------------------------------------------------------------- create and edit

@router.post("/api/challenges", tags=TAG, status_code=201, summary="Draft a call (issuer: government or enterprise)")
def api_create(db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    call_id = challenges.create_call(db, actor, data)
    return {"ok": True, "id": call_id, "item": challenge_views.call_view(db, actor, call_id)}


def _form_values(view: dict[str, Any]) -> dict[str, Any]:
    values = {k: view.get(k) for k in ("title", "background", "goals", "deliverables", "eligibility", "contact",
                                       "technology_field", "deadline", "period_months", "notice_days", "min_reviews")}
    values["reward_yuan"] = view.get("reward_yuan")
    values["cofunding_yuan"] = view.get("cofunding_yuan")
    values["metrics"] = "\n".join(f"{m['name']}: {m['target']}" for m in view.get("metrics") or [])
    values["milestones"] = "\n".join(f"{m['title']} | {m['due_month']} | {m['share_percent']:g} | {m['criteria']}"
                                     for m in view.get("milestones") or [])
    return values


FORM_FIELDS = {"title", "background", "goals", "deliverables", "eligibility", "contact", "technology_field",
               "deadline", "period_months", "notice_days", "min_reviews", "reward_yuan", "cofunding_yuan", "metrics",
               "milestones"}


@router.post("/challenges/new", include_in_schema=False)
async def page_create(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed=FORM_FIELDS)
    try:
        call_id = challenges.create_call(db, actor, data)
    except ValidationFailed as exc:
        return render(request, "challenges/form.html", {"values": data, "item": None, "error": exc,
                                                        "errors": {e.field.split(".")[0]: e.message
                                                                   for e in exc.errors}}, status_code=422)
    return _back(call_id)


@router.patch("/api/challenges/{call_id}", tags=TAG, summary="Edit a draft call (issuer)")
def api_update(call_id: int, db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body()]
               ) -> dict[str, Any]:
    challenges.update_call(db, actor, call_id, data)
    return {"ok": True, "item": challenge_views.call_view(db, actor, call_id)}


@router.get("/challenges/{call_id}/edit", include_in_schema=False)
def page_edit(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    actor.require_login()
    view = challenge_views.call_view(db, actor, call_id)
    return render(request, "challenges/form.html", {"values": _form_values(view), "errors": {}, "item": view})


@router.post("/challenges/{call_id}/edit", include_in_schema=False)
async def page_update(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed=FORM_FIELDS)
    try:
        challenges.update_call(db, actor, call_id, data)
    except ValidationFailed as exc:
        view = challenge_views.call_view(db, actor, call_id)
        return render(request, "challenges/form.html", {"values": data, "item": view, "error": exc,
                                                        "errors": {e.field.split(".")[0]: e.message
                                                                   for e in exc.errors}}, status_code=422)
    return _back(call_id)


# ---------------------------------------------------------------- workflow steps

@router.post("/api/challenges/{call_id}/transitions", tags=TAG,
             summary="Take a workflow step; an illegal one answers 409 illegal_transition")
def api_transition(call_id: int, db: DatabaseDep, actor: ActorDep, body: TransitionIn) -> dict[str, Any]:
    state = challenges.transition(db, actor, call_id, body.action, reason=body.reason, winners=body.winners,
                                  amounts_fen=_amounts(body.amounts_yuan))
    return {"ok": True, "state": state}


@router.post("/challenges/{call_id}/transitions", include_in_schema=False)
async def page_transition(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    form = await request.form()
    data = await read_form(request, allowed={"action", "reason", "winners", "amounts_yuan"})
    winners = [int(str(w)) for w in form.getlist("winners") if str(w).isdigit()] or _ids(data.get("winners"), "winners")
    amounts = [a.strip() for a in str(data.get("amounts_yuan", "")).split(",") if a.strip()] or None
    challenges.transition(db, actor, call_id, str(data.get("action", "")), reason=str(data.get("reason", "")),
                          winners=winners, amounts_fen=_amounts(amounts))
    return _back(call_id)


@router.post("/api/challenges/{call_id}/applications", tags=TAG, status_code=201,
             summary="Apply (揭榜) with plan, team, prior results and budget")
def api_apply(call_id: int, db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body()]
              ) -> dict[str, Any]:
    return {"ok": True, "id": challenges.apply(db, actor, call_id, data)}


@router.post("/challenges/{call_id}/apply", include_in_schema=False)
async def page_apply(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"team_name", "plan", "budget_yuan", "team", "member_person_ids",
                                             "prior_technology_ids", "prior_results"})
    challenges.apply(db, actor, call_id, data)
    return _back(call_id)


@router.post("/api/challenges/applications/{application_id}/withdraw", tags=TAG, summary="Withdraw an application")
def api_withdraw(application_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    challenges.withdraw_application(db, actor, application_id)
    return {"ok": True}


@router.post("/challenges/{call_id}/applications/{application_id}/withdraw", include_in_schema=False)
async def page_withdraw(request: Request, call_id: int, application_id: int, db: DatabaseDep, actor: ActorDep
                        ) -> Response:
    await read_form(request)
    challenges.withdraw_application(db, actor, application_id)
    return _back(call_id)


@router.post("/api/challenges/{call_id}/panel", tags=TAG, summary="Put experts on the panel (operator)")
def api_panel(call_id: int, db: DatabaseDep, actor: ActorDep, body: PanelIn) -> dict[str, Any]:
    result = challenges.assign_panel(db, actor, call_id, body.expert_user_ids)
    return {"ok": True, "added": result["added"],
            "conflicts": {str(e): {str(a): r for a, r in apps.items()} for e, apps in result["conflicts"].items()}}


@router.post("/challenges/{call_id}/panel", include_in_schema=False)
async def page_panel(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"expert_user_ids"})
    challenges.assign_panel(db, actor, call_id, _ids(data.get("expert_user_ids"), "expert_user_ids"))
    return _back(call_id)


@router.post("/api/challenges/applications/{application_id}/reviews", tags=TAG,
             summary="Score an application on the rubric (panel expert; conflicts of interest answer 409)")
def api_score(application_id: int, db: DatabaseDep, actor: ActorDep, body: ScoreIn) -> dict[str, Any]:
    return {"ok": True, "total": challenges.score(db, actor, application_id, body.scores, body.comment)}


@router.post("/challenges/applications/{application_id}/reviews", include_in_schema=False)
async def page_score(request: Request, application_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    keys = {c.key for c in rules.DEFAULT_RUBRIC}
    data = await read_form(request, allowed={*keys, "comment", "call_id"})
    challenges.score(db, actor, application_id, {k: data[k] for k in keys if k in data}, str(data.get("comment", "")))
    return _back(int(str(data.get("call_id", "0")))) if str(data.get("call_id", "")).isdigit() else \
        RedirectResponse("/challenges", status_code=303)


@router.post("/api/challenges/{call_id}/objections", tags=TAG, status_code=201,
             summary="Raise an objection during the public notice")
def api_object(call_id: int, db: DatabaseDep, actor: ActorDep, body: ObjectionIn) -> dict[str, Any]:
    return {"ok": True, "id": challenges.object_to(db, actor, call_id, body.text, body.application_id)}


@router.post("/challenges/{call_id}/objections", include_in_schema=False)
async def page_object(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"text"})
    challenges.object_to(db, actor, call_id, str(data.get("text", "")))
    return _back(call_id)


@router.post("/api/challenges/objections/{objection_id}/resolve", tags=TAG, summary="Uphold or dismiss (operator)")
def api_resolve(objection_id: int, db: DatabaseDep, actor: ActorDep, body: ResolveIn) -> dict[str, Any]:
    challenges.resolve_objection(db, actor, objection_id, body.decision, body.resolution)
    return {"ok": True}


@router.post("/challenges/{call_id}/objections/{objection_id}/resolve", include_in_schema=False)
async def page_resolve(request: Request, call_id: int, objection_id: int, db: DatabaseDep, actor: ActorDep
                       ) -> Response:
    data = await read_form(request, allowed={"decision", "resolution"})
    challenges.resolve_objection(db, actor, objection_id, str(data.get("decision", "")),
                                 str(data.get("resolution", "")))
    return _back(call_id)


@router.post("/api/challenges/awards/{award_id}/milestones/{milestone_id}/review", tags=TAG,
             summary="Milestone review: passed releases its share of the award, failed terminates the team")
def api_milestone(award_id: int, milestone_id: int, db: DatabaseDep, actor: ActorDep, body: MilestoneReviewIn
                  ) -> dict[str, Any]:
    result = challenges.review_milestone(db, actor, award_id, milestone_id, body.outcome, body.comment)
    return {"ok": True, **result, "released_yuan": rules.yuan(result["released_fen"])}


@router.post("/challenges/{call_id}/awards/{award_id}/milestones/{milestone_id}/review", include_in_schema=False)
async def page_milestone(request: Request, call_id: int, award_id: int, milestone_id: int, db: DatabaseDep,
                         actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"outcome", "comment"})
    challenges.review_milestone(db, actor, award_id, milestone_id, str(data.get("outcome", "")),
                                str(data.get("comment", "")))
    return _back(call_id)


# ---------------------------------------------------------------- solver discovery and invitations

@router.get("/api/challenges/{call_id}/solvers", tags=TAG, summary="Proposed teams and experts, ranked, with reasons")
def api_solvers(call_id: int, db: DatabaseDep, actor: ActorDep, matching: MatchingDep,
                top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    _require_issuer_or_operator(challenge_views.call_view(db, actor, call_id))
    return {"ok": True, **challenge_discovery.propose(db, matching, call_id, top=top)}


@router.get("/challenges/{call_id}/solvers", include_in_schema=False)
def page_solvers(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep, matching: MatchingDep) -> Response:
    view = challenge_views.call_view(db, actor, call_id)
    _require_issuer_or_operator(view)
    return render(request, "challenges/solvers.html", {"call": view,
                                                       "proposal": challenge_discovery.propose(db, matching, call_id)})


@router.post("/api/challenges/{call_id}/invitations", tags=TAG, status_code=201,
             summary="Invite a proposed team (organisation) or expert (person)")
def api_invite(call_id: int, db: DatabaseDep, actor: ActorDep, body: InviteIn) -> dict[str, Any]:
    return {"ok": True, "id": challenges.invite(db, actor, call_id, organisation_id=body.organisation_id,
                                                person_id=body.person_id, reasons=body.reasons)}


@router.post("/challenges/{call_id}/invitations", include_in_schema=False)
async def page_invite(request: Request, call_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"organisation_id", "person_id", "reason"})
    org, person = str(data.get("organisation_id", "")), str(data.get("person_id", ""))
    challenges.invite(db, actor, call_id, organisation_id=int(org) if org.isdigit() else None,
                      person_id=int(person) if person.isdigit() else None,
                      reasons=[str(data["reason"])] if data.get("reason") else [])
    return RedirectResponse(f"/challenges/{call_id}/solvers", status_code=303)
