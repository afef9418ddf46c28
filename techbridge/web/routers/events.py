"""Roadshow pages and API: events, registration with availability, meeting requests and responses, the
scheduler (organisers), cancellations that reschedule without moving anyone else, and personal agendas as a
page, a printable PDF and an .ics file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import RedirectResponse, Response

from techbridge.errors import ValidationFailed
from techbridge.services import events
from techbridge.services.events.scheduling import (
    WEB_OPTIONS,
    after_cancellation,
    event_of_participant,
    require_agenda_access,
)
from techbridge.web.deps import ActorDep, DatabaseDep, LangDep
from techbridge.web.forms import read_form
from techbridge.web.render import render

router = APIRouter()
NAV = [(80, "nav.events", "/events")]
JsonBody = Annotated[dict[str, Any], Body()]


@router.get("/api/events", tags=["events"], summary="Roadshow events")
def api_list(db: DatabaseDep) -> dict[str, Any]:
    return {"ok": True, "items": events.list_events(db)}


@router.get("/events", include_in_schema=False)
def page_list(request: Request, db: DatabaseDep) -> Response:
    return render(request, "events/list.html", {"items": events.list_events(db)})


@router.post("/api/events", tags=["events"], status_code=201,
             summary="Create an event with sessions, time slots and tables (operators)")
def api_create(db: DatabaseDep, actor: ActorDep, data: Annotated[dict[str, Any], Body(examples=[{
        "title": "…", "held_on": "2026-12-08", "tables": 20,
        "sessions": [{"title": "上午", "start": "09:00", "slots": 8, "slot_minutes": 20}]}])]) -> dict[str, Any]:
    return {"ok": True, "id": events.create_event(db, actor, data)}


SESSION_ROWS = 3
EVENT_FORM = {"title", "venue", "held_on", "description", "tables", "table_capacity",
              *(f"s{i}_{part}" for i in range(SESSION_ROWS) for part in ("title", "start", "slots", "minutes"))}


def _event_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The flat form (up to three session rows; blank rows skipped) as the service's event dict."""
    data = {k: v for k, v in form.items() if not k.startswith("s") or k == "sessions"}
    data["sessions"] = [{"title": form.get(f"s{i}_title", ""), "start": form.get(f"s{i}_start"),
                         "slots": form.get(f"s{i}_slots"), "slot_minutes": form.get(f"s{i}_minutes")}
                        for i in range(SESSION_ROWS) if form.get(f"s{i}_start") or form.get(f"s{i}_slots")]
    return data


@router.get("/events/new", include_in_schema=False)
def page_new(request: Request, actor: ActorDep) -> Response:
    actor.require_login()
    return render(request, "events/form.html", {"values": {}, "errors": {}, "rows": range(SESSION_ROWS)})


@router.post("/events/new", include_in_schema=False)
async def page_create(request: Request, db: DatabaseDep, actor: ActorDep) -> Response:
    form = await read_form(request, allowed=EVENT_FORM)
    try:
        event_id = events.create_event(db, actor, _event_from_form(form))
    except ValidationFailed as exc:
        return render(request, "events/form.html", {"values": form, "errors": {e.field: e.message for e in exc.errors},
                                                    "error": exc, "rows": range(SESSION_ROWS)}, status_code=422)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


def _mine(db: Any, actor: Any, overview: dict[str, Any]) -> dict[str, Any] | None:
    if not actor.is_authenticated:
        return None
    own = next((p for p in overview["participants"] if p["user_id"] == actor.user_id), None)
    return events.agenda(db, own["id"]) if own else None


@router.get("/api/events/{event_id}", tags=["events"], summary="An event: sessions, slots, participants, counts")
def api_detail(event_id: int, db: DatabaseDep) -> dict[str, Any]:
    return {"ok": True, "event": events.overview(db, event_id), "last_run": events.last_run(db, event_id)}


@router.get("/events/{event_id}", include_in_schema=False)
def page_detail(request: Request, event_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    overview = events.overview(db, event_id)
    return render(request, "events/detail.html", {
        "event": overview, "last_run": events.last_run(db, event_id), "mine": _mine(db, actor, overview),
        "is_organiser": actor.is_operator or (actor.user_id is not None
                                              and actor.user_id == overview["organiser_user_id"])})


@router.post("/api/events/{event_id}/participants", tags=["events"], status_code=201,
             summary="Register (kind, display_name, availability windows)")
def api_register(event_id: int, db: DatabaseDep, actor: ActorDep, data: JsonBody) -> dict[str, Any]:
    return {"ok": True, "id": events.register(db, actor, event_id, data)}


@router.post("/events/{event_id}/register", include_in_schema=False)
async def page_register(request: Request, event_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"kind", "display_name", "availability"})
    events.register(db, actor, event_id, data)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.post("/api/events/{event_id}/requests", tags=["events"], status_code=201,
             summary="Request a meeting (target_id, priority 1–5, note)")
