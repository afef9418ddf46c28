"""Organisations and people: lists, detail pages and their API twins."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from techbridge.services import catalog
from techbridge.storage.tables.catalog import DemandRow, PersonRow, TechnologyRow
from techbridge.web.deps import ActorDep, DatabaseDep, SettingsDep
from techbridge.web.render import render

router = APIRouter()
NAV = [(40, "nav.organisations", "/organisations"), (50, "nav.people", "/people")]
Kind = Literal["organisations", "people"]


def _list(db: Any, kind: Kind, q: str, page: int) -> catalog.Page:
    return catalog.list_simple(db, kind, q=q, page=page)


for _kind in ("organisations", "people"):

    def _make(kind: Kind) -> None:
        @router.get(f"/api/{kind}", tags=[kind], summary=f"List {kind}")
        def api_list(db: DatabaseDep, q: Annotated[str, Query(max_length=100)] = "",
                     page: Annotated[int, Query(ge=1)] = 1) -> dict[str, Any]:
            result = _list(db, kind, q, page)
            return {"ok": True, "total": result.total, "page": result.page, "pages": result.pages,
                    "items": [catalog.to_public(r) for r in result.items]}

        @router.get(f"/{kind}", include_in_schema=False)
        def page_list(request: Request, db: DatabaseDep, q: Annotated[str, Query(max_length=100)] = "",
                      page: Annotated[int, Query(ge=1)] = 1) -> Response:
            return render(request, f"directory/{kind}.html", {"page": _list(db, kind, q, page), "q": q})

        @router.get(f"/api/{kind}/{{item_id}}", tags=[kind], summary=f"One of the {kind}")
        def api_detail(item_id: int, db: DatabaseDep) -> dict[str, Any]:
            return {"ok": True, "item": catalog.to_public(catalog.get(db, kind, item_id))}

        @router.post(f"/api/{kind}", tags=[kind], status_code=201, summary=f"Create one of the {kind}")
        def api_create(db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                       data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
            new_id = catalog.create(db, settings, actor, kind, data)
            return {"ok": True, "id": new_id, "item": catalog.to_public(catalog.get(db, kind, new_id))}

    _make(_kind)


@router.get("/organisations/{item_id}", include_in_schema=False)
def organisation_page(request: Request, item_id: int, db: DatabaseDep) -> Response:
    org = catalog.get(db, "organisations", item_id)
    with db.read() as session:
        technologies = session.scalars(select(TechnologyRow).where(TechnologyRow.owner_id == item_id)
                                       .order_by(TechnologyRow.listed_at.desc()).limit(20)).all()
        demands = session.scalars(select(DemandRow).where(DemandRow.owner_id == item_id)
                                  .order_by(DemandRow.listed_at.desc()).limit(20)).all()
        people = session.scalars(select(PersonRow).where(PersonRow.organisation_id == item_id)).all()
        session.expunge_all()
    return render(request, "directory/organisation.html", {
        "org": org, "technologies": technologies, "demands": demands, "people": people})


@router.get("/people/{item_id}", include_in_schema=False)
def person_page(request: Request, item_id: int, db: DatabaseDep) -> Response:
    person = catalog.get(db, "people", item_id)
    org = catalog.get_many(db, "organisations", [person.organisation_id] if person.organisation_id else [])
    return render(request, "directory/person.html", {"person": person, "org": org.get(person.organisation_id)})
