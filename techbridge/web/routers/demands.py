"""Demand (需求) pages and API, with the demand's matches and accept/reject feedback."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.services import catalog, challenge_discovery, visibility
from techbridge.web.deps import ActorDep, DatabaseDep, MatchingDep
from techbridge.web.forms import read_form
from techbridge.web.render import render
from techbridge.web.routers._listing_routes import listing_router

router = listing_router("demands")
NAV = [(30, "nav.demands", "/demands")]


class FeedbackIn(BaseModel):
    decision: str = Field(description="accept or reject")
    reason: str = Field(default="", max_length=2000)


class MatchTextIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    top: int = Field(default=10, ge=1, le=100)
    technology_field: str | None = None
    province_code: str | None = None


def _matches_payload(db: Any, matches: list[Any], actor: Any) -> list[dict[str, Any]]:
    return visibility.match_entries(db, actor, matches)


@router.get("/api/demands/{demand_id}/matches", tags=["matching"],
            summary="Ranked technologies for a demand, each with its reasons")
def api_matches(demand_id: int, db: DatabaseDep, matching: MatchingDep, actor: ActorDep,
                top: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    visibility.require_details(db, actor, "demands", demand_id)
    matches = matching.matches_for_demand(demand_id, top=top)
    return {"ok": True, "demand_id": demand_id, "engine": matching.status(),
            "matches": _matches_payload(db, matches, actor)}


@router.get("/api/demands/{demand_id}/solvers", tags=["matching"],
            summary="Teams and experts for a demand, ranked by their matching results, with reasons")
def api_solvers(demand_id: int, db: DatabaseDep, matching: MatchingDep, actor: ActorDep,
                top: Annotated[int, Query(ge=1, le=50)] = 10) -> dict[str, Any]:
    visibility.require_details(db, actor, "demands", demand_id)
    return {"ok": True, **challenge_discovery.propose_for_demand(db, matching, demand_id, top=top)}


@router.post("/api/match", tags=["matching"], summary="Match free text (a need in plain words) to technologies")
def api_match_text(body: MatchTextIn, db: DatabaseDep, matching: MatchingDep, actor: ActorDep) -> dict[str, Any]:
    matches = matching.match_text(body.text, top=body.top, technology_field=body.technology_field,
                                  province_code=body.province_code)
    return {"ok": True, "engine": matching.status(), "matches": _matches_payload(db, matches, actor)}


@router.post("/api/demands/{demand_id}/matches/{technology_id}/feedback", tags=["matching"],
             summary="Accept or reject a proposed technology, with a reason")
def api_feedback(demand_id: int, technology_id: int, actor: ActorDep, matching: MatchingDep, db: DatabaseDep,
                 body: Annotated[FeedbackIn, Body()]) -> dict[str, Any]:
    visibility.require_party(db, actor, "demands", demand_id)
    matching.record_feedback(actor, demand_id, technology_id, body.decision, body.reason)
    return {"ok": True, "decision": body.decision}


@router.get("/demands/{demand_id}/matches", include_in_schema=False)
def page_matches(request: Request, demand_id: int, db: DatabaseDep, matching: MatchingDep,
                 actor: ActorDep) -> Response:
    visibility.require_details(db, actor, "demands", demand_id)
    demand = catalog.get(db, "demands", demand_id)
    matches = matching.matches_for_demand(demand_id, top=20)
    return render(request, "listings/matches.html", {
        "demand": demand, "matches": _matches_payload(db, matches, actor), "engine": matching.status(),
        "feedback": matching.feedback_for(demand_id),
        "solvers": challenge_discovery.propose_for_demand(db, matching, demand_id, top=5),
        "can_act": visibility.is_party(db, actor, "demands", demand_id)})


@router.post("/demands/{demand_id}/matches/{technology_id}/feedback", include_in_schema=False)
async def page_feedback(request: Request, demand_id: int, technology_id: int, actor: ActorDep,
                        matching: MatchingDep, db: DatabaseDep) -> Response:
    data = await read_form(request, allowed={"decision", "reason"})
    visibility.require_party(db, actor, "demands", demand_id)
    matching.record_feedback(actor, demand_id, technology_id, str(data.get("decision", "")),
                             str(data.get("reason", "")))
    return RedirectResponse(f"/demands/{demand_id}/matches", status_code=303)
