"""Demo data for evaluation, funds and roadshows (all marked sample data): five sample fund profiles, one
sample roadshow event with registrations, accepted requests and a computed schedule, a few sample evaluation
records, and the market-value score of every technology. Runs after the catalog seed (ORDER 10); idempotent."""

from __future__ import annotations

import random

from sqlalchemy import select

from techbridge.config import Settings
from techbridge.services import evaluation, events, funds
from techbridge.services.actor import SYSTEM, Actor
from techbridge.services.events.solver import SolverOptions
from techbridge.services.matching import MatchingService
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.catalog import OrganisationRow, TechnologyRow
from techbridge.storage.tables.evaluation import EvaluationRecordRow
from techbridge.storage.tables.events import EventRow
from techbridge.storage.tables.funds import FundRow

ORDER = 40
EVENT_TITLE = "2026 长三角硬科技成果路演与一对一洽谈会（示例）"
SAMPLE_FUNDS: tuple[dict[str, object], ...] = (
    {"name": "东海硬科技天使基金（示例）", "stages": ["seed", "angel"], "sectors": ["F01", "F03", "F05"],
     "regions": ["310000", "320000", "330000", "340000"], "ticket_min_wan": 100, "ticket_max_wan": 1000,
     "fund_size_wan": 50000, "hard_tech_preference": True, "early_stage_preference": True,
     "thesis": "投资集成电路、智能制造、新材料领域的早期硬科技项目，陪伴成果从概念验证走向中试。"},
    {"name": "北辰现代农业产业引导基金（示例）", "stages": ["angel", "early", "expansion"], "sectors": ["F09"],
     "regions": [], "ticket_min_wan": 300, "ticket_max_wan": 3000, "fund_size_wan": 200000,
     "government_guidance": True, "thesis": "支持种业、节水灌溉、农产品加工等农业科技成果转化。"},
    {"name": "南湾生物医药成长基金（示例）", "stages": ["early", "expansion"], "sectors": ["F04"],
     "regions": ["440000"], "ticket_min_wan": 1000, "ticket_max_wan": 8000, "fund_size_wan": 300000,
     "thesis": "投资创新药、医疗器械与诊断试剂，关注已完成中试或临床前研究的项目。"},
    {"name": "清源绿色能源基金（示例）", "stages": ["early", "expansion", "growth"], "sectors": ["F06", "F07"],
     "regions": [], "ticket_min_wan": 2000, "ticket_max_wan": 20000, "fund_size_wan": 500000,
     "hard_tech_preference": True, "thesis": "储能、锂电池材料、光伏与节能环保技术的产业化项目。"},
    {"name": "京津冀科技成果转化引导基金（示例）", "stages": ["seed", "angel", "early"], "sectors": [],
     "regions": ["110000", "120000", "130000"], "ticket_min_wan": 50, "ticket_max_wan": 500, "fund_size_wan": 100000,
     "government_guidance": True, "early_stage_preference": True,
     "thesis": "面向高校院所科技成果的概念验证与早期投资，不限领域。"},
)


def _seed_funds(db: Database) -> int:
    with db.read() as session:
        if session.scalar(select(FundRow.id).where(FundRow.sample_data.is_(True)).limit(1)):
            return 0
        investor = session.scalar(select(UserRow.id).where(UserRow.email == "investor@demo.techbridge.cn"))
    for i, spec in enumerate(SAMPLE_FUNDS):
        owner = SYSTEM if i or investor is None else Actor(user_id=investor, roles=SYSTEM.roles)
        funds.create_fund(db, owner, {**spec, "sample_data": True})
    return len(SAMPLE_FUNDS)


