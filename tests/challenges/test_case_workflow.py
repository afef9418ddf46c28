"""Cases through the services: opening from a match, an award or by hand; moves with roles, gates and reasons;
tasks, notes, documents; relay-incubation history; the contract hand-off; the desk and reminders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from techbridge.config import Settings
from techbridge.domain.cases import Stage
from techbridge.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from techbridge.services import cases, challenge_views, desk, notifications
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from tests.challenges.conftest import World
from tests.challenges.test_call_workflow import _to_implementing


def _case(db: Database, world: World, **extra: Any) -> int:
    data = {"title": "正极材料对接", "demand_id": world["d-ent"], "technology_id": world["t-uni"]} | extra
    return cases.open_case(db, world.users["manager"], data)


def _walk(db: Database, world: World, case_id: int, until: Stage) -> None:
    manager = world.users["manager"]
    while True:
        view = desk.case_view(db, manager, case_id)
        if view["stage"] == until.value:
            return
        if view["stage"] == "matchmaking":
            cases.add_document(db, manager, case_id, "nda", "保密协议")
        if view["stage"] == "negotiation":
            cases.add_document(db, manager, case_id, "loi", "意向书")
        cases.move(db, manager, case_id, "advance")


def test_open_by_hand_fills_parties(db: Database, world: World) -> None:
    case_id = _case(db, world)
    view = desk.case_view(db, world.users["manager"], case_id)
    assert view["seller_org_id"] == world["uni"] and view["buyer_org_id"] == world["ent"]
    assert view["stage"] == "discovery" and view["manager_user_id"] == world["user:manager"]
    with pytest.raises(PermissionDenied):
        cases.open_case(db, world.users["investor"], {"title": "x", "demand_id": world["d-ent"]})
    with pytest.raises(ValidationFailed) as info:
        cases.open_case(db, world.users["manager"], {"title": "", "demand_id": 99999})
    assert {e.field for e in info.value.errors} == {"title"}
    with pytest.raises(ValidationFailed):
        cases.open_case(db, world.users["manager"], {"title": "t", "demand_id": 99999})
    with pytest.raises(ValidationFailed):
        cases.open_case(db, world.users["manager"], {"title": "t"})


def test_open_from_accepted_match(db: Database, world: World) -> None:
    matching = MatchingService(db)
    with pytest.raises(ValidationFailed):
        cases.open_from_match(db, world.users["manager"], world["d-ent"], world["t-uni"])
    matching.record_feedback(world.users["ent_member"], world["d-ent"], world["t-uni"], "accept", "合适")
    inbox = desk.desk(db, world.users["manager"])["matches_to_open"]
    assert [(m["demand_id"], m["technology_id"]) for m in inbox] == [(world["d-ent"], world["t-uni"])]
    assert desk.desk(db, world.users["operator"], scope="all")["accepted_matches_without_case"] == 1
    case_id = cases.open_from_match(db, world.users["manager"], world["d-ent"], world["t-uni"])
    assert desk.desk(db, world.users["manager"])["matches_to_open"] == []
    assert cases.open_from_match(db, world.users["manager"], world["d-ent"], world["t-uni"]) == case_id
    view = desk.case_view(db, world.users["manager"], case_id)
    assert view["source"] == "match" and view["seller_org_id"] == world["uni"]


def test_open_from_award(db: Database, world: World) -> None:
    call_id, _apps = _to_implementing(db, world, ["uni"])
    award = challenge_views.call_view(db, world.users["issuer"], call_id)["awards"][0]
    case_id = cases.open_from_award(db, world.users["manager"], award["id"])
    view = desk.case_view(db, world.users["manager"], case_id)
    assert view["source"] == "challenge" and view["seller_org_id"] == world["uni"]
    assert view["buyer_org_id"] == world["ent"] and view["technology_id"] == world["t-uni"]
    with pytest.raises(NotFound):
        cases.open_from_award(db, world.users["manager"], 99999)


def test_moves_roles_gates_and_reasons(db: Database, world: World) -> None:
    u = world.users
    case_id = _case(db, world)
    with pytest.raises(PermissionDenied):
        cases.move(db, u["manager2"], case_id, "advance")  # a manager, but not this case's
    with pytest.raises(PermissionDenied):
        cases.move(db, u["ent_member"], case_id, "advance")  # a party member may watch, not move
    assert cases.move(db, u["manager"], case_id, "advance") == "evaluation"
    assert cases.move(db, u["operator"], case_id, "advance", target="matchmaking") == "matchmaking"
    with pytest.raises(IllegalTransition, match="NDA"):
        cases.move(db, u["manager"], case_id, "advance")
    cases.add_document(db, u["ent_member"], case_id, "nda", "保密协议 2026-01")
    assert cases.move(db, u["manager"], case_id, "advance") == "negotiation"
    with pytest.raises(ValidationFailed):
        cases.move(db, u["manager"], case_id, "move_back", target="evaluation")
    with pytest.raises(IllegalTransition):
        cases.move(db, u["manager"], case_id, "move_back", target="contract", reason="x")
    with pytest.raises(ValidationFailed):
        cases.move(db, u["manager"], case_id, "advance", target="nowhere")
    assert cases.move(db, u["manager"], case_id, "move_back", target="evaluation", reason="估值需重做") == "evaluation"
    assert cases.move(db, u["manager"], case_id, "close", reason="买方预算取消") == "closed"
    with pytest.raises(IllegalTransition):
        cases.move(db, u["manager"], case_id, "advance")
    assert cases.move(db, u["manager"], case_id, "reopen", reason="预算恢复") == "evaluation"
    history = desk.case_view(db, u["manager"], case_id)["history"]
    stages = [(h["from_stage"], h["to_stage"], h["text"]) for h in history if h["kind"] == "stage"]
    assert stages[-3:] == [("negotiation", "evaluation", "估值需重做"), ("evaluation", "closed", "买方预算取消"),
                           ("closed", "evaluation", "预算恢复")]
    assert notifications.list_for(db, u["ent_member"])  # party members hear about stage changes


def test_contract_stage_hands_parties_and_technology_to_registration(db: Database, world: World,
                                                                   tmp_path: Path) -> None:
    from techbridge.services.contracts import get as get_contract

    case_id = _case(db, world)
    _walk(db, world, case_id, Stage.CONTRACT)
    view = desk.case_view(db, world.users["manager"], case_id)
    assert view["contract_status"] == "handed_off", view["contract_status"]
    assert any(h["kind"] == "contract_handoff" for h in view["history"])
    contract = get_contract(db, Settings(data_dir=tmp_path), world.users["operator"], int(view["contract_ref"]))
    assert contract["technology_id"] == world["t-uni"] and contract["demand_id"] == world["d-ent"]
    assert contract["status"] == "draft" and contract["source"] == "case"
    assert contract["seller"]["organisation_id"] == world["uni"]
    assert contract["buyer"]["organisation_id"] == world["ent"]


def test_relay_incubation_history(db: Database, world: World) -> None:
    u = world.users
    case_id = _case(db, world)
    cases.handoff(db, u["manager"], case_id, world["inc"], "incubator", "入驻孵化器")
    cases.handoff(db, u["manager"], case_id, world["park"], "science_park", "毕业进入科学园")
    cases.handoff(db, u["operator"], case_id, world["ind"], "industrial_park", "量产落地产业园")
    with pytest.raises(ValidationFailed):
        cases.handoff(db, u["manager"], case_id, world["ind"], "industrial_park")
    with pytest.raises(ValidationFailed):
        cases.handoff(db, u["manager"], case_id, world["park"], "moon_base")
    with pytest.raises(PermissionDenied):
        cases.handoff(db, u["ent_member"], case_id, world["park"], "science_park")
    view = desk.case_view(db, u["manager"], case_id)
    assert [(h["from_org_id"], h["to_org_id"], h["host_kind"]) for h in view["handoffs"]] == [
        (None, world["inc"], "incubator"), (world["inc"], world["park"], "science_park"),
        (world["park"], world["ind"], "industrial_park")]
    assert view["host_org_id"] == world["ind"]
    assert [h["text"] for h in view["history"] if h["kind"] == "handoff"] == ["入驻孵化器", "毕业进入科学园",
                                                                             "量产落地产业园"]
    cases.move(db, u["manager"], case_id, "close", reason="结束")
    with pytest.raises(IllegalTransition):
        cases.handoff(db, u["manager"], case_id, world["inc"], "incubator")


def test_tasks_notes_documents_and_visibility(db: Database, world: World) -> None:
    u = world.users
    case_id = _case(db, world)
    yesterday = dt.date.today() - dt.timedelta(days=1)
    task = cases.add_task(db, u["manager"], case_id, "约买方技术负责人", owner_user_id=world["user:manager2"],
                          due_on=yesterday)
    assert notifications.list_for(db, u["manager2"])[0]["kind"] == "task"
    with pytest.raises(PermissionDenied):
        cases.add_task(db, u["ent_member"], case_id, "x")
    cases.add_note(db, u["ent_member"], case_id, "我们希望先看样品")
    with pytest.raises(PermissionDenied):
        cases.add_note(db, u["investor"], case_id, "x")
    with pytest.raises(ValidationFailed):
        cases.add_document(db, u["manager"], case_id, "napkin", "")
    with pytest.raises(PermissionDenied):
        desk.case_view(db, u["investor"], case_id)
    board = desk.desk(db, u["manager"])
    assert [t["task_id"] for t in board["overdue_tasks"]] == [task]
    assert desk.case_view(db, u["manager2"], case_id)["tasks"][0]["overdue"]  # task owner may view
    with pytest.raises(PermissionDenied):
        cases.complete_task(db, u["ent_member"], task)
    cases.complete_task(db, u["manager2"], task)
    assert desk.desk(db, u["manager"])["overdue_tasks"] == []


def test_desk_board_funnel_and_operator_view(db: Database, world: World) -> None:
    u = world.users
    targets = [Stage.DISCOVERY, Stage.MATCHMAKING, Stage.CONTRACT, Stage.PILOT]
    for i, stage in enumerate(targets):
        case_id = _case(db, world, title=f"案件 {i}")
        _walk(db, world, case_id, stage)
    other = cases.open_case(db, u["operator"], {"title": "别人的", "demand_id": world["d-ent"],
                                                "manager_user_id": world["user:manager2"]})
    mine = desk.desk(db, u["manager"])
    assert {s: len(v) for s, v in mine["board"].items() if v} == {"discovery": 1, "matchmaking": 1, "contract": 1,
                                                                   "pilot": 1}
    assert [(f["step"], f["count"]) for f in mine["funnel"]] == [("matches", 4), ("contacts", 3), ("ndas", 2),
                                                                 ("contracts", 2), ("production", 1)]
    assert mine["funnel"][1]["rate_from_previous"] == 75.0
    assert {t["stage"] for t in mine["time_in_stage"] if t["cases"]} >= {"discovery", "evaluation", "pilot"}
    with pytest.raises(PermissionDenied):
        desk.desk(db, u["manager"], scope="all")
    with pytest.raises(PermissionDenied):
        desk.desk(db, u["investor"])
    everyone = desk.desk(db, u["operator"], scope="all")
    assert everyone["funnel"][0]["count"] == 5
    assert {m["manager_user_id"]: m["cases"] for m in everyone["managers"]} == {world["user:manager"]: 4,
                                                                                 world["user:manager2"]: 1}
    assert [c["id"] for c in desk.list_cases(db, u["manager2"])] == [other]


def test_overdue_in_stage_and_reminders(db: Database, world: World) -> None:
    u = world.users
    long_ago = dt.datetime(2025, 1, 1)
    case_id = cases.open_case(db, u["manager"], {"title": "老案件", "demand_id": world["d-ent"]}, at=long_ago)
    assert [c["id"] for c in desk.desk(db, u["manager"])["overdue_in_stage"]] == [case_id]
    cases.add_task(db, u["manager"], case_id, "催签", owner_user_id=world["user:manager2"],
                   due_on=dt.date.today() + dt.timedelta(days=1))
    assert desk.remind(db) == 1
    assert desk.remind(db) == 0  # once per item and due date
    assert any(n["kind"] == "deadline" for n in notifications.list_for(db, u["manager2"]))


def test_notifications_read_and_outbox(db: Database, world: World) -> None:
    u = world.users
    _case(db, world, manager_user_id=world["user:manager2"])
    assert notifications.unread_count(db, u["manager2"]) == 1
    notifications.mark_read(db, u["manager2"])
    assert notifications.unread_count(db, u["manager2"]) == 0
    sent: list[str] = []

    def flaky(to: str, subject: str, body: str) -> None:
        if "manager2" in to and not sent:
            sent.append("retry")
            raise OSError("smtp down")
        sent.append(to)

    first = notifications.drain_outbox(db, flaky)
    assert (first.sent, first.failed, first.pending) == (0, 1, 1)
    second = notifications.drain_outbox(db, flaky)
    assert (second.sent, second.failed, second.pending) == (1, 0, 0)
