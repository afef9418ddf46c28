"""Technology contracts: list, form, detail with workflow steps, certificate (page and PDF), and API twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse, Response

from techbridge.domain.contract_codes import (
    CONTRACT_TYPES,
    DEDUCTION_ITEMS,
    IPR_TYPES,
    PARTY_NATURES,
    PAYMENT_MODES,
    PLAN_SOURCES,
    SUBTYPES,
)
from techbridge.domain.contract_workflow import TRANSITIONS, State
from techbridge.domain.contracts import nest_flat_record
from techbridge.errors import ValidationFailed
from techbridge.services.contracts import workflow
from techbridge.services.contracts.certificate import certificate, certificate_pdf
from techbridge.web.deps import ActorDep, DatabaseDep, LangDep, SettingsDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(65, "contracts.nav", "/contracts")]
RECORD_FIELDS = ("title", "contract_type", "subtype", "ipr_type", "plan_source", "payment_mode", "technology_field",
                 "socio_economic_goal", "price", "tech_value", "deductions", "signed_on", "start_on", "end_on",
                 "related_party", "expected_investment", "expected_output")
PARTY_FIELDS = ("name", "credit_code", "region_code", "country_code", "nature", "address", "legal_rep", "contact",
                "phone")
FORM_FIELDS = {*RECORD_FIELDS, *(f"{role}.{f}" for role in ("seller", "buyer") for f in PARTY_FIELDS)}
PageNo = Annotated[int, Query(ge=1, le=100_000)]


def _choices() -> dict[str, Any]:
    return {"contract_type": CONTRACT_TYPES, "ipr_type": IPR_TYPES, "plan_source": PLAN_SOURCES,
            "payment_mode": PAYMENT_MODES, "nature": PARTY_NATURES,
            "subtype": {k: (v[1], v[2]) for k, v in SUBTYPES.items()}, "deduction": DEDUCTION_ITEMS}


@router.get("/api/contracts/codes", tags=["contracts"], summary="Code tables of the contract record")
def api_codes() -> dict[str, Any]:
    return {"ok": True, **{k: {c: {"zh": v[0], "en": v[1]} for c, v in table.items()}
                           for k, table in _choices().items()},
            "states": [s.value for s in State],
            "transitions": {a.value: {"from": sorted(s.value for s in t.sources), "to": t.target.value,
                                      "side": t.side.value, "needs_reason": t.needs_reason}
                            for a, t in TRANSITIONS.items()}}


@router.get("/api/contracts", tags=["contracts"], summary="Contracts the signed-in user may see")
def api_list(db: DatabaseDep, settings: SettingsDep, actor: ActorDep, lang: LangDep, status: str = "",
             overdue: bool = False, page: PageNo = 1) -> dict[str, Any]:
    return {"ok": True, **workflow.list_contracts(db, settings, actor, status=status, overdue=overdue, page=page,
                                                  lang=lang)}


@router.get("/contracts", include_in_schema=False)
def page_list(request: Request, db: DatabaseDep, settings: SettingsDep, actor: ActorDep, lang: LangDep,
              status: str = "", overdue: bool = False, page: PageNo = 1) -> Response:
    result = workflow.list_contracts(db, settings, actor, status=status, overdue=overdue, page=page, lang=lang) \
        if actor.is_authenticated else None
    return render(request, "contracts/list.html", {"result": result, "status": status, "overdue": overdue,
                                                   "states": [s.value for s in State]})


@router.post("/api/contracts", tags=["contracts"], status_code=201, summary="Open a draft contract")
def api_create(db: DatabaseDep, settings: SettingsDep, actor: ActorDep, lang: LangDep,
               data: Annotated[dict[str, Any], Body(examples=[{
                   "title": "高镍正极材料制备技术转让", "contract_type": "transfer", "price": "120",
                   "seller": {"name": "…", "credit_code": "…", "region_code": "110108", "nature": "022"},
                   "buyer": {"name": "…", "credit_code": "…", "region_code": "320500", "nature": "170"}}])]
               ) -> dict[str, Any]:
    new_id = workflow.create_draft(db, settings, actor, data)
    return {"ok": True, "id": new_id, "item": workflow.get(db, settings, actor, new_id, lang=lang)}


@router.post("/api/contracts/start-from", tags=["contracts"], status_code=201,
             summary="Open a draft pre-filled from a case or a match (parties and technology carried over)")
def api_start_from(db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                   data: Annotated[dict[str, Any], Body(examples=[{
                       "technology_id": 1, "demand_id": 2, "source": "match", "source_id": "42"}])]
                   ) -> dict[str, Any]:
    def as_int(key: str) -> int | None:
        value = data.get(key)
        return int(value) if value not in (None, "") else None

    new_id = workflow.start_contract_from(
        db, settings, actor, technology_id=as_int("technology_id"), demand_id=as_int("demand_id"),
        seller_org_id=as_int("seller_org_id"), buyer_org_id=as_int("buyer_org_id"),
        source=str(data.get("source") or "case"), source_id=str(data.get("source_id") or ""))
    return {"ok": True, "id": new_id}


@router.get("/api/contracts/{contract_id}", tags=["contracts"], summary="One contract with history and steps")
def api_detail(contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
               lang: LangDep) -> dict[str, Any]:
    return {"ok": True, "item": workflow.get(db, settings, actor, contract_id, lang=lang)}


@router.put("/api/contracts/{contract_id}", tags=["contracts"], summary="Edit a draft or a contract in 补正")
def api_update(contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep, lang: LangDep,
               data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    workflow.update_draft(db, settings, actor, contract_id, data)
    return {"ok": True, "item": workflow.get(db, settings, actor, contract_id, lang=lang)}


@router.delete("/api/contracts/{contract_id}", tags=["contracts"], summary="Delete a draft (never submitted)")
def api_delete(contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep) -> dict[str, Any]:
    workflow.delete_draft(db, settings, actor, contract_id)
    return {"ok": True}


@router.post("/api/contracts/{contract_id}/actions/{action}", tags=["contracts"],
             summary="Take a workflow step; an illegal step answers 409 with the allowed ones")
def api_act(contract_id: int, action: str, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
            data: Annotated[dict[str, Any] | None, Body()] = None) -> dict[str, Any]:
    body = data or {}
    changes = body.get("changes")
    item = workflow.act(db, settings, actor, contract_id, action, reason=body.get("reason"),
                        changes=changes if isinstance(changes, dict) else None, disputed=bool(body.get("disputed")))
    return {"ok": True, "item": item}


@router.get("/api/contracts/{contract_id}/certificate", tags=["contracts"], summary="The 登记证明 content")
def api_certificate(contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                    lang: LangDep) -> dict[str, Any]:
    return {"ok": True, "certificate": certificate(db, settings, actor, contract_id, lang=lang)}


@router.get("/contracts/{contract_id}/certificate.pdf", tags=["contracts"], summary="The 登记证明 as PDF")
def certificate_download(contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep) -> Response:
    cert = certificate(db, settings, actor, contract_id)
    return Response(certificate_pdf(cert), media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{cert["certificate_number"]}.pdf"'})


@router.get("/contracts/{contract_id}/certificate", include_in_schema=False)
def certificate_page(request: Request, contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                     lang: LangDep) -> Response:
    return render(request, "contracts/certificate.html",
                  {"cert": certificate(db, settings, actor, contract_id, lang=lang)})


def _form_values(item: dict[str, Any] | None, raw: dict[str, Any] | None = None) -> dict[str, Any]:
    if raw is not None:
        return raw
    if item is None:
        return {"seller.country_code": "156", "buyer.country_code": "156"}
    values: dict[str, Any] = {k: v for k, v in item.items() if k in RECORD_FIELDS and k != "deductions"}
    values["deductions"] = "\n".join(f"{d['item']}:{d['amount']:g}" for d in item.get("deductions") or [])
    for role in ("seller", "buyer"):
        for key, value in (item.get(role) or {}).items():
            values[f"{role}.{key}"] = value
    return values


def _render_form(request: Request, item: dict[str, Any] | None, values: dict[str, Any],
                 error: ValidationFailed | None = None) -> Response:
    return render(request, "contracts/form.html", {
        "item": item, "values": values, "choices": _choices(), "record_fields": RECORD_FIELDS,
        "party_fields": PARTY_FIELDS, "errors": {e.field: e.message for e in error.errors} if error else {},
        "error": error}, status_code=422 if error else 200)


@router.get("/contracts/new", include_in_schema=False)
def page_new(request: Request, actor: ActorDep) -> Response:
    actor.require_login()
    return _render_form(request, None, _form_values(None))


@router.post("/contracts/new", include_in_schema=False)
async def page_create(request: Request, db: DatabaseDep, settings: SettingsDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed=FORM_FIELDS)
    try:
        new_id = workflow.create_draft(db, settings, actor, nest_flat_record(data))
    except ValidationFailed as exc:
        return _render_form(request, None, data, exc)
    return RedirectResponse(f"/contracts/{new_id}", status_code=303)


@router.get("/contracts/{contract_id}", include_in_schema=False)
def page_detail(request: Request, contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
                lang: LangDep) -> Response:
    item = workflow.get(db, settings, actor, contract_id, lang=lang)
    needs_reason = {a.value for a, t in TRANSITIONS.items() if t.needs_reason}
    return render(request, "contracts/detail.html", {"item": item, "needs_reason": needs_reason})


@router.get("/contracts/{contract_id}/edit", include_in_schema=False)
def page_edit(request: Request, contract_id: int, db: DatabaseDep, settings: SettingsDep, actor: ActorDep,
              lang: LangDep) -> Response:
    item = workflow.get(db, settings, actor, contract_id, lang=lang)
    return _render_form(request, item, _form_values(item))


@router.post("/contracts/{contract_id}/edit", include_in_schema=False)
async def page_update(request: Request, contract_id: int, db: DatabaseDep, settings: SettingsDep,
                      actor: ActorDep, lang: LangDep) -> Response:
    data = await read_form(request, allowed=FORM_FIELDS)
    item = workflow.get(db, settings, actor, contract_id, lang=lang)
    try:
        workflow.update_draft(db, settings, actor, contract_id, nest_flat_record(data))
    except ValidationFailed as exc:
        return _render_form(request, item, data, exc)
    return RedirectResponse(f"/contracts/{contract_id}", status_code=303)


@router.post("/contracts/{contract_id}/act", include_in_schema=False)
async def page_act(request: Request, contract_id: int, db: DatabaseDep, settings: SettingsDep,
                   actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"action", "reason", "disputed"})
    workflow.act(db, settings, actor, contract_id, str(data.get("action") or ""), reason=data.get("reason"),
                 disputed=bool(data.get("disputed")))
    return RedirectResponse(f"/contracts/{contract_id}", status_code=303)

