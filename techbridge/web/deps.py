"""Request dependencies as Annotated aliases: settings, database, services, the acting user, language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request

from techbridge.config import Settings
from techbridge.errors import FieldError, PermissionDenied
from techbridge.services.accounts import actor_for_token
from techbridge.services.actor import Actor
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database

SESSION_COOKIE = "tb_session"
CSRF_COOKIE = "tb_csrf"
LANG_COOKIE = "tb_lang"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_matching(request: Request) -> MatchingService:
    service: MatchingService = request.app.state.matching
    return service


def get_actor(request: Request) -> Actor:
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = actor_for_token(request.app.state.db, request.cookies.get(SESSION_COOKIE))
    request.state.actor = actor
    return actor


def get_lang(request: Request) -> str:
    lang: str = getattr(request.state, "lang", "zh")
    return lang


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
MatchingDep = Annotated[MatchingService, Depends(get_matching)]
ActorDep = Annotated[Actor, Depends(get_actor)]
LangDep = Annotated[str, Depends(get_lang)]


def csrf_token(request: Request) -> str:
    """The visitor's CSRF token (double-submit cookie), created by the middleware when absent."""
    token: str = getattr(request.state, "csrf", "") or request.cookies.get(CSRF_COOKIE, "")
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Refuse a form post whose hidden token does not match the visitor's CSRF cookie."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise PermissionDenied(
            "The form expired or came from another site; reload the page and submit again",
            errors=[FieldError("csrf_token", "missing or does not match; reload the page")],
        )
