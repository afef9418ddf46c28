"""Sign-in, registration and sign-out (pages and API)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from techbridge.errors import TechbridgeError
from techbridge.services import accounts
from techbridge.web.deps import SESSION_COOKIE, ActorDep, DatabaseDep, SettingsDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()


class LoginIn(BaseModel):
    email: str = Field(max_length=200)
    password: str = Field(max_length=200)


class RegisterIn(BaseModel):
    email: str = Field(max_length=200)
    password: str = Field(max_length=200)
    display_name: str = Field(max_length=100)
    role: str = Field(description="enterprise_member, institution_member, investor or expert")
    organisation_name: str = Field(default="", max_length=200)
    province_code: str | None = Field(default=None, max_length=6)


def _set_session(response: Response, new: accounts.NewSession, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, new.token, httponly=True, samesite="lax", secure=secure,
                        expires=new.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT"))


@router.post("/api/auth/login", tags=["accounts"], summary="Sign in; sets the session cookie")
def api_login(body: LoginIn, db: DatabaseDep, settings: SettingsDep) -> Response:
    new = accounts.login(db, settings, email=body.email, password=body.password)
    response = JSONResponse({"ok": True, "user_id": new.actor.user_id, "csrf_token": new.csrf_token})
    _set_session(response, new, settings.secure_cookies)
    return response


@router.post("/api/auth/register", tags=["accounts"], status_code=201, summary="Create an account")
def api_register(body: RegisterIn, db: DatabaseDep) -> dict[str, Any]:
    user_id = accounts.register(db, email=body.email, password=body.password, display_name=body.display_name,
                                role=body.role, organisation_name=body.organisation_name,
                                province_code=body.province_code)
    return {"ok": True, "user_id": user_id}


@router.post("/api/auth/logout", tags=["accounts"], summary="Sign out")
def api_logout(request: Request, db: DatabaseDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.logout(db, token)
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/api/me", tags=["accounts"], summary="The signed-in user")
def api_me(actor: ActorDep) -> dict[str, Any]:
    actor.require_login()
    return {"ok": True, "user_id": actor.user_id, "display_name": actor.display_name,
            "roles": sorted(r.value for r in actor.roles), "organisation_id": actor.organisation_id}


@router.get("/login", include_in_schema=False)
def login_page(request: Request) -> Response:
    return render(request, "auth/login.html", {"values": {}, "errors": {}})


@router.post("/login", include_in_schema=False)
async def login_submit(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    data = await read_form(request, allowed={"email", "password", "next"})
    try:
        new = accounts.login(db, settings, email=str(data.get("email", "")), password=str(data.get("password", "")))
    except TechbridgeError as exc:
        return render(request, "auth/login.html", {"values": {"email": data.get("email", "")}, "error": exc,
                                                   "errors": {e.field: e.message for e in exc.errors}},
                      status_code=exc.status)
    target = str(data.get("next") or "/")
    response = RedirectResponse(target if target.startswith("/") and not target.startswith("//") else "/",
                                status_code=303)
    _set_session(response, new, settings.secure_cookies)
    return response


@router.get("/register", include_in_schema=False)
def register_page(request: Request) -> Response:
    return render(request, "auth/register.html", {"values": {}, "errors": {}})


@router.post("/register", include_in_schema=False)
async def register_submit(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    fields = {"email", "password", "display_name", "role", "organisation_name", "province_code"}
    data = await read_form(request, allowed=fields)
    try:
        accounts.register(db, email=str(data.get("email", "")), password=str(data.get("password", "")),
                          display_name=str(data.get("display_name", "")), role=str(data.get("role", "")),
                          organisation_name=str(data.get("organisation_name", "")),
                          province_code=data.get("province_code"))
        new = accounts.login(db, settings, email=str(data["email"]), password=str(data["password"]))
    except TechbridgeError as exc:
        data.pop("password", None)
        return render(request, "auth/register.html", {"values": data, "error": exc,
                                                      "errors": {e.field: e.message for e in exc.errors}},
                      status_code=exc.status)
    response = RedirectResponse("/", status_code=303)
    _set_session(response, new, settings.secure_cookies)
    return response


@router.post("/logout", include_in_schema=False)
async def logout_submit(request: Request, db: DatabaseDep) -> Response:
    await read_form(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.logout(db, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
