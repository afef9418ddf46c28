"""The user's workspace (my listings, saved searches), organisation members, operators' users and audit log.

``setup`` wires the accounts area into the app: the audit listener, a per-request audit context (who,
from where, which path) and the suggestion and demand-fit services behind their interfaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.domain.roles import Role
from techbridge.errors import FieldError, TechbridgeError, ValidationFailed
from techbridge.services import accounts, audit, membership, workspace
from techbridge.services.accounts import actor_for_token
from techbridge.services.catalog import to_public
from techbridge.services.fit import EngineDemandFinder
from techbridge.services.suggest import LexicalSuggester
from techbridge.web.deps import SESSION_COOKIE, ActorDep, DatabaseDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(35, "nav.guided", "/demands/guided"), (60, "nav.mine", "/me")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def setup(app: FastAPI) -> None:
    """Audit every change made during a request, and provide the accounts area's services."""
    audit.install()
    app.state.suggester = LexicalSuggester(app.state.db, app.state.matching)
    app.state.demand_finder = EngineDemandFinder(app.state.db)

    @app.middleware("http")
    async def _audit_context(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path.startswith("/static"):
            return await call_next(request)
        actor = actor_for_token(request.app.state.db, request.cookies.get(SESSION_COOKIE))
        request.state.actor = actor
        token = audit.bind(audit.AuditContext(actor.user_id, client_ip(request),
                                              f"{request.method} {request.url.path}"))
        try:
            return await call_next(request)
        finally:
            audit.reset(token)


# ---- my listings -----------------------------------------------------------------------------------------

@router.get("/api/me/listings", tags=["accounts"], summary="Technologies and demands I or my organisation own")
def api_my_listings(db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    mine = workspace.my_listings(db, actor)
    return {"ok": True, **{kind: [to_public(r, full=True) for r in rows] for kind, rows in mine.items()}}


@router.get("/me", include_in_schema=False)
def page_me(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    actor.require_login()
    return render(request, "auth/me.html", {"mine": workspace.my_listings(db, actor),
                                            "searches": workspace.saved_searches(db, actor)})


# ---- saved searches --------------------------------------------------------------------------------------

class SearchIn(BaseModel):
    name: str = Field(max_length=100)
    kind: str = Field(description="technologies or demands")
    query: str = Field(default="", max_length=1000, description="the list page's query string, e.g. q=电池")


@router.get("/api/me/searches", tags=["accounts"], summary="My saved searches")
def api_searches(db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, "items": workspace.saved_searches(db, actor)}


@router.post("/api/me/searches", tags=["accounts"], status_code=201, summary="Save a search")
def api_save_search(body: SearchIn, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, "id": workspace.save_search(db, actor, name=body.name, kind=body.kind, query=body.query)}


@router.delete("/api/me/searches/{search_id}", tags=["accounts"], summary="Delete a saved search")
def api_delete_search(search_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    workspace.delete_search(db, actor, search_id)
    return {"ok": True}


@router.get("/me/searches", include_in_schema=False)
def page_searches(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    actor.require_login()
    return render(request, "auth/searches.html", {"searches": workspace.saved_searches(db, actor)})


@router.post("/me/searches", include_in_schema=False)
async def page_save_search(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"name", "kind", "query"})
    try:
        workspace.save_search(db, actor, name=str(data.get("name", "")), kind=str(data.get("kind", "")),
                              query=str(data.get("query", "")))
    except ValidationFailed as exc:
        return render(request, "auth/searches.html", {"searches": workspace.saved_searches(db, actor),
                                                      "error": exc}, status_code=exc.status)
    return RedirectResponse("/me/searches", status_code=303)


@router.post("/me/searches/{search_id}/delete", include_in_schema=False)
async def page_delete_search(request: Request, search_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    await read_form(request)
    workspace.delete_search(db, actor, search_id)
    return RedirectResponse("/me/searches", status_code=303)


# ---- organisation members --------------------------------------------------------------------------------

class MemberIn(BaseModel):
    email: str = Field(max_length=200)
    is_admin: bool = False


@router.get("/api/organisations/{organisation_id}/members", tags=["accounts"], summary="Members of an organisation")
def api_members(organisation_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, **membership.members(db, actor, organisation_id)}


@router.post("/api/organisations/{organisation_id}/members", tags=["accounts"], status_code=201,
             summary="Add an existing account to the organisation (its admins or operators)")
def api_add_member(organisation_id: int, body: MemberIn, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    user_id = membership.add_member(db, actor, organisation_id, body.email, is_admin=body.is_admin)
    return {"ok": True, "user_id": user_id}


@router.delete("/api/organisations/{organisation_id}/members/{user_id}", tags=["accounts"],
               summary="Remove a member (its admins or operators)")
def api_remove_member(organisation_id: int, user_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    membership.remove_member(db, actor, organisation_id, user_id)
    return {"ok": True}


def _members_page(request: Request, db: Any, actor: Any, organisation_id: int,
                  error: TechbridgeError | None = None) -> Response:
    data = membership.members(db, actor, organisation_id)
    return render(request, "auth/members.html", {**data, "error": error},
                  status_code=error.status if error else 200)


@router.get("/organisations/{organisation_id}/members", include_in_schema=False)
def page_members(request: Request, organisation_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    return _members_page(request, db, actor, organisation_id)


@router.post("/organisations/{organisation_id}/members", include_in_schema=False)
async def page_add_member(request: Request, organisation_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"email", "is_admin"})
    try:
        membership.add_member(db, actor, organisation_id, str(data.get("email", "")),
                              is_admin=data.get("is_admin") == "true")
    except (ValidationFailed, TechbridgeError) as exc:
        if exc.status in (401, 403):
            raise
        return _members_page(request, db, actor, organisation_id, exc)
    return RedirectResponse(f"/organisations/{organisation_id}/members", status_code=303)


@router.post("/organisations/{organisation_id}/members/{user_id}/remove", include_in_schema=False)
async def page_remove_member(request: Request, organisation_id: int, user_id: int, db: DatabaseDep,
                             actor: ActorDep) -> Response:
    await read_form(request)
    try:
        membership.remove_member(db, actor, organisation_id, user_id)
    except TechbridgeError as exc:
        if exc.status in (401, 403):
            raise
        return _members_page(request, db, actor, organisation_id, exc)
    return RedirectResponse(f"/organisations/{organisation_id}/members", status_code=303)


# ---- operators: users and roles ----------------------------------------------------------------------------

class RolesIn(BaseModel):
    roles: list[str] = Field(max_length=7)


@router.get("/api/users", tags=["accounts"], summary="Accounts (operators)")
def api_users(db: DatabaseDep, actor: ActorDep, q: Annotated[str, Query(max_length=100)] = "") -> dict[str, Any]:
    return {"ok": True, "items": accounts.list_users(db, actor, q=q)}


@router.put("/api/users/{user_id}/roles", tags=["accounts"], summary="Set an account's roles (operators)")
def api_set_roles(user_id: int, db: DatabaseDep, actor: ActorDep,
                  body: Annotated[RolesIn, Body()]) -> dict[str, Any]:
    return {"ok": True, "roles": accounts.set_roles(db, actor, user_id, body.roles)}


@router.get("/users", include_in_schema=False)
def page_users(request: Request, db: DatabaseDep, actor: ActorDep,
               q: Annotated[str, Query(max_length=100)] = "") -> Response:
    return render(request, "auth/users.html", {"users": accounts.list_users(db, actor, q=q), "q": q,
                                               "roles": [r.value for r in Role]})


@router.post("/users/{user_id}/roles", include_in_schema=False)
async def page_set_roles(request: Request, user_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={f"role_{r.value}" for r in Role})
    chosen = [r.value for r in Role if data.get(f"role_{r.value}") == "on"]
    try:
        accounts.set_roles(db, actor, user_id, chosen)
    except ValidationFailed as exc:
        return render(request, "auth/users.html", {"users": accounts.list_users(db, actor), "q": "",
                                                   "roles": [r.value for r in Role], "error": exc},
                      status_code=exc.status)
    return RedirectResponse("/users", status_code=303)


# ---- audit log ---------------------------------------------------------------------------------------------

def _audit_query(user_id: str, action: str, entity_kind: str, entity_id: str, since: str,
                 until: str) -> audit.AuditQuery:
    errors: list[FieldError] = []
    uid: int | None = None
    if user_id.strip():
        if user_id.strip().isdigit():
            uid = int(user_id)
        else:
            errors.append(FieldError("user_id", "use a numeric user id"))
    dates: dict[str, dt.date | None] = {}
    for name, value in (("since", since), ("until", until)):
        dates[name] = None
        if value.strip():
            try:
                dates[name] = dt.date.fromisoformat(value.strip())
            except ValueError:
                errors.append(FieldError(name, "use a date such as 2026-01-31"))
    if errors:
        raise ValidationFailed("The audit search has invalid fields", errors=errors)
    return audit.AuditQuery(user_id=uid, action=action.strip(), entity_kind=entity_kind.strip(),
                            entity_id=entity_id.strip(), since=dates["since"], until=dates["until"])


Text = Annotated[str, Query(max_length=60)]


@router.get("/api/audit", tags=["accounts"], summary="Search the audit log (operators)")
def api_audit(db: DatabaseDep, actor: ActorDep, user_id: Text = "", action: Text = "", entity_kind: Text = "",
              entity_id: Text = "", since: Text = "", until: Text = "",
              page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> dict[str, Any]:
    result = audit.search(db, actor, _audit_query(user_id, action, entity_kind, entity_id, since, until), page=page)
    return {"ok": True, "total": result.total, "page": result.page, "pages": result.pages, "items": result.items}


@router.get("/audit", include_in_schema=False)
def page_audit(request: Request, db: DatabaseDep, actor: ActorDep, user_id: Text = "", action: Text = "",
               entity_kind: Text = "", entity_id: Text = "", since: Text = "", until: Text = "",
               page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    filters = {"user_id": user_id, "action": action, "entity_kind": entity_kind, "entity_id": entity_id,
               "since": since, "until": until}
    result = audit.search(db, actor, _audit_query(**filters), page=page)
    return render(request, "auth/audit.html", {"result": result, "filters": filters})
