"""In-app notifications (assignments, deadlines, state changes) and their /api twins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from techbridge.services import notifications
from techbridge.web.deps import ActorDep, DatabaseDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(95, "nav.notifications", "/notifications")]


@router.get("/api/notifications", tags=["notifications"], summary="Your in-app notifications, newest first")
def api_notifications(db: DatabaseDep, actor: ActorDep, unread_only: bool = False) -> dict[str, Any]:
    return {"ok": True, "unread": notifications.unread_count(db, actor),
            "items": notifications.list_for(db, actor, unread_only=unread_only)}


@router.post("/api/notifications/read", tags=["notifications"], summary="Mark one (id) or all notifications read")
def api_read(db: DatabaseDep, actor: ActorDep, notification_id: Annotated[int | None, Query(alias="id")] = None
             ) -> dict[str, Any]:
    return {"ok": True, "changed": notifications.mark_read(db, actor, notification_id)}


@router.get("/notifications", include_in_schema=False)
def page_notifications(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    items = notifications.list_for(db, actor)
    return render(request, "desk/notifications.html", {"items": items,
                                                       "unread": notifications.unread_count(db, actor)})


@router.post("/notifications/read", include_in_schema=False)
async def page_read(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"id"})
    raw = str(data.get("id", ""))
    notifications.mark_read(db, actor, int(raw) if raw.isdigit() else None)
    return RedirectResponse("/notifications", status_code=303)
