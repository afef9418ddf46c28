"""Routes shared by technologies and demands: list, detail, create, edit, confirm, withdraw.

Each page has a JSON twin under /api served by the same service call.
"""


from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse, Response

from techbridge.domain.catalog import ENTITY_FIELDS
from techbridge.errors import ValidationFailed
from techbridge.services import catalog, visibility
from techbridge.services.catalog import ListingFilter
from techbridge.web.deps import ActorDep, DatabaseDep, MatchingDep, SettingsDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

ListingKind = Literal["technologies", "demands"]
Q = Annotated[str, Query(max_length=200, description="Full-text search (Chinese is segmented with jieba)")]
Code = Annotated[str, Query(max_length=10)]
Trl = Annotated[int | None, Query(ge=1, le=9)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=100)]
FORM_HIDDEN = {"external_id", "sample_data", "listed_at", "owner_external_id", "lang"}


def _filter(q: str, technology_field: str, industry_code: str, province_code: str, trl_min: int | None,
            trl_max: int | None, status: str, kind: str, fresh_only: bool, lang: str) -> ListingFilter:
    return ListingFilter(q=q, technology_field=technology_field, industry_code=industry_code,
                         province_code=province_code, trl_min=trl_min, trl_max=trl_max, status=status,
                         kind=kind, fresh_only=fresh_only, lang=lang)


