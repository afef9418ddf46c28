"""Home page, health check, summary counts and the code tables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from techbridge import __version__
from techbridge.domain import enums
from techbridge.domain.codes import code_tables
from techbridge.errors import NotFound
from techbridge.services import catalog
from techbridge.web.deps import DatabaseDep, LangDep, MatchingDep
from techbridge.web.render import render

router = APIRouter()
NAV = [(10, "nav.home", "/")]

_ENUMS = {
    "organisation_kinds": enums.OrganisationKind, "enterprise_sizes": enums.EnterpriseSize,
    "person_roles": enums.PersonRole, "technology_kinds": enums.TechnologyKind,
    "listing_status": enums.ListingStatus, "stages": enums.Stage, "transaction_modes": enums.TransactionMode,
    "solution_modes": enums.SolutionMode, "visibility": enums.Visibility,
}


@router.get("/health", tags=["system"], summary="Liveness and engine status")
def health(db: DatabaseDep, matching: MatchingDep) -> dict[str, Any]:
    return {"ok": True, "version": __version__, "database": "sqlite" if db.is_sqlite else "postgresql",
            "matching": matching.status()}


@router.get("/api/summary", tags=["catalog"], summary="Counts and the most recent listings")
def api_summary(db: DatabaseDep) -> dict[str, Any]:
    return {"ok": True, "counts": catalog.counts(db),
            "recent_technologies": [catalog.to_public(r) for r in catalog.recent(db, "technologies")],
            "recent_demands": [catalog.to_public(r) for r in catalog.recent(db, "demands")]}


@router.get("/", include_in_schema=False)
def home(request: Request, db: DatabaseDep) -> Response:
    return render(request, "home.html", {
        "counts": catalog.counts(db), "recent_technologies": catalog.recent(db, "technologies"),
        "recent_demands": catalog.recent(db, "demands")})


@router.get("/api/codes", tags=["codes"], summary="Names of the code tables")
def api_code_tables() -> dict[str, Any]:
    return {"ok": True, "tables": ["industries", "disciplines", "technology_fields", "provinces", "blocs", "trl",
                                   *_ENUMS]}


@router.get("/api/codes/{table}", tags=["codes"], summary="One code table with labels in the chosen language")
def api_codes(table: str, lang: LangDep) -> dict[str, Any]:
    tables = code_tables()
    if table in _ENUMS:
        items = [{"code": m.value, "zh": m.zh, "en": m.en} for m in _ENUMS[table]]
    elif table == "trl":
        items = [{"code": str(level), "zh": zh, "en": en, "stage": enums.TRL_TO_STAGE[level].value}
                 for level, (zh, en) in enums.TRL_LABELS.items()]
    elif table == "provinces":
        items = [{"code": p.code, "zh": p.name_zh, "en": p.name_en, "short": p.short, "bloc": p.bloc}
                 for p in tables.provinces.values()]
    elif table in ("industries", "disciplines", "technology_fields", "blocs"):
        source = getattr(tables, table)
        items = [{"code": c.code, "zh": c.name_zh, "en": c.name_en, "level": c.level, "parent": c.parent}
                 for c in source.values()]
    else:
        raise NotFound(f"No code table {table!r}; see /api/codes for the list")
    return {"ok": True, "table": table, "lang": lang, "items": items}
