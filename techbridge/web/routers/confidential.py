"""Click-through NDAs for confidential listings and operators' assignment of technology managers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.errors import FieldError, ValidationFailed
from techbridge.services import catalog, visibility
from techbridge.web.deps import ActorDep, DatabaseDep
from techbridge.web.forms import read_form
from techbridge.web.render import render
from techbridge.web.routers.accounts import client_ip

router = APIRouter()
Kind = Literal["technologies", "demands"]


class NdaIn(BaseModel):
    version: int = Field(description="the NDA version the user read (GET …/nda gives the current one)")


class ManagerIn(BaseModel):
    user_id: int


@router.get("/api/{kind}/{item_id}/nda", tags=["confidentiality"], summary="The NDA text of a listing")
def api_nda(kind: Kind, item_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    catalog.get(db, kind, item_id)
    with db.read() as session:
        accepted = visibility.has_accepted_nda(session, actor, kind, item_id)
    return {"ok": True, "version": visibility.CURRENT_NDA_VERSION, "text": visibility.nda_text(),
            "sha256": visibility.nda_digest(), "accepted": accepted}


@router.post("/api/{kind}/{item_id}/nda", tags=["confidentiality"], status_code=201,
             summary="Accept the listing's NDA (recorded with version, time, user and address)")
def api_accept_nda(request: Request, kind: Kind, item_id: int, body: NdaIn, db: DatabaseDep,
                   actor: ActorDep) -> dict[str, Any]:
    acceptance = visibility.accept_nda(db, actor, kind, item_id, version=body.version, ip=client_ip(request))
    return {"ok": True, "acceptance_id": acceptance}


@router.get("/api/{kind}/{item_id}/nda/acceptances", tags=["confidentiality"],
            summary="Who accepted the listing's NDA (owners, assigned manager, operators)")
def api_nda_acceptances(kind: Kind, item_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, "items": visibility.nda_acceptances(db, actor, kind, item_id)}


@router.post("/api/{kind}/{item_id}/managers", tags=["confidentiality"], status_code=201,
             summary="Assign a technology manager to a listing (operators)")
def api_assign_manager(kind: Kind, item_id: int, body: ManagerIn, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    visibility.assign_manager(db, actor, kind, item_id, body.user_id)
    return {"ok": True}


def _nda_page(request: Request, kind: Kind, item_id: int, db: Any, actor: Any,
              error: ValidationFailed | None = None) -> Response:
    item = catalog.get(db, kind, item_id)
    with db.read() as session:
        accepted = visibility.has_accepted_nda(session, actor, kind, item_id)
    return render(request, "auth/nda.html", {
        "kind": kind, "item": item, "version": visibility.CURRENT_NDA_VERSION, "nda": visibility.nda_text(),
        "accepted": accepted, "error": error}, status_code=error.status if error else 200)


@router.get("/{kind}/{item_id}/nda", include_in_schema=False)
def page_nda(request: Request, kind: Kind, item_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    if not actor.is_authenticated:
        return RedirectResponse(f"/login?next=/{kind}/{item_id}/nda", status_code=303)
    return _nda_page(request, kind, item_id, db, actor)


@router.post("/{kind}/{item_id}/nda", include_in_schema=False)
async def page_accept_nda(request: Request, kind: Kind, item_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"version", "agree"})
    version = str(data.get("version", ""))
    if data.get("agree") != "yes" or not version.isdigit():
        error = ValidationFailed("Tick the box to accept the NDA", errors=[FieldError("agree", "required")])
        return _nda_page(request, kind, item_id, db, actor, error)
    try:
        visibility.accept_nda(db, actor, kind, item_id, version=int(version), ip=client_ip(request))
    except ValidationFailed as exc:
        return _nda_page(request, kind, item_id, db, actor, exc)
    return RedirectResponse(f"/{kind}/{item_id}", status_code=303)