def listing_router(kind: ListingKind) -> APIRouter:
    router = APIRouter()
    singular = "technology" if kind == "technologies" else "demand"
    form_fields = [s for s in ENTITY_FIELDS[kind] if s.name not in FORM_HIDDEN]

    def page_of(db: Any, q: str, technology_field: str, industry_code: str, province_code: str,
                trl_min: int | None, trl_max: int | None, status: str, listing_kind: str, fresh_only: bool,
                lang: str, page: int, per_page: int) -> catalog.Page:
        flt = _filter(q, technology_field, industry_code, province_code, trl_min, trl_max, status,
                      listing_kind, fresh_only, lang)
        return catalog.list_listings(db, kind, flt, page=page, per_page=per_page)

    @router.get(f"/api/{kind}", tags=[kind], summary=f"List {kind} with search, filters and pagination")
    def api_list(db: DatabaseDep, q: Q = "", technology_field: Code = "", industry_code: Code = "",
                 province_code: Code = "", trl_min: Trl = None, trl_max: Trl = None, status: Code = "",
                 kind_: Annotated[str, Query(alias="kind", max_length=20)] = "", fresh_only: bool = False,
                 lang: Annotated[str, Query(max_length=5)] = "", page: PageNo = 1,
                 per_page: PerPage = 20) -> dict[str, Any]:
        result = page_of(db, q, technology_field, industry_code, province_code, trl_min, trl_max, status,
                         kind_, fresh_only, lang, page, per_page)
        return {"ok": True, "total": result.total, "page": result.page, "per_page": result.per_page,
                "pages": result.pages, "items": [catalog.to_public(r) for r in result.items]}

    @router.get(f"/{kind}", include_in_schema=False)
    def page_list(request: Request, db: DatabaseDep, q: Q = "", technology_field: Code = "",
                  industry_code: Code = "", province_code: Code = "", trl_min: Trl = None, trl_max: Trl = None,
                  status: Code = "", kind_: Annotated[str, Query(alias="kind", max_length=20)] = "",
                  fresh_only: bool = False, lang: Annotated[str, Query(max_length=5)] = "", page: PageNo = 1,
                  per_page: PerPage = 20) -> Response:
        result = page_of(db, q, technology_field, industry_code, province_code, trl_min, trl_max, status,
                         kind_, fresh_only, lang, page, per_page)
        return render(request, "listings/list.html", {
            "kind": kind, "page": result, "freshness": catalog.listing_freshness,
            "filters": {"q": q, "technology_field": technology_field, "industry_code": industry_code,
                        "province_code": province_code, "trl_min": trl_min, "trl_max": trl_max,
                        "status": status, "kind": kind_, "fresh_only": fresh_only},
        })

    @router.post(f"/api/{kind}", tags=[kind], status_code=201, summary=f"Create a {singular}")
    def api_create(db: DatabaseDep, settings: SettingsDep, actor: ActorDep, matching: MatchingDep,
                   data: Annotated[dict[str, Any], Body(examples=[{"title": "…", "technology_field": "F01"}])]
                   ) -> dict[str, Any]:
        new_id = catalog.create(db, settings, actor, kind, data)
        matching.refresh_listing(kind, new_id)
        return {"ok": True, "id": new_id, "item": catalog.to_public(catalog.get(db, kind, new_id), full=True)}

    @router.get(f"/{kind}/new", include_in_schema=False)
    def page_new(request: Request, actor: ActorDep) -> Response:
        actor.require_login()
        return render(request, "listings/form.html", {"kind": kind, "fields": form_fields, "values": {},
                                                      "errors": {}, "item": None})

    @router.post(f"/{kind}/new", include_in_schema=False)
    async def page_create(request: Request, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                          matching: MatchingDep) -> Response:
        data = await read_form(request, allowed={s.name for s in form_fields})
        try:
            new_id = catalog.create(db, settings, actor, kind, data)
        except ValidationFailed as exc:
            return render(request, "listings/form.html", {
                "kind": kind, "fields": form_fields, "values": data, "item": None,
                "errors": {e.field: e.message for e in exc.errors}, "error": exc}, status_code=422)
        matching.refresh_listing(kind, new_id)
        return RedirectResponse(f"/{kind}/{new_id}", status_code=303)

    @router.get(f"/api/{kind}/{{item_id}}", tags=[kind], summary=f"One {singular}")
    def api_detail(item_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
        return {"ok": True, "item": visibility.public_dict(db, actor, kind, item_id)}

    @router.get(f"/{kind}/{{item_id}}", include_in_schema=False)
    def page_detail(request: Request, item_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
        seen = visibility.view(db, actor, kind, item_id)
        item = seen.row
        owner = catalog.get_many(db, "organisations", [item.owner_id] if item.owner_id else []).get(item.owner_id)
        return render(request, f"listings/{singular}.html", {
            "kind": kind, "item": item, "owner": owner, "freshness": catalog.listing_freshness(item),
            "seen": seen})

    @router.patch(f"/api/{kind}/{{item_id}}", tags=[kind], summary=f"Edit some fields of a {singular}")
    def api_update(item_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep, matching: MatchingDep,
                   data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        catalog.update(db, settings, actor, kind, item_id, data)
        matching.refresh_listing(kind, item_id)
        return {"ok": True, "item": catalog.to_public(catalog.get(db, kind, item_id), full=True)}

    @router.get(f"/{kind}/{{item_id}}/edit", include_in_schema=False)
    def page_edit(request: Request, item_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
        actor.require_login()
        item = catalog.get(db, kind, item_id)
        catalog._check_can_edit(actor, item)
        values = catalog.to_public(item, full=True)
        for key, value in list(values.items()):
            if isinstance(value, list):
                values[key] = ", ".join(str(v) for v in value)
        return render(request, "listings/form.html", {"kind": kind, "fields": form_fields, "values": values,
                                                      "errors": {}, "item": item})

    @router.post(f"/{kind}/{{item_id}}/edit", include_in_schema=False)
    async def page_update(request: Request, item_id: int, db: DatabaseDep, settings: SettingsDep,
                          actor: ActorDep, matching: MatchingDep) -> Response:
        data = await read_form(request, allowed={s.name for s in form_fields})
        item = catalog.get(db, kind, item_id)
        try:
            catalog.update(db, settings, actor, kind, item_id, data)
        except ValidationFailed as exc:
            return render(request, "listings/form.html", {
                "kind": kind, "fields": form_fields, "values": data, "item": item,
                "errors": {e.field: e.message for e in exc.errors}, "error": exc}, status_code=422)
        matching.refresh_listing(kind, item_id)
        return RedirectResponse(f"/{kind}/{item_id}", status_code=303)

    @router.post(f"/api/{kind}/{{item_id}}/confirm", tags=[kind],
                 summary="Confirm the listing is still current (restarts its freshness)")
    def api_confirm(item_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep) -> dict[str, Any]:
        expires = catalog.confirm(db, settings, actor, kind, item_id)
        return {"ok": True, "expires_at": expires.isoformat()}

    @router.post(f"/{kind}/{{item_id}}/confirm", include_in_schema=False)
    async def page_confirm(request: Request, item_id: int, db: DatabaseDep, settings: SettingsDep,
                           actor: ActorDep) -> Response:
        await read_form(request)
        catalog.confirm(db, settings, actor, kind, item_id)
        return RedirectResponse(f"/{kind}/{item_id}", status_code=303)

    @router.delete(f"/api/{kind}/{{item_id}}", tags=[kind], summary=f"Withdraw a {singular} (status 已下架)")
    def api_withdraw(item_id: int, db: DatabaseDep, actor: ActorDep, matching: MatchingDep) -> dict[str, Any]:
        catalog.delete(db, actor, kind, item_id)
        matching.refresh_listing(kind, item_id)
        return {"ok": True}

    return router
