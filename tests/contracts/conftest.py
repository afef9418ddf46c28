"""Fixtures for contract tests: valid records, parties in the small catalog, users of every role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from techbridge.domain.identifiers import credit_code_check_char
from techbridge.domain.roles import Role
from techbridge.services.actor import Actor
from techbridge.storage.db import Database


def credit(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


SELLER_CODE = credit("12110000MB0000001")
BUYER_CODE = credit("91120000MA0000002")


def record(**changes: Any) -> dict[str, Any]:
    """A complete, valid contract record (amounts in 万元)."""
    data: dict[str, Any] = {
        "title": "低糖馅料配方技术转让", "contract_type": "transfer", "subtype": "patent_right_transfer",
        "ipr_type": "invention_patent", "plan_source": "none", "payment_mode": "instalments",
        "technology_field": "F09", "price": "120", "deductions": [{"item": "equipment", "amount": "20"}],
        "signed_on": "2026-03-02",
        "seller": {"name": "甲大学", "credit_code": SELLER_CODE, "region_code": "110108", "nature": "022"},
        "buyer": {"name": "乙公司", "credit_code": BUYER_CODE, "region_code": "120101", "nature": "170"},
    }
    for key, value in changes.items():
        if key in ("seller", "buyer") and isinstance(value, dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


@pytest.fixture
def parties(small_catalog: dict[str, int]) -> dict[str, int]:
    return {"seller": small_catalog["org-a"], "buyer": small_catalog["org-b"]}


@dataclass(frozen=True)
class Who:
    actor: Actor


@pytest.fixture
def users(parties: dict[str, int]) -> dict[str, Who]:
    """One actor per role (services trust the Actor they get; no password hashing needed here).

    Members belong to the seller (org-a) unless named buyer_member; web tests use real accounts.
    """
    def who(user_id: int, role: Role, org: int | None = None) -> Who:
        return Who(Actor(user_id=user_id, display_name=role.value, roles=frozenset({role}), organisation_id=org))

    return {
        "operator": who(9001, Role.OPERATOR),
        "officer": who(9002, Role.REGISTRY_OFFICER),
        "manager": who(9003, Role.TECHNOLOGY_MANAGER),
        "seller_member": who(9004, Role.INSTITUTION_MEMBER, parties["seller"]),
        "buyer_member": who(9005, Role.ENTERPRISE_MEMBER, parties["buyer"]),
        "outsider": who(9006, Role.ENTERPRISE_MEMBER),
        "investor": who(9007, Role.INVESTOR),
        "expert": who(9008, Role.EXPERT),
    }


def linked_record(parties: dict[str, int], **changes: Any) -> dict[str, Any]:
    data = record(**changes)
    data["seller"]["organisation_id"] = parties["seller"]
    data["buyer"]["organisation_id"] = parties["buyer"]
    return data


@pytest.fixture
def count_contracts(db: Database) -> Callable[[], int]:
    from sqlalchemy import func, select

    from techbridge.storage.tables.contracts import ContractRow

    def count() -> int:
        with db.read() as session:
            return int(session.scalar(select(func.count()).select_from(ContractRow)) or 0)

    return count
