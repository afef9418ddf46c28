"""The guided demand form (plain words → suggested structured demand → first matches → publish) and the
"demands that fit this technology" page, each with its JSON twin.

The module name sorts before ``demands`` on purpose: routers are included in name order, and
``/demands/guided`` must be routed before the catalog's ``/demands/{item_id}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.domain.enums import SolutionMode, Stage, Visibility
from techbridge.errors import TechbridgeError, ValidationFailed
from techbridge.services import catalog, visibility
from techbridge.services.fit import DemandFinder
from techbridge.services.suggest import Suggester
from techbridge.web.deps import ActorDep, DatabaseDep, MatchingDep, SettingsDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
PUBLISH_FIELDS = ("title", "technology_field", "industry_code", "keywords", "wanted_stage", "solution_mode",
                  "visibility", "budget_wan", "province_code", "expected_goal")


def _suggester(request: Request) -> Suggester:
    service: Suggester = request.app.state.suggester
    return service


def _finder(request: Request) -> DemandFinder:
    service: DemandFinder = request.app.state.demand_finder
    return service


class SuggestIn(BaseModel):
    text: str = Field(max_length=5000, description="the problem in plain words")
    top: int = Field(default=5, ge=1, le=20)


@router.post("/api/demands/suggest", tags=["matching"],
             summary="Guided demand form: suggest title, field, industry, keywords, maturity, mode and first matches")
def api_suggest(request: Request, body: SuggestIn, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    suggestion = _suggester(request).suggest(body.text, top=body.top)
    return {"ok": True, "suggestion": suggestion.as_dict(),
            "matches": visibility.match_entries(db, actor, suggestion.matches)}


def _form_context(step: int, text: str, values: dict[str, Any], matches: list[dict[str, Any]],
                  basis: dict[str, str], errors: dict[str, str] | None = None,
                  error: TechbridgeError | None = None) -> dict[str, Any]:
    return {"step": step, "text": text, "values": values, "matches": matches, "basis": basis,
            "errors": errors or {}, "error": error, "stages": list(Stage), "modes": list(SolutionMode),
            "visibilities": list(Visibility)}


@router.get("/demands/guided", include_in_schema=False)
def page_guided(request: Request, actor: ActorDep) -> Response:
    if not actor.is_authenticated:
        return RedirectResponse("/login?next=/demands/guided", status_code=303)
    return render(request, "guided/demand.html", _form_context(1, "", {}, [], {}))


@router.post("/demands/guided", include_in_schema=False)
async def page_guided_submit(request: Request, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                             matching: MatchingDep) -> Response:
    data = await read_form(request, allowed={"text", "step", *PUBLISH_FIELDS})
    actor.require_login()
    text = str(data.get("text", ""))
    if data.get("step") != "publish":
        try:
            suggestion = _suggester(request).suggest(text)
        except ValidationFailed as exc:
            return render(request, "guided/demand.html", _form_context(
                1, text, {}, [], {}, {e.field: e.message for e in exc.errors}, exc), status_code=exc.status)
        values = suggestion.as_dict()
        values["keywords"] = ", ".join(suggestion.keywords)
        values["visibility"] = Visibility.PUBLIC.value
        return render(request, "guided/demand.html", _form_context(
            2, text, values, visibility.match_entries(db, actor, suggestion.matches), suggestion.basis))
    fields = {key: data[key] for key in PUBLISH_FIELDS if key in data}
    try:
        new_id = catalog.create(db, settings, actor, "demands", {**fields, "description": text})
    except ValidationFailed as exc:
        preview = matching.match_text(text, top=5) if text.strip() else []
        return render(request, "guided/demand.html", _form_context(
            2, text, fields, visibility.match_entries(db, actor, preview), {},
            {e.field: e.message for e in exc.errors}, exc), status_code=exc.status)
    return RedirectResponse(f"/demands/{new_id}/matches", status_code=303)


# ---- technology → demands -------------------------------------------------------------------------------------

Top = Annotated[int, Query(ge=1, le=50)]


@router.get("/api/technologies/{technology_id}/demands", tags=["matching"],
            summary="Demands that fit a technology, each with its reasons")
def api_fitting_demands(request: Request, technology_id: int, actor: ActorDep, top: Top = 10) -> dict[str, Any]:
    finder = _finder(request)
    fits = finder.demands_for_technology(actor, technology_id, top=top)
    return {"ok": True, "technology_id": technology_id, "method": finder.method,
            "demands": [f.as_dict() for f in fits]}


@router.get("/technologies/{technology_id}/demands", include_in_schema=False)
def page_fitting_demands(request: Request, technology_id: int, db: DatabaseDep, actor: ActorDep,
                         top: Top = 10) -> Response:
    finder = _finder(request)
    technology = catalog.get(db, "technologies", technology_id)  # only its summary (title) is shown
    fits = finder.demands_for_technology(actor, technology_id, top=top)
    return render(request, "guided/fit.html", {"technology": technology, "fits": fits, "method": finder.method})
