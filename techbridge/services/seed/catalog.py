"""Load the shipped demo catalog (techbridge/data/demo): organisations, people, technologies, demands.

The shipped files use the data package's field names; they are translated to the catalog's field names
here and go through the same validated, idempotent upsert as any user import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.domain.roles import Role
from techbridge.services.accounts import create_user
from techbridge.services.actor import SYSTEM
from techbridge.services.catalog import EntityKind
from techbridge.services.transfer import import_records
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import OrganisationRow, TechnologyRow

ORDER = 10
DEMO_PASSWORD = "techbridge-demo"  # noqa: S105 - documented sample accounts, only with demo data
DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[Role, ...], str | None], ...] = (
    ("operator@demo.techbridge.cn", "平台运营（示例）", (Role.OPERATOR,), None),
    ("manager@demo.techbridge.cn", "技术经理人（示例）", (Role.TECHNOLOGY_MANAGER,), "org-u01"),
    ("enterprise@demo.techbridge.cn", "企业用户（示例）", (Role.ENTERPRISE_MEMBER,), "org-e02"),
    ("institution@demo.techbridge.cn", "院所用户（示例）", (Role.INSTITUTION_MEMBER,), "org-u01"),
    ("registry@demo.techbridge.cn", "登记员（示例）", (Role.REGISTRY_OFFICER,), None),
    ("investor@demo.techbridge.cn", "投资人（示例）", (Role.INVESTOR,), None),
    ("expert@demo.techbridge.cn", "专家（示例）", (Role.EXPERT,), None),
)

_RENAMES = {
    "organisations": {"name_zh": "name", "description_zh": "description"},
    "people": {"name_zh": "name", "organisation": "organisation_external_id", "title_zh": "title"},
    "technologies": {"owner_organisation": "owner_external_id", "sample_attributes": "sample_data"},
    "demands": {"owner_organisation": "owner_external_id", "published_at": "listed_at"},
}
_DROP = {
    "organisations": {"name_en", "nature_code", "technology_fields"},
    "people": {"name_en"},
    "technologies": {"csl_category", "contact_person", "publication_kind"},
    "demands": {"zh_source", "contact_person"},
}
_FILES: dict[EntityKind, tuple[str, ...]] = {
    "organisations": ("organisations.jsonl",),
    "people": ("people.jsonl",),
    "technologies": ("technologies_csl.jsonl", "technologies_patents.jsonl"),
    "demands": ("demands_sme.jsonl",),
}
_PUBLICATION = {"invention_application": "发明申请（公开）", "invention_grant": "发明授权",
                "utility_model": "实用新型"}


def _translate(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key in _DROP[kind]:
            continue
        out[_RENAMES[kind].get(key, key)] = value
    if kind == "people":
        out["roles"] = [record["role"]]
        out.pop("role", None)
    if kind == "technologies":
        if out.get("kind") == "paper-result":
            out["kind"] = "paper_result"
        if record.get("publication_kind"):
            out["legal_status"] = _PUBLICATION.get(record["publication_kind"], record["publication_kind"])
    return out


def demo_records(kind: EntityKind) -> Iterator[tuple[int, dict[str, Any]]]:
    folder = resources.files("techbridge.data").joinpath("demo")
    for name in _FILES[kind]:
        text = folder.joinpath(name).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield number, _translate(kind, json.loads(line))


def seed(db: Database, settings: Settings) -> str:
    parts = []
    for kind in ("organisations", "people", "technologies", "demands"):
        report = import_records(db, settings, SYSTEM, kind, demo_records(kind))
        parts.append(f"{kind} +{report.created} ~{report.updated} ={report.unchanged}")
    with db.read() as session:
        orgs = dict(session.execute(select(OrganisationRow.external_id, OrganisationRow.id)).all())
    for email, name, roles, org in DEMO_ACCOUNTS:
        create_user(db, email=email, password=DEMO_PASSWORD, display_name=name, roles=list(roles),
                    organisation_id=orgs.get(org) if org else None)
    parts.append(f"{len(DEMO_ACCOUNTS)} demo accounts (password {DEMO_PASSWORD})")
    return "; ".join(parts)


def is_seeded(db: Database) -> bool:
    with db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(TechnologyRow)))
