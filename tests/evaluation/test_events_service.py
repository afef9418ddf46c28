"""Roadshows end to end through the API: event set-up, registration with availability, requests and responses,
scheduling checked by the independent checker over what was stored, cancellation and rescheduling without
moving unaffected meetings, agendas as page, PDF and iCalendar, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from techbridge.domain import events as de
from techbridge.domain.roles import Role
from techbridge.services.events.scheduling import snapshot
from techbridge.storage.db import Database
from techbridge.storage.tables.events import MeetingRow
from tests.conftest import login

EVENT = {"title": "测试路演", "venue": "会议中心", "held_on": "2026-12-08", "tables": 2,
         "sessions": [{"title": "上午", "start": "09:00", "slots": 3, "slot_minutes": 20},
                      {"title": "下午", "start": "14:00", "slots": 2, "slot_minutes": 30}]}


def as_user(client: TestClient, user: Any) -> None:
    client.cookies.clear()
    login(client, user)


def stored(db: Database, event_id: int) -> tuple[de.Problem, list[de.Assignment]]:
    with db.read() as session:
        problem = snapshot(session, event_id, keep_existing=False).problem
        meetings = [de.Assignment(m.request_id, m.slot_id, m.table_id) for m in session.scalars(
            select(MeetingRow).where(MeetingRow.event_id == event_id))]
    return problem, meetings


def test_roadshow_end_to_end(client: TestClient, db: Database, make_user: Callable[..., Any]) -> None:
    operator, p1, p2, p3, inv = (make_user(Role.OPERATOR), make_user(Role.INSTITUTION_MEMBER),
                                 make_user(Role.INSTITUTION_MEMBER), make_user(Role.ENTERPRISE_MEMBER),
                                 make_user(Role.INVESTOR))
    as_user(client, inv)
    assert client.post("/api/events", json=EVENT).status_code == 403
    as_user(client, operator)
    event_id = client.post("/api/events", json=EVENT).json()["id"]
    overview = client.get(f"/api/events/{event_id}").json()["event"]
    assert [len(s["slots"]) for s in overview["sessions"]] == [3, 2] and overview["tables"] == 2

    ids: dict[str, int] = {}
    for name, user, kind, availability in (("p1", p1, "project", "09:00-10:00"), ("p2", p2, "project", ""),
                                           ("p3", p3, "enterprise", "14:00-15:00"), ("inv", inv, "investor", "")):
        as_user(client, user)
        response = client.post(f"/api/events/{event_id}/participants",
                               json={"kind": kind, "display_name": name, "availability": availability})
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    again = client.post(f"/api/events/{event_id}/participants", json={"kind": "investor"})
    assert again.status_code == 409

    requests: dict[str, int] = {}
    for name, priority in (("p1", 5), ("p2", 3), ("p3", 4)):
        as_user(client, {"p1": p1, "p2": p2, "p3": p3}[name])
        response = client.post(f"/api/events/{event_id}/requests", json={"target_id": ids["inv"], "priority": priority})
        assert response.status_code == 201, response.text
        requests[name] = response.json()["id"]
    as_user(client, p1)
    assert client.post(f"/api/meeting-requests/{requests['p1']}/accept").status_code == 403  # not the target
    unknown = client.post(f"/api/events/{event_id}/requests", json={"target_id": 99999})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "target_id"
    assert client.post(f"/api/events/{event_id}/requests", json={"target_id": ids["inv"]}).status_code == 409
    as_user(client, p2)
    assert client.post(f"/api/events/{event_id}/requests",
                       json={"target_id": ids["p3"], "priority": 9}).json()["errors"][0]["field"] == "priority"
    as_user(client, inv)
    for name in ("p1", "p2", "p3"):
        assert client.post(f"/api/meeting-requests/{requests[name]}/accept").json()["status"] == "accepted"
    again = client.post(f"/api/meeting-requests/{requests['p1']}/decline")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert client.post(f"/api/events/{event_id}/schedule").status_code == 403  # investors do not organise

    as_user(client, operator)
    result = client.post(f"/api/events/{event_id}/schedule").json()
    assert result["scheduled"] == 3 and result["gap"] == 0
    problem, meetings = stored(db, event_id)
    assert de.check_schedule(problem, meetings) == []

    as_user(client, inv)
    agenda = client.get(f"/api/events/participants/{ids['inv']}/agenda").json()
    assert next(m["with"] for m in agenda["meetings"]) == "p1"  # p1 can only meet 09:00–10:00
    assert [m["start"][11:] for m in agenda["meetings"]][-1] >= "14:00"  # p3 only in the afternoon
    pdf = client.get(f"/events/participants/{ids['inv']}/agenda.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ics = client.get(f"/events/participants/{ids['inv']}/agenda.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    text = ics.text
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 3 and "DTSTART:20261208T01" in text  # 09:xx Beijing = 01:xx UTC
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    for lang in ("zh", "en"):
        for path in ("/events", f"/events/{event_id}", f"/events/participants/{ids['inv']}/agenda"):
            page = client.get(path, params={"lang": lang}, headers={"accept": "text/html"})
            assert page.status_code == 200, (path, page.text[:300])
    as_user(client, p2)
    assert client.get(f"/api/events/participants/{ids['inv']}/agenda").status_code == 403

    # p2 cancels late: p1's and p3's meetings stay exactly where they were.
    before = {m.request_id: m for m in meetings}
    cancelled = client.post(f"/api/meeting-requests/{requests['p2']}/cancel").json()
    assert cancelled["rescheduled"]["scheduled"] == 2
    problem, after = stored(db, event_id)
    assert de.check_schedule(problem, after) == []
    assert {m.request_id: m for m in after} == {k: v for k, v in before.items() if k != requests["p2"]}


def test_bad_registration_input(client: TestClient, make_user: Callable[..., Any]) -> None:
    as_user(client, make_user(Role.OPERATOR))
    event_id = client.post("/api/events", json=EVENT).json()["id"]
    overlap = client.post(f"/api/events/{event_id}/participants",
                          json={"kind": "project", "availability": ["09:00-11:00", "10:00-12:00"]})
    assert overlap.status_code == 422
    first_error = overlap.json()["errors"][0]
    assert first_error["field"] == "availability.1" and "merge" in first_error["message"]
    garbage = client.post(f"/api/events/{event_id}/participants", json={"kind": "alien", "availability": "noon"})
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["field"] == "kind"
    bad_event = client.post("/api/events", json=EVENT | {"held_on": "someday", "sessions": [
        {"start": "09:00", "slots": 4}, {"start": "09:30", "slots": 2}]})
    assert bad_event.status_code == 422
    assert {e["field"] for e in bad_event.json()["errors"]} >= {"held_on"}
    overlapping = client.post("/api/events", json=EVENT | {"sessions": [{"start": "09:00", "slots": 4},
                                                                       {"start": "09:30", "slots": 2}]})
    assert overlapping.json()["errors"][0]["field"] == "sessions"


def test_withdrawn_participant_frees_slots_and_others_stay(client: TestClient, db: Database,
                                                           make_user: Callable[..., Any]) -> None:
    operator = make_user(Role.OPERATOR)
    as_user(client, operator)
    event_id = client.post("/api/events", json=EVENT | {"tables": 1}).json()["id"]
    people = [client.post(f"/api/events/{event_id}/participants",
                          json={"kind": "project" if i < 6 else "investor", "display_name": f"x{i}",
                                "for_self": False}).json()["id"] for i in range(8)]
    rids = []
    for i, project in enumerate(people[:6]):
        rid = client.post(f"/api/events/{event_id}/requests", json={
            "requester_id": project, "target_id": people[6 + i % 2], "priority": (1, 2, 3, 4, 5, 4)[i]}).json()["id"]
        client.post(f"/api/meeting-requests/{rid}/accept")
        rids.append(rid)
    first = client.post(f"/api/events/{event_id}/schedule").json()
    assert first["scheduled"] == 5 and first["warnings"] == []  # one table, five slots
    _problem, before = stored(db, event_id)
    assert rids[0] not in {m.request_id for m in before}  # priority 1 lost out: one table, five slots
    withdrawn = client.post(f"/api/events/participants/{people[4]}/withdraw").json()
    assert withdrawn["freed"] == 1
    problem, after = stored(db, event_id)
    assert de.check_schedule(problem, after) == []
    assert {m.request_id for m in after} == ({m.request_id for m in before} - {rids[4]}) | {rids[0]}
    kept = {m.request_id: m for m in after}
    assert all(kept[m.request_id] == m for m in before if m.request_id != rids[4])


def test_event_form_for_operators(client: TestClient, make_user: Callable[..., Any]) -> None:
    csrf = login(client, make_user(Role.OPERATOR))
    assert client.get("/events/new", headers={"accept": "text/html"}).status_code == 200
    form = {"csrf_token": csrf, "title": "表单路演", "held_on": "2026-12-09", "tables": "4", "s0_title": "上午",
            "s0_start": "09:00", "s0_slots": "6", "s0_minutes": "20", "s1_start": "09:30", "s1_slots": "2"}
    page = client.post("/events/new", data=form, headers={"accept": "text/html"})
    assert page.status_code == 422 and "sessions" in page.text  # the second session overlaps the first
    created = client.post("/events/new", data=form | {"s1_start": "14:00"}, follow_redirects=False)
    assert created.status_code == 303
    event = client.get("/api" + created.headers["location"]).json()["event"]
    assert [len(s["slots"]) for s in event["sessions"]] == [6, 2] and event["tables"] == 4
