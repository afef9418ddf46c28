"""Demo challenge calls (one in every state) and technology-manager cases (across every stage), built from the
demo catalog by external id and driven through the real services, so the demo obeys the same rules as users.

Everything here is sample data (``sample_data`` is set on calls and cases, and names carry （示例）). The
workflow dates are simulated with the services' ``today`` / ``at`` parameters; idempotent by external id.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import select, update

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services import cases, challenge_views, challenges
from techbridge.services.accounts import create_user
from techbridge.services.actor import Actor
from techbridge.services.matching import MatchingService
from techbridge.services.seed.catalog import DEMO_PASSWORD
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.base import utcnow
from techbridge.storage.tables.cases import CaseRow
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, PersonRow, TechnologyRow
from techbridge.storage.tables.challenges import ChallengeCallRow

ORDER = 20
ACCOUNTS: tuple[tuple[str, str, Role, str | None, str | None], ...] = (
    ("issuer.gov@demo.techbridge.cn", "邹明华（示例·发榜）", Role.INSTITUTION_MEMBER, "org-n05", "person-29"),
    ("issuer.steel@demo.techbridge.cn", "冯建国（示例·发榜）", Role.ENTERPRISE_MEMBER, "org-e03", "person-18"),
    ("team.i01@demo.techbridge.cn", "何子墨（示例·揭榜）", Role.INSTITUTION_MEMBER, "org-i01", "person-10"),
    ("team.u04@demo.techbridge.cn", "郑浩然（示例·揭榜）", Role.INSTITUTION_MEMBER, "org-u04", "person-07"),
    ("team.i02@demo.techbridge.cn", "罗清扬（示例·揭榜）", Role.INSTITUTION_MEMBER, "org-i02", "person-12"),
    ("expert.u05@demo.techbridge.cn", "潘国栋（示例·专家）", Role.EXPERT, "org-u05", "person-30"),
    ("expert.i04@demo.techbridge.cn", "田慧敏（示例·专家）", Role.EXPERT, "org-i04", "person-31"),
    ("expert.n07@demo.techbridge.cn", "方若愚（示例·专家）", Role.EXPERT, "org-n07", "person-32"),
    ("expert.u02@demo.techbridge.cn", "赵雨桐（示例·专家）", Role.EXPERT, "org-u02", "person-04"),
    ("manager2@demo.techbridge.cn", "谢婉清（示例·经理人）", Role.TECHNOLOGY_MANAGER, "org-n06", "person-24"),
    ("manager3@demo.techbridge.cn", "沈一帆（示例·经理人）", Role.TECHNOLOGY_MANAGER, "org-n01", "person-25"),
)
CALLS: tuple[tuple[str, str, str, str, str], ...] = (  # state, issuer account, field, title, goal
    ("draft", "issuer.gov", "F11", "城市桥梁健康监测低成本传感网络（示例）", "单座桥梁监测成本降到 20 万元以内"),
    ("submitted", "issuer.steel", "F05", "高温合金连铸坯表面裂纹在线检测（示例）", "裂纹检出率 ≥95%，误报率 ≤3%"),
    ("published", "issuer.gov", "F06", "园区储能电站电池寿命预测与运维（示例）", "剩余寿命预测误差 ≤5%"),
    ("evaluating", "issuer.steel", "F03", "轧机关键部件智能运维（示例）", "非计划停机减少 30%"),
    ("notice", "issuer.gov", "F07", "印染废水深度处理与回用（示例）", "回用率 ≥70%，COD ≤50 mg/L"),
    ("implementing", "issuer.gov", "F06", "配电网故障快速定位装置（示例）", "故障定位时间 ≤1 分钟"),
    ("accepted", "issuer.steel", "F05", "特钢连铸中间包长寿命耐材（示例）", "单包寿命提升 50%"),
    ("rewarded", "issuer.gov", "F01", "政务热线工单智能分派（示例）", "分派准确率 ≥90%"),
    ("terminated", "issuer.steel", "F03", "精密齿轮磨削烧伤无损检测（示例）", "检出率 ≥98%"),
)
ORDER_OF_STATES = [c[0] for c in CALLS]
STARTED_DAYS_AGO = {"draft": 5, "submitted": 10, "published": 10, "evaluating": 45, "notice": 40,
                    "implementing": 300, "accepted": 800, "rewarded": 820, "terminated": 60}
TEAMS = ("team.i01", "team.u04", "team.i02", "institution")
EXPERTS = ("expert", "expert.u05", "expert.i04", "expert.n07", "expert.u02")
MARKS = {"team.i01": 8, "team.u04": 7, "team.i02": 6, "institution": 7}
CASE_PLAN: tuple[tuple[str, str, str, int], ...] = (  # stage reached, demand ext id, manager account, days ago
    ("discovery", "dev-zh-001", "manager", 5), ("evaluation", "dev-zh-011", "manager", 40),
    ("incubation", "dev-zh-014", "manager", 120), ("matchmaking", "dev-zh-021", "manager2", 60),
    ("negotiation", "dev-zh-015", "manager", 90), ("contract", "dev-zh-009", "manager2", 130),
    ("registration", "dev-zh-022", "manager", 160), ("pilot", "dev-zh-020", "manager3", 260),
    ("industrialisation", "dev-zh-030", "manager3", 420), ("benefit_sharing", "dev-zh-037", "manager2", 600),
    ("completed", "dev-zh-034", "manager", 700), ("closed", "dev-zh-024", "manager2", 80),
)
PATH = ("discovery", "evaluation", "incubation", "matchmaking", "negotiation", "contract", "registration", "pilot",
        "industrialisation", "benefit_sharing", "completed")


def _accounts(db: Database) -> dict[str, Actor]:
    with db.read() as session:
        orgs = dict(session.execute(select(OrganisationRow.external_id, OrganisationRow.id)).all())
        people = dict(session.execute(select(PersonRow.external_id, PersonRow.id)).all())
    for email, name, role, org, person in ACCOUNTS:
        user_id = create_user(db, email=email, password=DEMO_PASSWORD, display_name=name, roles=[role],
                              organisation_id=orgs.get(org) if org else None)
        if person and people.get(person):
            with db.transaction() as session:
                session.execute(update(UserRow).where(UserRow.id == user_id).values(person_id=people[person]))
    actors: dict[str, Actor] = {}
    with db.read() as session:
        for user in session.scalars(select(UserRow).where(UserRow.email.like("%@demo.techbridge.cn"))):
            roles = frozenset(Role(r) for r in user.roles if r in Role._value2member_map_)
            actors[user.email.split("@")[0]] = Actor(user_id=user.id, display_name=user.display_name, roles=roles,
                                                     organisation_id=user.organisation_id)
    return actors


def _tech_of(db: Database, org_id: int | None, field: str) -> list[int]:
    with db.read() as session:
        rows = list(session.scalars(select(TechnologyRow.id).where(TechnologyRow.owner_id == org_id,
                                                                   TechnologyRow.technology_field == field).limit(1)))
        if not rows:
            rows = list(session.scalars(select(TechnologyRow.id).where(TechnologyRow.owner_id == org_id).limit(1)))
        return [int(r) for r in rows]


def _call_data(index: int, field: str, title: str, goal: str, deadline: dt.date) -> dict[str, Any]:
    return {
        "external_id": f"demo-call-{index + 1:02d}", "title": title, "technology_field": field,
        "background": f"（示例）{title.removesuffix('（示例）')}是区域产业链的共性难题，现有方案成本高、效果不稳定。",
        "goals": goal, "metrics": [{"name": "核心指标", "target": goal}, {"name": "成本", "target": "较现状降低 20%"}],
        "deliverables": "技术方案、样机或工艺包、第三方检测报告", "period_months": 18, "reward_yuan": "2000000",
        "cofunding_yuan": "800000", "eligibility": "不设门槛", "deadline": deadline.isoformat(),
        "contact": "项目办（示例）", "notice_days": 5, "min_reviews": 3,
        "milestones": [{"title": "方案验证", "due_month": 6, "share_percent": 30, "criteria": "小试数据达标"},
                       {"title": "中试样机", "due_month": 12, "share_percent": 40, "criteria": "中试运行 3 个月"},
                       {"title": "最终验收", "due_month": 18, "share_percent": 30, "criteria": "全部指标第三方检测"}],
    }


def _build_call(db: Database, actors: dict[str, Actor], index: int, today: dt.date) -> None:
    state, issuer_key, field, title, goal = CALLS[index]
    target = ORDER_OF_STATES.index(state)
    issuer, operator = actors[issuer_key], actors["operator"]
    # Simulated calendar: every simulated step lies in the past; published calls stay open, the notice runs now.
    start = today - dt.timedelta(days=STARTED_DAYS_AGO[state])
    deadline = start + dt.timedelta(days=37)
    call_id = challenges.create_call(db, issuer, _call_data(index, field, title, goal, deadline), today=start)
    with db.transaction() as session:
        session.execute(update(ChallengeCallRow).where(ChallengeCallRow.id == call_id).values(sample_data=True))
    if target < 1:
        return
    challenges.transition(db, issuer, call_id, "submit", today=start)
    if target < 2:
        return
    challenges.transition(db, operator, call_id, "publish", today=start)
    apps = {}
    for team in TEAMS[: 3 if index % 2 else 4]:
        actor = actors[team]
        apps[team] = challenges.apply(db, actor, call_id, {
            "team_name": f"{actor.display_name.split('（')[0]}团队", "plan": f"（示例）围绕「{goal}」分三步攻关。",
            "budget_yuan": "1800000", "team": [{"name": actor.display_name, "role": "负责人"}],
            "prior_technology_ids": _tech_of(db, actor.organisation_id, field), "prior_results": "已有相关专利与样机"},
            today=start + dt.timedelta(days=5))
    if state == "terminated":
        challenges.transition(db, issuer, call_id, "terminate", reason="（示例）企业技术路线调整，需求取消",
                              today=start + dt.timedelta(days=20))
        return
    if target < 3:
        return
    closed_on = deadline + dt.timedelta(days=1)
    challenges.transition(db, operator, call_id, "close_applications", today=closed_on)
    experts = [int(actors[e].user_id or 0) for e in EXPERTS]
    challenges.assign_panel(db, operator, call_id, experts, today=closed_on)
    scores = {"approach": 0, "team": 0, "prior_results": 0, "metrics": 0, "budget": 0}
    with db.read() as session:
        conflicts = challenges.conflicts_for(session, call_id)
    for offset, expert_key in enumerate(EXPERTS):
        expert = actors[expert_key]
        for team, app_id in apps.items():
            if app_id in conflicts.get(int(expert.user_id or 0), {}) or (state == "evaluating" and offset > 1):
                continue
            mark = max(0, min(10, MARKS[team] + (offset % 3) - 1))
            challenges.score(db, expert, app_id, dict.fromkeys(scores, mark), "（示例）评审意见", today=closed_on)
    if target < 4:
        return
    challenges.transition(db, operator, call_id, "start_notice", today=closed_on)
    if state == "notice":
        challenges.object_to(db, actors["enterprise"], call_id, "（示例）对第二名的前期成果有疑问", today=closed_on)
        return
    awarded = closed_on + dt.timedelta(days=6)
    ranking = [r.application_id for r in _ranking(db, call_id)]
    winners = ranking[:2] if state == "implementing" else ranking[:1]
    challenges.transition(db, issuer, call_id, "award", winners=winners, today=awarded)
    awards = challenge_views.call_view(db, operator, call_id)["awards"]
    for award in awards:
        todo = 1 if state == "implementing" else len(award["milestones"])
        for step, milestone in enumerate(award["milestones"][:todo]):
            challenges.review_milestone(db, operator, award["id"], milestone["milestone_id"], "passed",
                                        "（示例）达到阶段指标", today=awarded + dt.timedelta(days=180 * (step + 1)))
    if state == "implementing":
        return
    challenges.transition(db, operator, call_id, "accept", today=awarded + dt.timedelta(days=560))
    if state == "rewarded":
        challenges.transition(db, issuer, call_id, "pay_reward", today=awarded + dt.timedelta(days=570))


def _ranking(db: Database, call_id: int) -> list[Any]:
    with db.read() as session:
        return challenges.ranking(session, call_id)


def _build_case(db: Database, actors: dict[str, Actor], index: int, now: dt.datetime) -> None:
    stage, demand_ext, manager_key, days_ago = CASE_PLAN[index]
    manager = actors[manager_key]
    with db.read() as session:
        demand = session.scalar(select(DemandRow).where(DemandRow.external_id == demand_ext))
        if demand is None:
            return
        tech_id = session.scalar(select(TechnologyRow.id).where(
            TechnologyRow.technology_field == demand.technology_field, TechnologyRow.status != "withdrawn")
            .order_by(TechnologyRow.id).offset(index).limit(1))
        demand_id, title = demand.id, demand.title
    start = now - dt.timedelta(days=days_ago)
    case_id = cases.open_case(db, manager, {"external_id": f"demo-case-{index + 1:02d}",
                                            "title": f"{title[:40]}（示例）", "demand_id": demand_id,
                                            "technology_id": tech_id, "manager_user_id": manager.user_id}, at=start)
    with db.transaction() as session:
        session.execute(update(CaseRow).where(CaseRow.id == case_id).values(sample_data=True))
    final = "negotiation" if stage == "closed" else stage
    steps = PATH[: PATH.index(final) + 1]
    gap = dt.timedelta(days=days_ago / (len(steps) + 1))
    at = start
    for previous, current in itertools.pairwise(steps):
        at += gap
        if previous == "matchmaking":
            cases.add_document(db, manager, case_id, "nda", "保密协议（示例）", "档案柜 A-12")
        if previous == "negotiation":
            cases.add_document(db, manager, case_id, "loi", "合作意向书（示例）")
        if current == "incubation":
            cases.handoff(db, manager, case_id, _org(db, "org-n01"), "incubator", "（示例）入驻孵化器做概念验证", at=at)
        if current == "industrialisation":
            cases.handoff(db, manager, case_id, _org(db, "org-n02"), "science_park", "（示例）毕业进入科学园", at=at)
        cases.move(db, manager, case_id, "advance", target=current, at=at)
    if stage == "closed":
        cases.move(db, manager, case_id, "close", reason="（示例）买方预算冻结", at=at + gap)
    due = (now + dt.timedelta(days=-3 if index % 3 == 0 else 5)).date()
    cases.add_task(db, manager, case_id, "（示例）与双方确认下一步安排", due_on=due)
    cases.add_note(db, manager, case_id, "（示例）双方已初步沟通，需求方关注成本与交付周期。")


def _org(db: Database, external_id: str) -> int:
    with db.read() as session:
        return int(session.scalar(select(OrganisationRow.id).where(OrganisationRow.external_id == external_id)) or 0)


def seed(db: Database, settings: Settings) -> str:
    with db.read() as session:
        if session.scalar(select(OrganisationRow.id).where(OrganisationRow.external_id == "org-n05")) is None:
            return "skipped (the demo catalog is not loaded)"
        have_calls = set(session.scalars(select(ChallengeCallRow.external_id).where(
            ChallengeCallRow.external_id.like("demo-call-%"))))
        have_cases = set(session.scalars(select(CaseRow.external_id).where(CaseRow.external_id.like("demo-case-%"))))
    actors = _accounts(db)
    today, now = dt.datetime.now(dt.UTC).date(), utcnow()
    made_calls = made_cases = 0
    for index in range(len(CALLS)):
        if f"demo-call-{index + 1:02d}" not in have_calls:
            _build_call(db, actors, index, today)
            made_calls += 1
    for index in range(len(CASE_PLAN)):
        if f"demo-case-{index + 1:02d}" not in have_cases:
            _build_case(db, actors, index, now)
            made_cases += 1
    extra = _from_match_and_award(db, actors) if made_cases else 0
    return (f"{made_calls} new calls (one per state), {made_cases + extra} new cases (every stage), "
            f"{len(ACCOUNTS)} accounts (password {DEMO_PASSWORD})")


def _from_match_and_award(db: Database, actors: dict[str, Actor]) -> int:
    """One case opened from an accepted match and one from the running challenge award."""
    with db.read() as session:
        demand = session.scalar(select(DemandRow).where(DemandRow.external_id == "dev-zh-001"))
        tech = session.scalar(select(TechnologyRow.id).where(TechnologyRow.technology_field == "F09",
                                                             TechnologyRow.status != "withdrawn").limit(1))
        call_id = session.scalar(select(ChallengeCallRow.id).where(ChallengeCallRow.external_id == "demo-call-06"))
        demand_id = demand.id if demand else None
    made = 0
    if demand_id and tech:
        MatchingService(db).record_feedback(actors["enterprise"], demand_id, int(tech), "accept", "（示例）方向对口")
        cases.open_from_match(db, actors["manager"], demand_id, int(tech))
        made += 1
    if call_id:
        awards = challenge_views.call_view(db, actors["operator"], call_id)["awards"]
        if awards:
            cases.open_from_award(db, actors["manager2"], awards[0]["id"])
            made += 1
    return made
