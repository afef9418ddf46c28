"""The call workflow through the services, against a real database: roles per step, conflicts of interest,
ranking, notice and objections, parallel award, milestone releases, acceptance, termination and the audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from techbridge.domain import challenges as rules
from techbridge.errors import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from techbridge.services import challenge_views, challenges, notifications
from techbridge.services.actor import ANONYMOUS
from techbridge.storage.db import Database
from techbridge.storage.tables.challenges import ChallengeCallRow, ChallengeEventRow
from techbridge.storage.tables.notifications import OutboxRow
from tests.challenges.conftest import TODAY, World, application_data, call_data, run_to_evaluating

SCORES = {"approach": 8, "team": 8, "prior_results": 8, "metrics": 8, "budget": 8}
AFTER = TODAY + dt.timedelta(days=31)


def _score_all(db: Database, world: World, call_id: int, apps: dict[str, int]) -> None:
    plan = {"expert_a": {"uni": 9, "ins": 7}, "expert_c": {"uni": 8, "ins": 6, "uni2": 5},
            "expert_d": {"uni": 7, "ins": 8, "uni2": 6}, "expert_uni": {"ins": 7, "uni2": 6},
            "expert_b": {"uni": 8, "uni2": 7}}
    for expert, marks in plan.items():
        for app, mark in marks.items():
            challenges.score(db, world.users[expert], apps[app], dict.fromkeys(SCORES, mark), today=AFTER)


def _to_implementing(db: Database, world: World, winners: list[str]) -> tuple[int, dict[str, int]]:
    call_id, apps = run_to_evaluating(db, world)
    _score_all(db, world, call_id, apps)
    challenges.transition(db, world.users["operator"], call_id, "start_notice", today=AFTER)
    challenges.transition(db, world.users["issuer"], call_id, "award", winners=[apps[w] for w in winners],
                          today=AFTER + dt.timedelta(days=6))
    return call_id, apps


def test_only_government_or_enterprise_members_issue(db: Database, world: World) -> None:
    assert challenges.create_call(db, world.users["gov_issuer"], call_data())
    with pytest.raises(ValidationFailed) as info:
        challenges.create_call(db, world.users["applicant_uni"], call_data())
    assert info.value.errors[0].field == "issuer_org_id"
    with pytest.raises(PermissionDenied):
        challenges.create_call(db, world.users["issuer"], call_data(issuer_org_id=world["gov"]))
    assert challenges.create_call(db, world.users["operator"], call_data(issuer_org_id=world["gov"]))


def test_call_validation_names_fields(db: Database, world: World) -> None:
    with pytest.raises(ValidationFailed) as info:
        challenges.create_call(db, world.users["issuer"], call_data(
            title="", milestones=[{"title": "a", "due_month": 3, "share_percent": 50}], deadline="tomorrow",
            reward_yuan="-5", bogus=1))
    fields = {e.field for e in info.value.errors}
    assert {"title", "milestones", "deadline", "reward_yuan", "bogus"} <= fields


def test_milestones_from_form_text(db: Database, world: World) -> None:
    call_id = challenges.create_call(db, world.users["issuer"], call_data(
        milestones="小试 | 6 | 30% | 样品\n中试 | 12 | 70 | 10 kg", metrics="循环寿命: ≥3000 次"))
    view = challenge_views.call_view(db, world.users["issuer"], call_id)
    assert [(m["title"], m["share_bp"]) for m in view["milestones"]] == [("小试", 3000), ("中试", 7000)]
    assert view["metrics"] == [{"name": "循环寿命", "target": "≥3000 次"}]


def test_full_workflow_with_parallel_award(db: Database, world: World) -> None:
    u = world.users
    call_id, apps = run_to_evaluating(db, world)
    # conflicts: expert_uni shares the organisation of 甲大学; expert_b is a member of 乙研究院's team
    with pytest.raises(Conflict, match="same organisation"):
        challenges.score(db, u["expert_uni"], apps["uni"], SCORES, today=AFTER)
    with pytest.raises(Conflict, match="member of the applying team"):
        challenges.score(db, u["expert_b"], apps["ins"], SCORES, today=AFTER)
    with pytest.raises(PermissionDenied):
        challenges.score(db, u["investor"], apps["uni"], SCORES, today=AFTER)
    view = challenge_views.call_view(db, u["operator"], call_id)
    assert view["conflicts"][str(world["user:expert_uni"])] == {str(apps["uni"]): [
        "same organisation as the applicant", "their organisation owns a result the application lists"]}
    # the ranking cannot be published before each application has its reviews
    with pytest.raises(IllegalTransition, match="fewer than 3 reviews"):
        challenges.transition(db, u["operator"], call_id, "start_notice", today=AFTER)
    _score_all(db, world, call_id, apps)
    challenges.transition(db, u["operator"], call_id, "start_notice", today=AFTER)
    ranking = challenge_views.call_view(db, ANONYMOUS, call_id)["ranking"]
    assert [r["team_name"] for r in ranking] == ["甲大学团队", "乙研究院团队", "丙大学团队"]
    assert ranking[0]["score"] == "80.00" and ranking[0]["method"] == "mean"  # 90, 80, 70, 80 → 80
    # objections inside the window; award waits until the window is over and objections are resolved
    objection = challenges.object_to(db, u["applicant_uni2"], call_id, "评分有误", apps["uni"], today=AFTER)
    with pytest.raises(IllegalTransition, match="runs until"):
        challenges.transition(db, u["issuer"], call_id, "award", winners=[apps["uni"]], today=AFTER)
    later = AFTER + dt.timedelta(days=6)
    with pytest.raises(IllegalTransition, match="objection is open"):
        challenges.transition(db, u["issuer"], call_id, "award", winners=[apps["uni"]], today=later)
    with pytest.raises(IllegalTransition, match="objection window ended"):
        challenges.object_to(db, u["applicant_uni2"], call_id, "again", today=later)
    challenges.resolve_objection(db, u["operator"], objection, "dismissed", "复核无误", today=later)
    with pytest.raises(PermissionDenied):
        challenges.transition(db, u["operator"], call_id, "award", winners=[apps["uni"]], today=later)
    # 赛马: two teams in parallel, the reward split evenly in fen
    challenges.transition(db, u["issuer"], call_id, "award", winners=[apps["uni"], apps["ins"]], today=later)
    view = challenge_views.call_view(db, u["issuer"], call_id)
    assert view["step_due"] is None  # implementing has no state deadline: its milestones carry the dates
    awards = view["awards"]
    assert [m["due_on"] for m in awards[0]["milestones"]] == [
        rules.milestone_due(later, month).isoformat() for month in (6, 15, 24)]
    assert [a["amount_yuan"] for a in awards] == ["1500000.00", "1500000.00"]
    assert [m["planned_yuan"] for m in awards[0]["milestones"]] == ["450000.00", "600000.00", "450000.00"]
    first, second = awards[0], awards[1]
    milestones = [m["milestone_id"] for m in first["milestones"]]
    with pytest.raises(IllegalTransition, match="in order"):
        challenges.review_milestone(db, u["operator"], first["id"], milestones[1], "passed", today=later)
    with pytest.raises(IllegalTransition, match="no awarded team has passed"):
        challenges.transition(db, u["operator"], call_id, "accept", today=later)
    for milestone in milestones:
        challenges.review_milestone(db, u["issuer"], first["id"], milestone, "passed", today=later)
    result = challenges.review_milestone(db, u["operator"], second["id"], milestones[0], "failed", "未达标",
                                         today=later)
    assert result == {"released_fen": 0, "award_status": "terminated", "call_state": "implementing"}
    with pytest.raises(PermissionDenied):
        challenges.review_milestone(db, u["applicant_uni"], second["id"], milestones[1], "passed", today=later)
    awards = challenge_views.call_view(db, u["issuer"], call_id)["awards"]
    assert awards[0]["released_fen"] == 150_000_000 and awards[0]["status"] == "completed"
    assert awards[1]["released_fen"] == 0 and awards[1]["status"] == "terminated"
    challenges.transition(db, u["operator"], call_id, "accept", today=later)
    challenges.transition(db, u["issuer"], call_id, "pay_reward", today=later)
    with db.read() as session:
        actions = list(session.scalars(select(ChallengeEventRow.action).where(ChallengeEventRow.call_id == call_id)
                                       .order_by(ChallengeEventRow.id)))
        assert session.get(ChallengeCallRow, call_id).state == "rewarded"  # type: ignore[union-attr]
        assert (session.scalar(select(func.count()).select_from(OutboxRow)) or 0) > 5
    assert actions[:4] == ["create", "submit", "publish", "apply"]
    assert {"close_applications", "assign_panel", "score", "start_notice", "object", "resolve_objection", "award",
            "review_milestone", "accept", "pay_reward"} <= set(actions)
    public = challenge_views.call_view(db, ANONYMOUS, call_id)
    assert "applications" not in public and "reviews" not in public
    assert all(e["action"] in challenge_views.PUBLIC_EVENTS for e in public["timeline"])


def test_trimmed_mean_with_five_reviewers(db: Database, world: World) -> None:
    call_id, apps = run_to_evaluating(db, world)
    marks = {"expert_a": 9, "expert_c": 8, "expert_d": 8, "expert_b": 2}  # expert_uni is conflicted on uni
    for expert, mark in marks.items():
        challenges.score(db, world.users[expert], apps["uni"], dict.fromkeys(SCORES, mark), today=AFTER)
    view = challenge_views.call_view(db, world.users["operator"], call_id)
    ranking = {r["application_id"]: r for r in view["ranking"]}
    assert ranking[apps["uni"]]["score"] == "67.50" and ranking[apps["uni"]]["method"] == "mean"
    for expert, mark in {"expert_e": 9, "expert_c": 8, "expert_d": 8, "expert_b": 2, "expert_uni": 8}.items():
        challenges.score(db, world.users[expert], apps["uni2"], dict.fromkeys(SCORES, mark), today=AFTER)
    entry = {r["application_id"]: r for r in challenge_views.call_view(db, world.users["operator"],
                                                                        call_id)["ranking"]}[apps["uni2"]]
    assert entry["score"] == "80.00" and entry["dropped"] == ["20.00", "90.00"]
    assert Decimal(entry["score"]) > Decimal("67.5")


def test_reopen_review_and_terminate(db: Database, world: World) -> None:
    u = world.users
    call_id, apps = run_to_evaluating(db, world)
    _score_all(db, world, call_id, apps)
    challenges.transition(db, u["operator"], call_id, "start_notice", today=AFTER)
    with pytest.raises(ValidationFailed):
        challenges.transition(db, u["operator"], call_id, "reopen_review", today=AFTER)
    assert challenges.transition(db, u["operator"], call_id, "reopen_review", reason="异议成立", today=AFTER) \
        == "evaluating"
    assert challenges.transition(db, u["issuer"], call_id, "terminate", reason="需求变化", today=AFTER) == "terminated"
    with pytest.raises(IllegalTransition):
        challenges.transition(db, u["issuer"], call_id, "terminate", reason="again", today=AFTER)


def test_all_teams_failing_terminates_the_call(db: Database, world: World) -> None:
    call_id, _apps = _to_implementing(db, world, ["uni"])
    award = challenge_views.call_view(db, world.users["issuer"], call_id)["awards"][0]
    result = challenges.review_milestone(db, world.users["operator"], award["id"],
                                         award["milestones"][0]["milestone_id"], "failed", "未达标")
    assert result["call_state"] == "terminated"


def test_application_rules(db: Database, world: World) -> None:
    u = world.users
    call_id = challenges.create_call(db, u["issuer"], call_data())
    with pytest.raises(IllegalTransition):
        challenges.apply(db, u["applicant_uni"], call_id, application_data(world))
    challenges.transition(db, u["issuer"], call_id, "submit")
    with pytest.raises(PermissionDenied):
        challenges.transition(db, u["issuer"], call_id, "publish")
    challenges.transition(db, u["operator"], call_id, "publish")
    with pytest.raises(PermissionDenied):  # the issuer's own organisation cannot apply
        challenges.apply(db, u["ent_member"], call_id, application_data(world))
    with pytest.raises(ValidationFailed) as info:
        challenges.apply(db, u["applicant_uni"], call_id, application_data(world, prior_technology_ids=[99999]))
    assert info.value.errors[0].field == "prior_technology_ids"
    app_id = challenges.apply(db, u["applicant_uni"], call_id, application_data(world))
    with pytest.raises(Conflict):
        challenges.apply(db, u["applicant_uni"], call_id, application_data(world))
    challenges.withdraw_application(db, u["applicant_uni"], app_id)
    assert challenges.apply(db, u["applicant_uni"], call_id, application_data(world)) == app_id
    with pytest.raises(IllegalTransition, match="deadline"):
        challenges.apply(db, u["applicant_ins"], call_id, application_data(world), today=AFTER)
    with pytest.raises(IllegalTransition, match="stay open until"):
        challenges.transition(db, u["issuer"], call_id, "close_applications")
    with pytest.raises(NotFound):
        challenge_views.call_view(db, ANONYMOUS, 99999)


def test_drafts_are_private_and_editable_by_the_issuer_only(db: Database, world: World) -> None:
    call_id = challenges.create_call(db, world.users["issuer"], call_data())
    with pytest.raises(NotFound):
        challenge_views.call_view(db, ANONYMOUS, call_id)
    assert call_id not in [c["id"] for c in challenge_views.list_calls(db, ANONYMOUS)]
    challenges.update_call(db, world.users["issuer"], call_id, {"title": "新标题"})
    with pytest.raises(PermissionDenied):
        challenges.update_call(db, world.users["operator"], call_id, {"title": "x"})
    challenges.transition(db, world.users["issuer"], call_id, "submit")
    with pytest.raises(IllegalTransition):
        challenges.update_call(db, world.users["issuer"], call_id, {"title": "x"})
    assert challenges.transition(db, world.users["operator"], call_id, "return", reason="指标不清") == "draft"


def test_step_deadlines_and_reminders(db: Database, world: World) -> None:
    from techbridge.services import desk

    call_id = challenges.create_call(db, world.users["issuer"], call_data())
    challenges.transition(db, world.users["issuer"], call_id, "submit", today=TODAY - dt.timedelta(days=12))
    view = challenge_views.call_view(db, world.users["issuer"], call_id)
    assert view["step_due"] == {"due_on": (TODAY - dt.timedelta(days=2)).isoformat(), "party": "operator",
                                "overdue": True}
    assert desk.remind(db) == 1  # the operator owes the review
    assert notifications.list_for(db, world.users["operator"])[0]["kind"] == "deadline"
    assert desk.remind(db) == 0


def test_submit_needs_a_future_deadline(db: Database, world: World) -> None:
    call_id = challenges.create_call(db, world.users["issuer"], call_data(deadline=TODAY.isoformat()))
    with pytest.raises(IllegalTransition, match="not in the future"):
        challenges.transition(db, world.users["issuer"], call_id, "submit")


def test_invitations_notify(db: Database, world: World) -> None:
    u = world.users
    call_id = challenges.create_call(db, u["issuer"], call_data())
    challenges.transition(db, u["issuer"], call_id, "submit")
    challenges.invite(db, u["issuer"], call_id, organisation_id=world["uni"], reasons=["成果匹配"])
    challenges.invite(db, u["issuer"], call_id, person_id=world["p-ins"])
    with pytest.raises(PermissionDenied):
        challenges.invite(db, u["applicant_uni"], call_id, organisation_id=world["ins"])
    notes = notifications.list_for(db, u["applicant_uni"])
    assert notes and notes[0]["kind"] == "invitation"
    assert notifications.list_for(db, u["applicant_ins"])[0]["kind"] == "invitation"


@pytest.mark.parametrize(("user", "expected"), [
    ("issuer", {"issuer", "public"}), ("ent_member", {"issuer", "public"}), ("operator", {"operator", "public"}),
    ("applicant_uni", {"applicant", "public"}), ("expert_a", {"applicant", "expert", "public"}),
    ("expert_b", {"expert", "public"}), ("investor", {"public"}), ("manager", {"applicant", "public"}),
])
def test_parties_of_each_account(db: Database, world: World, user: str, expected: set[str]) -> None:
    """How accounts map onto the parties the transition table speaks of (experts only once on the panel)."""
    call_id, _apps = run_to_evaluating(db, world)
    with db.read() as session:
        call = session.get(ChallengeCallRow, call_id)
        assert call is not None
        assert {p.value for p in challenges.parties(session, world.users[user], call)} == expected
        assert challenges.parties(session, ANONYMOUS, call) == frozenset()