def api_request(event_id: int, db: DatabaseDep, actor: ActorDep, data: JsonBody) -> dict[str, Any]:
    return {"ok": True, "id": events.request_meeting(db, actor, event_id, data)}


@router.post("/events/{event_id}/requests", include_in_schema=False)
async def page_request(request: Request, event_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"target_id", "priority", "note"})
    events.request_meeting(db, actor, event_id, data)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.post("/api/meeting-requests/{request_id}/cancel", tags=["events"],
             summary="Cancel an accepted meeting; freed slots are refilled without moving other meetings")
def api_cancel(request_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    event_id = events.cancel(db, actor, request_id)
    return {"ok": True, "rescheduled": after_cancellation(db, event_id) if event_id else None}


@router.post("/api/meeting-requests/{request_id}/{decision}", tags=["events"],
             summary="accept or decline (the invited side), withdraw (the requester)")
def api_respond(request_id: int, decision: str, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, "status": events.respond(db, actor, request_id, decision)}


@router.post("/meeting-requests/{request_id}/{decision}", include_in_schema=False)
async def page_respond(request: Request, request_id: int, decision: str, db: DatabaseDep, actor: ActorDep
                       ) -> Response:
    data = await read_form(request, allowed={"event_id"})
    if decision == "cancel":
        event_id = events.cancel(db, actor, request_id)
        if event_id:
            after_cancellation(db, event_id)
    else:
        events.respond(db, actor, request_id, decision)
    return RedirectResponse(f"/events/{data.get('event_id', '')}" if data.get("event_id") else "/events",
                            status_code=303)


@router.post("/api/events/participants/{participant_id}/withdraw", tags=["events"],
             summary="Withdraw a participant late: their meetings are cancelled, the rest stays, freed slots refilled")
def api_withdraw(participant_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    event_id = event_of_participant(db, participant_id)
    freed = events.withdraw_participant(db, actor, participant_id)
    return {"ok": True, "freed": freed, "rescheduled": after_cancellation(db, event_id) if freed else None}


@router.post("/api/events/{event_id}/schedule", tags=["events"],
             summary="Schedule every accepted request from scratch (organisers); reports the optimality gap")
def api_schedule(event_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, **events.schedule(db, actor, event_id, WEB_OPTIONS)}


@router.post("/api/events/{event_id}/reschedule", tags=["events"],
             summary="Place unscheduled accepted requests, keeping every standing meeting where it is")
def api_reschedule(event_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    return {"ok": True, **events.reschedule(db, actor, event_id, WEB_OPTIONS)}


@router.post("/events/{event_id}/schedule", include_in_schema=False)
async def page_schedule(request: Request, event_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    data = await read_form(request, allowed={"mode"})
    run = events.reschedule if data.get("mode") == "reschedule" else events.schedule
    run(db, actor, event_id, WEB_OPTIONS)
    return RedirectResponse(f"/events/{event_id}", status_code=303)


@router.get("/api/events/participants/{participant_id}/agenda", tags=["events"], summary="A personal agenda")
def api_agenda(participant_id: int, db: DatabaseDep, actor: ActorDep) -> dict[str, Any]:
    require_agenda_access(db, actor, participant_id)
    return {"ok": True, **events.agenda(db, participant_id)}


@router.get("/events/participants/{participant_id}/agenda", include_in_schema=False)
def page_agenda(request: Request, participant_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    require_agenda_access(db, actor, participant_id)
    return render(request, "events/agenda.html", {"data": events.agenda(db, participant_id)})


@router.get("/events/participants/{participant_id}/agenda.pdf", tags=["events"], summary="Printable agenda (PDF)")
def agenda_pdf(participant_id: int, db: DatabaseDep, actor: ActorDep, lang: LangDep) -> Response:
    require_agenda_access(db, actor, participant_id)
    body = events.agenda_pdf(events.agenda(db, participant_id), lang)
    return Response(body, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="agenda-{participant_id}.pdf"'})


@router.get("/events/participants/{participant_id}/agenda.ics", tags=["events"], summary="Agenda as iCalendar")
def agenda_ics(participant_id: int, db: DatabaseDep, actor: ActorDep) -> Response:
    require_agenda_access(db, actor, participant_id)
    return Response(events.agenda_ics(events.agenda(db, participant_id)), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="agenda-{participant_id}.ics"'})