def _seed_event(db: Database) -> str:
    with db.read() as session:
        if session.scalar(select(EventRow.id).where(EventRow.title == EVENT_TITLE)):
            return "event exists"
        # Hard-tech patents make the projects of the sample roadshow (small catalogs fall back to anything).
        techs = session.execute(select(TechnologyRow.id, TechnologyRow.title).where(
            TechnologyRow.trl.is_not(None), TechnologyRow.kind == "patent",
            TechnologyRow.technology_field.in_(["F01", "F03", "F05", "F06"])).order_by(TechnologyRow.id).limit(24)
        ).all() or session.execute(select(TechnologyRow.id, TechnologyRow.title).where(
            TechnologyRow.trl.is_not(None)).order_by(TechnologyRow.id).limit(24)).all()
        fund_rows = session.execute(select(FundRow.id, FundRow.name, FundRow.owner_user_id).order_by(FundRow.id)
                                    ).all()
        firms = session.execute(select(OrganisationRow.id, OrganisationRow.name).where(
            OrganisationRow.kind == "enterprise").order_by(OrganisationRow.id).limit(6)).all()
    event_id = events.create_event(db, SYSTEM, {
        "title": EVENT_TITLE, "venue": "东海科技会堂（示例）", "held_on": "2026-12-08", "tables": 8,
        "sample_data": True,
        "description": "示例活动：上午项目路演，下午一对一洽谈；日程由排程器按优先级自动安排。",
        "sessions": [{"title": "上午场", "start": "09:00", "slots": 8, "slot_minutes": 20},
                     {"title": "下午场", "start": "14:00", "slots": 8, "slot_minutes": 20}]})
    rng = random.Random(2026)
    projects = [events.register(db, SYSTEM, event_id, {"kind": "project", "display_name": title[:60],
                                                       "technology_id": tid, "for_self": False,
                                                       "availability": rng.choice(["09:00-12:00,14:00-17:00",
                                                                                   "09:00-11:00", "14:00-16:40"])})
                for tid, title in techs]
    investors = []
    for fid, name, owner in fund_rows:
        actor = Actor(user_id=owner) if owner else SYSTEM
        data = {"kind": "investor", "display_name": name, "fund_id": fid, "for_self": bool(owner)}
        investors.append(events.register(db, actor, event_id, data))
    firms_ids = [events.register(db, SYSTEM, event_id, {"kind": "enterprise", "display_name": name,
                                                        "organisation_id": oid, "for_self": False,
                                                        "availability": "14:00-17:00"}) for oid, name in firms]
    count = 0
    for project in projects:
        for target in rng.sample(investors + firms_ids, 3):
            request_id = events.request_meeting(db, SYSTEM, event_id, {
                "requester_id": project, "target_id": target, "priority": rng.randint(1, 5)})
            events.respond(db, SYSTEM, request_id, "accept" if rng.random() < 0.85 else "decline")
            count += 1
    result = events.schedule(db, SYSTEM, event_id, SolverOptions(time_limit_s=10, workers=2))
    return f"event {event_id}: {len(projects) + len(investors) + len(firms_ids)} participants, {count} requests, " \
           f"{result['scheduled']} meetings"


def _seed_records(db: Database) -> int:
    with db.read() as session:
        if session.scalar(select(EvaluationRecordRow.id).where(EvaluationRecordRow.sample_data.is_(True)).limit(1)):
            return 0
        tech_ids = list(session.scalars(select(TechnologyRow.id).where(TechnologyRow.trl.is_not(None))
                                        .order_by(TechnologyRow.id).limit(3)))
    for i, tid in enumerate(tech_ids):
        evaluation.add_record(db, SYSTEM, tid, {
            "kind": ("self", "second_party", "third_party")[i], "evaluator": "示例评价机构（示例）",
            "trl": 5 + i, "maturity_score": 60 + 5 * i, "innovation_score": 70, "advancement_score": 65 + 5 * i,
            "value_scientific": 60, "value_technical": 75, "value_economic": 70 + 5 * i, "value_social": 60,
            "value_cultural": 40, "market_value_wan": 80 + 40 * i, "pricing_method": "agreement",
            "summary": "示例评价记录，仅用于演示字段。", "sample_data": True})
    return len(tech_ids)


def seed(db: Database, settings: Settings) -> str:
    n_funds = _seed_funds(db)
    event = _seed_event(db)
    n_records = _seed_records(db)
    report = evaluation.recompute(db, MatchingService(db, index_dir=settings.data_dir / "index"))
    return (f"{n_funds} sample funds; {event}; {n_records} sample evaluation records; "
            f"scores {report.changed}/{report.technologies} recomputed")
