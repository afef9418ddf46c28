"""Market-value evaluation pages and API: the ranking (by field and region), the side-by-side comparison with
the count ranking, one technology's score breakdown with its evaluation records, recompute, new records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse, Response

from techbridge.domain.evaluation import RATING_FIELDS, VALUE_DIMENSIONS, EvaluationKind, PricingMethod
from techbridge.errors import NotFound, PermissionDenied, ValidationFailed
from techbridge.services import evaluation
from techbridge.web.deps import ActorDep, DatabaseDep, MatchingDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(60, "nav.evaluation", "/evaluation")]
Code = Annotated[str, Query(max_length=10)]
Limit = Annotated[int, Query(ge=1, le=500)]
RECORD_FIELDS = {"kind", "evaluator", "trl", *RATING_FIELDS, *(f"value_{d}" for d in VALUE_DIMENSIONS),
                 "market_value_wan", "pricing_method", "report_file", "summary"}


@router.get("/api/evaluation/ranking", tags=["evaluation"], summary="Technologies by market-value score")
def api_ranking(db: DatabaseDep, technology_field: Code = "", province_code: Code = "", limit: Limit = 50
                ) -> dict[str, Any]:
    items = evaluation.ranking(db, technology_field=technology_field, province_code=province_code, limit=limit)
    return {"ok": True, "items": items}


@router.get("/evaluation", include_in_schema=False)
def page_ranking(request: Request, db: DatabaseDep, technology_field: Code = "", province_code: Code = "",
                 limit: Limit = 50) -> Response:
    items = evaluation.ranking(db, technology_field=technology_field, province_code=province_code, limit=limit)
    return render(request, "evaluation/ranking.html", {
        "items": items, "filters": {"technology_field": technology_field, "province_code": province_code}})


@router.get("/api/evaluation/compare", tags=["evaluation"],
            summary="Market-value ranks beside paper/patent-count ranks, with the largest disagreements")
def api_compare(db: DatabaseDep, technology_field: Code = "", province_code: Code = "",
                limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    return {"ok": True, **evaluation.compare(db, technology_field=technology_field, province_code=province_code,
                                             limit=limit)}


@router.get("/evaluation/compare", include_in_schema=False)
def page_compare(request: Request, db: DatabaseDep, technology_field: Code = "", province_code: Code = "",
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Response:
    data = evaluation.compare(db, technology_field=technology_field, province_code=province_code, limit=limit)
    return render(request, "evaluation/compare.html", {
        "data": data, "filters": {"technology_field": technology_field, "province_code": province_code}})


def _detail(db: Any, technology_id: int) -> dict[str, Any]:
    try:
        score: dict[str, Any] | None = evaluation.score_of(db, technology_id)
    except NotFound as exc:
        if "no market-value score" not in exc.message:
            raise
        score = None
    return {"technology_id": technology_id, "score": score, "records": evaluation.records_for(db, technology_id)}


@router.get("/api/evaluation/technologies/{technology_id}", tags=["evaluation"],
            summary="A technology's market-value score with its breakdown and evidence, and its evaluation records")
def api_detail(technology_id: int, db: DatabaseDep) -> dict[str, Any]:
    return {"ok": True, **_detail(db, technology_id)}


@router.get("/evaluation/technologies/{technology_id}", include_in_schema=False)
def page_detail(request: Request, technology_id: int, db: DatabaseDep) -> Response:
    from techbridge.services import catalog

    tech = catalog.get(db, "technologies", technology_id)
    return render(request, "evaluation/technology.html", {
        "tech": tech, **_detail(db, technology_id), "kinds": list(EvaluationKind), "methods": list(PricingMethod),
        "dimensions": VALUE_DIMENSIONS, "ratings": RATING_FIELDS, "values": {}, "errors": {}})


@router.post("/api/evaluation/technologies/{technology_id}/recompute", tags=["evaluation"],
             summary="Recompute one technology's score now (any signed-in user)")
def api_recompute_one(technology_id: int, db: DatabaseDep, actor: ActorDep, matching: MatchingDep
                      ) -> dict[str, Any]:
    actor.require_login()
    return {"ok": True, **evaluation.evidence_changed(db, matching, technology_id)}


@router.post("/evaluation/technologies/{technology_id}/recompute", include_in_schema=False)
async def page_recompute_one(request: Request, technology_id: int, db: DatabaseDep, actor: ActorDep,
                             matching: MatchingDep) -> Response:
    await read_form(request)
    actor.require_login()
    evaluation.evidence_changed(db, matching, technology_id)
    return RedirectResponse(f"/evaluation/technologies/{technology_id}", status_code=303)


@router.post("/api/evaluation/recompute", tags=["evaluation"], summary="Recompute every score (operators)")
def api_recompute_all(db: DatabaseDep, actor: ActorDep, matching: MatchingDep) -> dict[str, Any]:
    actor.require_login()
    if not actor.is_operator:
        raise PermissionDenied("Only operators recompute all scores at once")
    report = evaluation.recompute(db, matching)
    return {"ok": True, "technologies": report.technologies, "changed": report.changed}


@router.post("/api/evaluation/technologies/{technology_id}/records", tags=["evaluation"], status_code=201,
             summary="File a self, second-party or third-party evaluation record")
def api_add_record(technology_id: int, db: DatabaseDep, actor: ActorDep,
                   data: Annotated[dict[str, Any], Body(examples=[{"kind": "third_party", "evaluator": "…", "trl": 6}])]
                   ) -> dict[str, Any]:
    record_id = evaluation.add_record(db, actor, technology_id, data)
    return {"ok": True, "id": record_id}


@router.post("/evaluation/technologies/{technology_id}/records", include_in_schema=False)
async def page_add_record(request: Request, technology_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed=RECORD_FIELDS)
    try:
        evaluation.add_record(db, actor, technology_id, data)
    except ValidationFailed as exc:
        from techbridge.services import catalog

        return render(request, "evaluation/technology.html", {
            "tech": catalog.get(db, "technologies", technology_id), **_detail(db, technology_id),
            "kinds": list(EvaluationKind), "methods": list(PricingMethod), "dimensions": VALUE_DIMENSIONS,
            "ratings": RATING_FIELDS, "values": data, "errors": {e.field: e.message for e in exc.errors},
            "error": exc}, status_code=422)
    return RedirectResponse(f"/evaluation/technologies/{technology_id}", status_code=303)
