"""A small world for the challenge and case workflows: organisations, people, technologies, a demand and
users for every party."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services import challenges
from techbridge.services.accounts import hash_password
from techbridge.services.actor import SYSTEM, Actor
from techbridge.services.transfer import import_records
from techbridge.storage.db import Database
from techbridge.storage.tables.accounts import UserRow
from techbridge.storage.tables.catalog import DemandRow, OrganisationRow, PersonRow, TechnologyRow

TODAY = dt.date.today()
ORGS = [
    ("gov", "示范区科技局", "government"), ("ent", "链主制造公司", "enterprise"), ("uni", "甲大学", "university"),
    ("ins", "乙研究院", "research_institute"), ("uni2", "丙大学", "university"), ("inc", "孵化器", "incubator"),
    ("park", "科学园", "science_park"), ("ind", "产业园开发公司", "enterprise"),
]


PASSWORD = "correct horse battery"


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    ids: dict[str, int]
    users: dict[str, Actor]

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


def call_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "高镍正极材料循环寿命攻关", "background": "现有正极材料循环寿命不足，影响储能电池成本。",
        "goals": "循环寿命提升到 3000 次", "deliverables": "工艺包、中试样品 10 kg",
        "metrics": [{"name": "循环寿命", "target": "≥3000 次"}, {"name": "容量保持率", "target": "≥80%"}],
        "period_months": 24, "reward_yuan": "3000000", "cofunding_yuan": "1000000", "eligibility": "不设门槛",
        "deadline": (TODAY + dt.timedelta(days=30)).isoformat(), "contact": "邹老师", "technology_field": "F06",
        "milestones": [{"title": "小试", "due_month": 6, "share_percent": 30},
                       {"title": "中试", "due_month": 15, "share_percent": 40},
                       {"title": "验收", "due_month": 24, "share_percent": 30}],
        "min_reviews": 3,
    }
    data.update(changes)
    return data


@pytest.fixture
def world(db: Database, settings: Settings) -> World:
    rows = [{"external_id": k, "name": n, "kind": kind, "province_code": "110000"} for k, n, kind in ORGS]
    import_records(db, settings, SYSTEM, "organisations", iter(enumerate(rows, start=2)))
    people = [{"external_id": "p-uni", "name": "张研究员", "organisation_external_id": "uni", "expertise": "正极材料",
               "roles": "researcher"},
              {"external_id": "p-ins", "name": "李工", "organisation_external_id": "ins", "expertise": "电池",
               "roles": "researcher"}]
    import_records(db, settings, SYSTEM, "people", iter(enumerate(people, start=2)))
    techs = [{"external_id": "t-uni", "title": "高镍三元正极材料共沉淀制备方法", "abstract": "提高电池循环寿命",
              "keywords": "正极;循环寿命", "technology_field": "F06", "owner_external_id": "uni", "trl": 5},
             {"external_id": "t-ins", "title": "锂电池正极包覆工艺", "abstract": "正极材料表面包覆提高循环寿命",
              "keywords": "正极;包覆", "technology_field": "F06", "owner_external_id": "ins", "trl": 6}]
    import_records(db, settings, SYSTEM, "technologies", iter(enumerate(techs, start=2)))
    demands = [{"external_id": "d-ent", "title": "储能电池循环寿命不足", "description": "需要长寿命正极材料",
                "technology_field": "F06", "owner_external_id": "ent"}]
    import_records(db, settings, SYSTEM, "demands", iter(enumerate(demands, start=2)))
    ids: dict[str, int] = {}
    with db.read() as session:
        for table in (OrganisationRow, PersonRow, TechnologyRow, DemandRow):
            ids.update(dict(session.execute(select(table.external_id, table.id)).all()))
    spec = {
        "issuer": ((Role.ENTERPRISE_MEMBER,), "ent"), "gov_issuer": ((Role.INSTITUTION_MEMBER,), "gov"),
        "operator": ((Role.OPERATOR,), None), "applicant_uni": ((Role.INSTITUTION_MEMBER,), "uni"),
        "applicant_ins": ((Role.INSTITUTION_MEMBER,), "ins"), "applicant_uni2": ((Role.INSTITUTION_MEMBER,), "uni2"),
        "expert_uni": ((Role.EXPERT,), "uni"), "expert_a": ((Role.EXPERT,), "uni2"), "expert_b": ((Role.EXPERT,), None),
        "expert_c": ((Role.EXPERT,), "park"), "expert_d": ((Role.EXPERT,), "inc"),
        "expert_e": ((Role.EXPERT,), None),
        "manager": ((Role.TECHNOLOGY_MANAGER,), "inc"), "manager2": ((Role.TECHNOLOGY_MANAGER,), None),
        "investor": ((Role.INVESTOR,), None), "ent_member": ((Role.ENTERPRISE_MEMBER,), "ent"),
    }
    users: dict[str, Actor] = {}
    with db.transaction() as session:  # one password hash for all (argon2 is slow by design)
        for name, (roles, org) in spec.items():
            row = UserRow(email=f"{name}@example.org", display_name=name, password_hash=_password_hash(),
                          roles=[r.value for r in roles], organisation_id=ids[org] if org else None)
            session.add(row)
            session.flush()
            users[name] = Actor(user_id=row.id, display_name=name, roles=frozenset(roles),
                                organisation_id=row.organisation_id)
            ids[f"user:{name}"] = row.id
    with db.transaction() as session:
        expert = session.get(UserRow, ids["user:expert_b"])
        assert expert is not None
        expert.person_id = ids["p-ins"]  # expert_b is person p-ins: a team member of the institute's application
    return World(ids, users)


def application_data(world: World, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"team_name": "正极攻关组", "plan": "共沉淀 + 包覆两步法", "budget_yuan": "2500000",
                            "team": [{"name": "张研究员", "role": "负责人"}], "prior_results": "论文 3 篇"}
    data.update(changes)
    return data


def run_to_evaluating(db: Database, world: World) -> tuple[int, dict[str, int]]:
    """A published call with three applications, closed after its deadline, panel assigned."""
    u = world.users
    call_id = challenges.create_call(db, u["issuer"], call_data())
    challenges.transition(db, u["issuer"], call_id, "submit")
    challenges.transition(db, u["operator"], call_id, "publish")
    apps = {
        "uni": challenges.apply(db, u["applicant_uni"], call_id, application_data(
            world, team_name="甲大学团队", prior_technology_ids=[world["t-uni"]], member_person_ids=[world["p-uni"]])),
        "ins": challenges.apply(db, u["applicant_ins"], call_id, application_data(
            world, team_name="乙研究院团队", prior_technology_ids=[world["t-ins"]],
            member_person_ids=[world["p-ins"]])),
        "uni2": challenges.apply(db, u["applicant_uni2"], call_id, application_data(world, team_name="丙大学团队")),
    }
    after = TODAY + dt.timedelta(days=31)
    challenges.transition(db, u["operator"], call_id, "close_applications", today=after)
    experts = [world[f"user:{n}"] for n in ("expert_uni", "expert_a", "expert_b", "expert_c", "expert_d",
                                                                      "expert_e")]
    challenges.assign_panel(db, u["operator"], call_id, experts, today=after)
    return call_id, apps
