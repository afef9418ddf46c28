"""Fund pages and API: fund profiles with filters, an investor's own profile form, and recommendations both
ways (fund → projects, project → funds), each with its reasons."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse, Response

from techbridge.domain.funds import InvestmentStage
from techbridge.errors import ValidationFailed
from techbridge.services import funds
from techbridge.web.deps import ActorDep, DatabaseDep, MatchingDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(70, "nav.funds", "/funds")]
Q = Annotated[str, Query(max_length=20)]
Top = Annotated[int, Query(ge=1, le=50)]
FORM_FIELDS = {"name", "stages", "sectors", "regions", "ticket_min_wan", "ticket_max_wan", "fund_size_wan", "thesis",
               "hard_tech_preference", "early_stage_preference", "government_guidance"}


def _filters(stage: str, technology_field: str, province_code: str, ticket_wan: str, government_guidance: str,
             hard_tech: str, early_stage: str) -> dict[str, str]:
    return {"stage": stage, "technology_field": technology_field, "province_code": province_code,
            "ticket_wan": ticket_wan, "government_guidance": government_guidance, "hard_tech": hard_tech,
            "early_stage": early_stage}


@router.get("/api/funds", tags=["funds"], summary="Fund profiles, filtered by stage, sector, region, ticket and flags")
def api_list(db: DatabaseDep, stage: Q = "", technology_field: Q = "", province_code: Q = "", ticket_wan: Q = "",
             government_guidance: Q = "", hard_tech: Q = "", early_stage: Q = "") -> dict[str, Any]:
    f = _filters(stage, technology_field, province_code, ticket_wan, government_guidance, hard_tech, early_stage)
    return {"ok": True, "items": funds.list_funds(db, funds.parse_filter(**f))}


@router.get("/funds", include_in_schema=False)
def page_list(request: Request, db: DatabaseDep, stage: Q = "", technology_field: Q = "", province_code: Q = "",
              ticket_wan: Q = "", government_guidance: Q = "", hard_tech: Q = "", early_stage: Q = "") -> Response:
    f = _filters(stage, technology_field, province_code, ticket_wan, government_guidance, hard_tech, early_stage)
    return render(request, "funds/list.html", {"items": funds.list_funds(db, funds.parse_filter(**f)), "filters": f,
                                               "stages": list(InvestmentStage)})


@router.post("/api/funds", tags=["funds"], status_code=201, summary="Create a fund profile (investors, operators)")
def api_create(db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body(examples=[{
        "name": "…", "stages": ["seed"], "ticket_min_wan": 50, "ticket_max_wan": 500}])]) -> dict[str, Any]:
    fund_id = funds.create_fund(db, actor, data)
    return {"ok": True, "id": fund_id, "item": funds.get_fund(db, fund_id)}


@router.patch("/api/funds/{fund_id}", tags=["funds"], summary="Edit your fund profile")
def api_update(fund_id: int, db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body()]
               ) -> dict[str, Any]:
    funds.update_fund(db, actor, fund_id, data)
    return {"ok": True, "item": funds.get_fund(db, fund_id)}


@router.get("/funds/new", include_in_schema=False)
def page_new(request: Request, actor: ActorDep) -> Response:
    actor.require_login()
    return render(request, "funds/form.html", {"values": {}, "errors": {}, "stages": list(InvestmentStage)})


@router.post("/funds/new", include_in_schema=False)
async def page_create(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    form = await request.form()
    data = await read_form(request, allowed=FORM_FIELDS)
    for multi in ("stages", "sectors", "regions"):
        values = [str(v) for v in form.getlist(multi) if str(v).strip()]
        if values:
            data[multi] = values
    try:
        fund_id = funds.create_fund(db, actor, data)
    except ValidationFailed as exc:
        return render(request, "funds/form.html", {"values": data, "errors": {e.field: e.message for e in exc.errors},
                                                   "error": exc, "stages": list(InvestmentStage)}, status_code=422)
    return RedirectResponse(f"/funds/{fund_id}", status_code=303)


@router.get("/api/funds/{fund_id}", tags=["funds"], summary="One fund and the projects recommended for it")
def api_detail(fund_id: int, db: DatabaseDep, matching: MatchingDep, top: Top = 10) -> dict[str, Any]:
    return {"ok": True, "item": funds.get_fund(db, fund_id),
            "projects": funds.recommend_projects(db, matching, fund_id, top=top)}


@router.get("/funds/{fund_id}", include_in_schema=False)
def page_detail(request: Request, fund_id: int, db: DatabaseDep, matching: MatchingDep, top: Top = 10) -> Response:
    return render(request, "funds/detail.html", {
        "item": funds.get_fund(db, fund_id), "projects": funds.recommend_projects(db, matching, fund_id, top=top)})


@router.get("/api/technologies/{technology_id}/funds", tags=["funds"],
            summary="Funds recommended for a technology (project → funds), with reasons")
def api_for_technology(technology_id: int, db: DatabaseDep, matching: MatchingDep, top: Top = 10) -> dict[str, Any]:
    return {"ok": True, "technology_id": technology_id,
            "funds": funds.recommend_funds(db, matching, technology_id, top=top)}


@router.get("/funds/for-technology/{technology_id}", include_in_schema=False)
def page_for_technology(request: Request, technology_id: int, db: DatabaseDep, matching: MatchingDep,
                        top: Top = 10) -> Response:
    from techbridge.services import catalog

    return render(request, "funds/for_technology.html", {
        "tech": catalog.get(db, "technologies", technology_id),
        "funds": funds.recommend_funds(db, matching, technology_id, top=top)})
