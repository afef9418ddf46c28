"""API and pages: the JSON twins, the error envelope (409 illegal_transition, 403, 401, 422), forms with CSRF,
and every page rendering in both languages."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from techbridge.services import challenge_views, challenges
from techbridge.storage.db import Database
from techbridge.storage.tables.challenges import ChallengeCallRow
from tests.challenges.conftest import PASSWORD, World, application_data, call_data, run_to_evaluating


def _login(client: TestClient, world: World, name: str) -> str:
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"email": f"{name}@example.org", "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.get("/")
    return client.cookies.get("tb_csrf") or ""


def _envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["code"] == code
    return dict(body)


def test_call_api_round_trip_and_illegal_transition(client: TestClient, db: Database, world: World) -> None:
    _login(client, world, "issuer")
    created = client.post("/api/challenges", json=call_data())
    assert created.status_code == 201, created.text
    call_id = created.json()["id"]
    assert created.json()["item"]["reward_yuan"] == "3000000.00"
    body = _envelope(client.post(f"/api/challenges/{call_id}/transitions", json={"action": "publish"}), 409,
                     "illegal_transition")
    assert "allowed from: submitted" in body["error"]
    assert client.post(f"/api/challenges/{call_id}/transitions", json={"action": "submit"}).json()["state"] \
        == "submitted"
    _envelope(client.post(f"/api/challenges/{call_id}/transitions", json={"action": "publish"}), 403, "forbidden")
    _envelope(client.post(f"/api/challenges/{call_id}/transitions", json={"action": "fly"}), 422,
              "validation_failed")
    _envelope(client.patch(f"/api/challenges/{call_id}", json={"title": "x"}), 409, "illegal_transition")
    _login(client, world, "operator")
    assert client.post(f"/api/challenges/{call_id}/transitions", json={"action": "publish"}).json()["state"] \
        == "published"
    _login(client, world, "applicant_uni")
    applied = client.post(f"/api/challenges/{call_id}/applications", json=application_data(world))
    assert applied.status_code == 201
    _envelope(client.post(f"/api/challenges/{call_id}/applications", json=application_data(world)), 409, "conflict")
    bad = _envelope(client.post(f"/api/challenges/{call_id}/applications", json={"plan": ""}), 422,
                    "validation_failed")
    assert {e["field"] for e in bad["errors"]} >= {"team_name", "budget_yuan"}
    detail = client.get(f"/api/challenges/{call_id}").json()["item"]
    assert detail["my_application"]["status"] == "submitted" and "applications" not in detail
    client.cookies.clear()
    _envelope(client.post(f"/api/challenges/{call_id}/transitions", json={"action": "terminate", "reason": "x"}),
              401, "authentication_required")
    public = client.get(f"/api/challenges/{call_id}").json()["item"]
    assert public["state"] == "published" and "my_application" not in public
    assert client.get("/api/challenges/workflow").json()["transitions"][0]["action"] == "submit"


def test_review_flow_over_the_api(client: TestClient, db: Database, world: World) -> None:
    call_id, apps = run_to_evaluating(db, world)
    _login(client, world, "expert_uni")
    scores = {"approach": 8, "team": 8, "prior_results": 8, "metrics": 8, "budget": 8}
    body = _envelope(client.post(f"/api/challenges/applications/{apps['uni']}/reviews", json={"scores": scores}),
                     409, "conflict")
    assert "Conflict of interest" in body["error"]
    ok = client.post(f"/api/challenges/applications/{apps['ins']}/reviews", json={"scores": scores})
    assert ok.json() == {"ok": True, "total": "80.00"}
    bad = _envelope(client.post(f"/api/challenges/applications/{apps['ins']}/reviews",
                                json={"scores": {"approach": 11}}), 422, "validation_failed")
    assert "scores.approach" in {e["field"] for e in bad["errors"]}
    _login(client, world, "operator")
    panel = client.post(f"/api/challenges/{call_id}/panel", json={"expert_user_ids": [world["user:issuer"]]})
    _envelope(panel, 422, "validation_failed")
    assert client.get(f"/api/challenges/{call_id}").json()["item"]["conflicts"]


def test_milestone_and_solver_api(client: TestClient, db: Database, world: World) -> None:
    from tests.challenges.test_call_workflow import _to_implementing

    call_id, _apps = _to_implementing(db, world, ["uni"])
    award = challenge_views.call_view(db, world.users["issuer"], call_id)["awards"][0]
    first = award["milestones"][0]["milestone_id"]
    _login(client, world, "issuer")
    response = client.post(f"/api/challenges/awards/{award['id']}/milestones/{first}/review",
                           json={"outcome": "passed"})
    assert response.json()["released_yuan"] == "900000.00"
    _envelope(client.post(f"/api/challenges/awards/{award['id']}/milestones/{first}/review",
                          json={"outcome": "passed"}), 409, "illegal_transition")
    solvers = client.get(f"/api/challenges/{call_id}/solvers").json()
    assert solvers["ok"] and all(t["organisation_id"] != world["ent"] for t in solvers["teams"])
    assert solvers["teams"] and solvers["teams"][0]["reasons"]


def test_case_api_and_illegal_move(client: TestClient, db: Database, world: World) -> None:
    _login(client, world, "manager")
    created = client.post("/api/cases", json={"title": "对接", "demand_id": world["d-ent"],
                                              "technology_id": world["t-uni"]})
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    body = _envelope(client.post(f"/api/cases/{case_id}/moves", json={"action": "advance", "target": "contract"}),
                     409, "illegal_transition")
    assert "moves forward to evaluation" in body["error"]
    assert client.post(f"/api/cases/{case_id}/moves", json={"action": "advance"}).json()["stage"] == "evaluation"
    _envelope(client.post(f"/api/cases/{case_id}/moves", json={"action": "close"}), 422, "validation_failed")
    assert client.post(f"/api/cases/{case_id}/tasks", json={"title": "约谈", "due_on": "2020-01-01"}).status_code \
        == 201
    assert client.post(f"/api/cases/{case_id}/documents", json={"kind": "nda", "title": "NDA"}).status_code == 201
    assert client.post(f"/api/cases/{case_id}/notes", json={"text": "进展顺利"}).status_code == 201
    assert client.post(f"/api/cases/{case_id}/handoffs", json={"to_org_id": world["inc"],
                                                               "host_kind": "incubator"}).status_code == 201
    view = client.get(f"/api/cases/{case_id}").json()["item"]
    assert view["handoffs"][0]["to_org_id"] == world["inc"] and view["tasks"][0]["overdue"]
    desk = client.get("/api/desk").json()
    assert desk["overdue_tasks"][0]["case_id"] == case_id
    _envelope(client.get("/api/desk?scope=all"), 403, "forbidden")
    _envelope(client.post("/api/cases/from-match", json={"demand_id": world["d-ent"],
                                                         "technology_id": world["t-uni"]}), 422, "validation_failed")
    _login(client, world, "investor")
    _envelope(client.get(f"/api/cases/{case_id}"), 403, "forbidden")
    _envelope(client.post(f"/api/cases/{case_id}/moves", json={"action": "advance"}), 403, "forbidden")
    _login(client, world, "operator")
    assert client.get("/api/desk?scope=all").json()["managers"][0]["cases"] == 1
    assert client.post(f"/api/cases/{case_id}/assign",
                       json={"manager_user_id": world["user:manager2"]}).json()["ok"]
    _login(client, world, "manager2")
    notes = client.get("/api/notifications").json()
    assert notes["unread"] >= 1 and notes["items"][0]["kind"] == "assignment"
    assert client.post("/api/notifications/read").json()["changed"] >= 1


def test_html_pages_and_forms(client: TestClient, db: Database, world: World) -> None:
    call_id, _apps = run_to_evaluating(db, world)
    csrf = _login(client, world, "operator")
    for path in ("/challenges", f"/challenges/{call_id}", f"/challenges/{call_id}/solvers", "/desk",
                 "/desk?scope=mine", "/cases?scope=all", "/cases/new", "/notifications", "/challenges/new"):
        for lang in ("zh", "en"):
            page = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}", headers={"accept": "text/html"})
            assert page.status_code == 200, (path, page.text[:500])
            missing = re.findall(r"\b(?:ch|cs|desk|nt)\.[a-z_]+(?:\.[a-z_]+)*", page.text)
            assert not missing, f"{path} shows untranslated keys {missing}"
    # a form without the CSRF token is refused; with it, the step is taken and we are redirected
    refused = client.post(f"/challenges/{call_id}/transitions", data={"action": "terminate", "reason": "x"},
                          headers={"accept": "text/html"})
    assert refused.status_code == 403
    illegal = client.post(f"/challenges/{call_id}/transitions", data={"action": "publish", "csrf_token": csrf},
                          headers={"accept": "text/html"})
    assert illegal.status_code == 409 and "publish" in illegal.text
    done = client.post(f"/challenges/{call_id}/transitions", data={"action": "terminate", "reason": "需求取消",
                                                                    "csrf_token": csrf}, follow_redirects=False)
    assert done.status_code == 303
    csrf = _login(client, world, "manager")
    opened = client.post("/cases/new", data={"title": "表单案件", "demand_id": str(world["d-ent"]), "csrf_token": csrf},
                         follow_redirects=False)
    assert opened.status_code == 303
    case_path = opened.headers["location"]
    moved = client.post(f"{case_path}/moves", data={"move": "advance:evaluation", "csrf_token": csrf},
                        follow_redirects=False)
    assert moved.status_code == 303
    for lang in ("zh", "en"):
        page = client.get(f"{case_path}?lang={lang}")
        assert page.status_code == 200 and ("评估" in page.text if lang == "zh" else "Evaluation" in page.text)
    bad = client.post("/cases/new", data={"title": "", "csrf_token": csrf})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


def test_public_call_page_shows_status_and_timeline(client: TestClient, db: Database, world: World) -> None:
    call_id = challenges.create_call(db, world.users["issuer"], call_data(title="公开的榜单"))
    assert client.get(f"/challenges/{call_id}", headers={"accept": "text/html"}).status_code == 404
    challenges.transition(db, world.users["issuer"], call_id, "submit")
    challenges.transition(db, world.users["operator"], call_id, "publish")
    page = client.get(f"/challenges/{call_id}")
    assert page.status_code == 200
    assert "公开的榜单" in page.text and "揭榜中" in page.text and "审核通过并发榜" in page.text
    with db.transaction() as session:
        session.execute(update(ChallengeCallRow).where(ChallengeCallRow.id == call_id)
                        .values(deadline=dt.date.today() - dt.timedelta(days=1)))
    _login(client, world, "issuer")
    assert client.post(f"/api/challenges/{call_id}/transitions",
                       json={"action": "close_applications"}).json()["state"] == "evaluating"


def test_locale_has_both_languages_and_every_template_key() -> None:
    folder = resources.files("techbridge.web").joinpath("locales")
    texts = json.loads(folder.joinpath("challenges.json").read_text(encoding="utf-8"))
    assert all(set(v) == {"zh", "en"} and all(v.values()) for v in texts.values())
    from techbridge.web.i18n import catalog

    known = catalog()
    root = Path(str(resources.files("techbridge.web").joinpath("templates")))
    for area in ("challenges", "cases", "desk"):
        for template in (root / area).glob("*.html"):
            for key in re.findall(r"\bt\('([a-z_.]+)'\)", template.read_text(encoding="utf-8")):
                assert key in known, f"{template.name}: UI text key {key!r} is missing from the locale files"


@pytest.mark.parametrize("name", ["challenges", "cases", "desk", "notifications"])
def test_routers_are_discovered(client: TestClient, name: str) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"challenges": "/api/challenges", "cases": "/api/cases", "desk": "/api/desk",
            "notifications": "/api/notifications"}[name] in paths


def test_solvers_are_for_issuer_and_operator_only(client: TestClient, db: Database, world: World) -> None:
    call_id = challenges.create_call(db, world.users["issuer"], call_data())
    challenges.transition(db, world.users["issuer"], call_id, "submit")
    challenges.transition(db, world.users["operator"], call_id, "publish")
    _envelope(client.get(f"/api/challenges/{call_id}/solvers"), 403, "forbidden")
    _login(client, world, "applicant_uni")
    _envelope(client.get(f"/api/challenges/{call_id}/solvers"), 403, "forbidden")
    csrf = _login(client, world, "issuer")
    assert client.get(f"/challenges/{call_id}/solvers").status_code == 200
    invited = client.post(f"/challenges/{call_id}/invitations", data={"organisation_id": str(world["uni"]),
                                                                      "reason": "成果匹配", "csrf_token": csrf},
                          follow_redirects=False)
    assert invited.status_code == 303
    csrf = _login(client, world, "applicant_uni")
    app_id = challenges.apply(db, world.users["applicant_uni"], call_id, application_data(world))
    page = client.get(f"/challenges/{call_id}")
    assert f"/applications/{app_id}/withdraw" in page.text
    withdrawn = client.post(f"/challenges/{call_id}/applications/{app_id}/withdraw", data={"csrf_token": csrf},
                            follow_redirects=False)
    assert withdrawn.status_code == 303
    assert client.get(f"/api/challenges/{call_id}").json()["item"]["my_application"]["status"] == "withdrawn"
    notes = client.get("/api/notifications").json()["items"]
    assert notes[0]["kind"] == "invitation"
    _login(client, world, "applicant_ins")
    _envelope(client.post(f"/api/notifications/read?id={notes[0]['id']}"), 404, "not_found")


def test_objection_must_name_an_application_of_the_call(db: Database, world: World) -> None:
    call_id, apps = run_to_evaluating(db, world)
    from tests.challenges.test_call_workflow import AFTER, _score_all

    _score_all(db, world, call_id, apps)
    challenges.transition(db, world.users["operator"], call_id, "start_notice", today=AFTER)
    from techbridge.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        challenges.object_to(db, world.users["investor"], call_id, "?", 99999, today=AFTER)
