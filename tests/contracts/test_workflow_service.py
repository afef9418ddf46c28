"""The registration workflow through the service: roles, illegal steps, numbers, deadlines, statistics cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.domain.contracts import certificate_number_problem
from techbridge.errors import AuthenticationRequired, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from techbridge.services.actor import ANONYMOUS
from techbridge.services.contracts import stats, workflow
from techbridge.storage.db import Database
from techbridge.storage.tables.contracts import ContractEventRow, ContractStatCellRow
from tests.contracts.conftest import linked_record

D = dt.date(2026, 3, 9)  # a Monday


def walk(db: Database, settings: Settings, actor: Any, contract_id: int, *steps: str, **kw: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for step in steps:
        item = workflow.act(db, settings, actor, contract_id, step, today=D, **kw)
    return item


def registered_value(db: Database) -> tuple[int, float]:
    result = stats.query(db, {"by": "", "measure": "value"})
    if not result.rows:
        return 0, 0.0
    return result.rows[0]["count"], result.rows[0]["value"]


def test_full_path_by_the_right_people(db: Database, settings: Settings, users: dict[str, Any],
                                       parties: dict[str, int]) -> None:
    seller, officer = users["seller_member"].actor, users["officer"].actor
    contract_id = workflow.create_draft(db, settings, seller, linked_record(parties))
    item = walk(db, settings, seller, contract_id, "submit")
    assert item["status"] == "submitted" and item["tech_value"] == 100.0 and not item["expert_required"]
    assert item["deadline"]["working_days"] == 5 and item["deadline"]["due_on"] == "2026-03-16"
    item = walk(db, settings, officer, contract_id, "accept", "start_review")
    assert item["deadline"]["working_days"] == 15
    item = walk(db, settings, officer, contract_id, "register")
    assert item["status"] == "registered" and item["deadline"] is None
    number = item["certificate_number"]
    assert number == "2026110108000001" and certificate_number_problem(number) is None
    assert registered_value(db) == (1, 120.0)
    with db.read() as session:
        steps = session.scalars(select(ContractEventRow.action).where(ContractEventRow.contract_id == contract_id)
                                .order_by(ContractEventRow.id)).all()
    assert steps == ["create", "submit", "accept", "start_review", "register"]


def test_certificate_numbers_are_sequential_per_registry_and_year(
        db: Database, settings: Settings, users: dict[str, Any], parties: dict[str, int]) -> None:
    operator = users["operator"].actor
    numbers = []
    for _ in range(3):
        cid = workflow.create_draft(db, settings, operator, linked_record(parties))
        numbers.append(walk(db, settings, operator, cid, "submit", "accept", "start_review", "register")
                       ["certificate_number"])
    assert numbers == ["2026110108000001", "2026110108000002", "2026110108000003"]


@pytest.mark.parametrize(("who", "step", "error"), [
    ("buyer_member", "submit", PermissionDenied),
    ("outsider", "submit", NotFound),
    ("officer", "submit", PermissionDenied),
    ("investor", "submit", NotFound),
])
def test_wrong_people_cannot_file(db: Database, settings: Settings, users: dict[str, Any], parties: dict[str, int],
                                  who: str, step: str, error: type[Exception]) -> None:
    cid = workflow.create_draft(db, settings, users["seller_member"].actor, linked_record(parties))
    with pytest.raises(error):
        workflow.act(db, settings, users[who].actor, cid, step)
    assert workflow.get(db, settings, users["officer"].actor, cid)["status"] == "draft"


def test_filer_cannot_review_and_anonymous_must_sign_in(db: Database, settings: Settings, users: dict[str, Any],
                                                         parties: dict[str, int]) -> None:
    seller = users["seller_member"].actor
    cid = workflow.create_draft(db, settings, seller, linked_record(parties))
    walk(db, settings, seller, cid, "submit")
    for who in ("seller_member", "manager", "buyer_member"):
        with pytest.raises((PermissionDenied, NotFound)):
            workflow.act(db, settings, users[who].actor, cid, "accept")
    with pytest.raises(AuthenticationRequired):
        workflow.act(db, settings, ANONYMOUS, cid, "accept")
    with pytest.raises(AuthenticationRequired):
        workflow.create_draft(db, settings, ANONYMOUS, linked_record(parties))
    with pytest.raises(PermissionDenied):
        workflow.create_draft(db, settings, users["officer"].actor, linked_record(parties))


def test_illegal_transition_changes_nothing(db: Database, settings: Settings, users: dict[str, Any],
                                            parties: dict[str, int]) -> None:
    operator = users["operator"].actor
    cid = workflow.create_draft(db, settings, operator, linked_record(parties))
    with pytest.raises(IllegalTransition) as err:
        workflow.act(db, settings, operator, cid, "register")
    assert "submit" in err.value.errors[0].message
    with pytest.raises(ValidationFailed):
        workflow.act(db, settings, operator, cid, "teleport")
    item = workflow.get(db, settings, operator, cid)
    assert item["status"] == "draft" and item["certificate_number"] is None
    assert [h["action"] for h in item["history"]] == ["create"]


def test_supplement_restarts_the_clock_and_allows_edits(db: Database, settings: Settings, users: dict[str, Any],
                                                        parties: dict[str, int]) -> None:
    seller, officer = users["seller_member"].actor, users["officer"].actor
    cid = workflow.create_draft(db, settings, seller, linked_record(parties))
    walk(db, settings, seller, cid, "submit")
    walk(db, settings, officer, cid, "accept")
    with pytest.raises(ValidationFailed):
        walk(db, settings, officer, cid, "request_supplement")  # reason required
    item = walk(db, settings, officer, cid, "request_supplement", reason="请补充专利证书")
    assert item["deadline"]["working_days"] == 10
    workflow.update_draft(db, settings, seller, cid, {"price": "150"})
    later = dt.date(2026, 3, 20)
    item = workflow.act(db, settings, seller, cid, "supplement", today=later)
    assert item["status"] == "accepted" and item["price"] == 150.0
    assert item["deadline"]["started_on"] == "2026-03-20" and item["deadline"]["working_days"] == 15
    with pytest.raises(IllegalTransition):
        workflow.update_draft(db, settings, seller, cid, {"price": "1"})


def test_large_contracts_need_expert_review(db: Database, settings: Settings, users: dict[str, Any],
                                            parties: dict[str, int]) -> None:
    operator = users["operator"].actor
    cid = workflow.create_draft(db, settings, operator, linked_record(parties, price="800", deductions=[]))
    item = walk(db, settings, operator, cid, "submit", "accept", "start_review")
    assert item["expert_required"] and item["deadline"]["working_days"] == 30
    with pytest.raises(IllegalTransition):
        walk(db, settings, operator, cid, "register")
    item = walk(db, settings, operator, cid, "refer_experts", "register")
    assert item["status"] == "registered"


def test_disputed_small_contract_goes_to_experts(db: Database, settings: Settings, users: dict[str, Any],
                                                 parties: dict[str, int]) -> None:
    operator = users["operator"].actor
    cid = workflow.create_draft(db, settings, operator, linked_record(parties))
    walk(db, settings, operator, cid, "submit", "accept", "start_review")
    with pytest.raises(IllegalTransition):
        walk(db, settings, operator, cid, "refer_experts")
    item = walk(db, settings, operator, cid, "refer_experts", disputed=True)
    assert item["status"] == "expert_review" and item["disputed"]


def test_cells_follow_register_amend_cancel_and_objections(db: Database, settings: Settings, users: dict[str, Any],
                                                           parties: dict[str, int]) -> None:
    operator, buyer = users["operator"].actor, users["buyer_member"].actor
    cid = workflow.create_draft(db, settings, operator, linked_record(parties))
    walk(db, settings, operator, cid, "submit", "accept", "start_review", "register")
    assert registered_value(db) == (1, 120.0)
    walk(db, settings, operator, cid, "amend", reason="金额变更", changes={"price": "200"})
    assert registered_value(db) == (1, 200.0)
    walk(db, settings, buyer, cid, "object", reason="买方对登记金额有异议")
    assert registered_value(db) == (1, 200.0)
    walk(db, settings, operator, cid, "uphold_rejection", reason="异议成立")
    assert registered_value(db) == (0, 0.0)
    walk(db, settings, buyer, cid, "object", reason="再次异议")
    item = walk(db, settings, operator, cid, "uphold_registration")
    assert item["status"] == "registered" and item["certificate_number"] == "2026110108000001"
    assert registered_value(db) == (1, 200.0)
    walk(db, settings, operator, cid, "cancel", reason="合同解除")
    assert registered_value(db) == (0, 0.0)
    with pytest.raises(IllegalTransition):
        walk(db, settings, operator, cid, "object", reason="x")
    with db.read() as session:
        grains = session.scalar(select(func.count(func.distinct(ContractStatCellRow.grain))))
    assert grains == 9


def test_failed_amend_keeps_registration_and_cells(db: Database, settings: Settings, users: dict[str, Any],
                                                   parties: dict[str, int]) -> None:
    operator = users["operator"].actor
    cid = workflow.create_draft(db, settings, operator, linked_record(parties))
    walk(db, settings, operator, cid, "submit", "accept", "start_review", "register")
    with pytest.raises(ValidationFailed) as err:
        walk(db, settings, operator, cid, "amend", reason="x", changes={"price": "-5"})
    assert err.value.errors[0].field == "price"
    assert registered_value(db) == (1, 120.0)
    assert workflow.get(db, settings, operator, cid)["status"] == "registered"


def test_start_contract_from_a_match(db: Database, settings: Settings, users: dict[str, Any],
                                     small_catalog: dict[str, int]) -> None:
    manager = users["manager"].actor
    cid = workflow.start_contract_from(db, settings, manager, technology_id=small_catalog["t-sugar"],
                                       demand_id=small_catalog["d-sugar"], source="match", source_id=42)
    item = workflow.get(db, settings, manager, cid)
    assert item["status"] == "draft" and item["source"] == "match" and item["source_id"] == "42"
    assert item["technology_id"] == small_catalog["t-sugar"] and item["technology_field"] == "F09"
    assert item["seller"]["name"] == "甲大学" and item["seller"]["nature"] == "022"
    assert item["seller"]["organisation_id"] == small_catalog["org-a"]
    assert item["buyer"]["name"] == "乙公司" and item["buyer"]["region_code"] == "120000"
    assert item["allowed_actions"] == ["submit"]
    with pytest.raises(ValidationFailed):
        workflow.act(db, settings, manager, cid, "submit")  # terms and credit codes still missing
    with pytest.raises(NotFound):
        workflow.start_contract_from(db, settings, manager, technology_id=99999)


def test_lists_show_only_what_the_actor_may_see(db: Database, settings: Settings, users: dict[str, Any],
                                                parties: dict[str, int], make_user: Callable[..., Any]) -> None:
    cid = workflow.create_draft(db, settings, users["seller_member"].actor, linked_record(parties))
    walk(db, settings, users["seller_member"].actor, cid, "submit")
    assert workflow.list_contracts(db, settings, users["officer"].actor)["total"] == 1
    assert workflow.list_contracts(db, settings, users["buyer_member"].actor)["total"] == 1
    assert workflow.list_contracts(db, settings, users["outsider"].actor)["total"] == 0
    overdue = workflow.list_contracts(db, settings, users["officer"].actor, overdue=True)
    assert overdue["total"] == 1 and overdue["items"][0]["deadline"]["overdue"]  # submitted 2026-03-09, due 03-16
    with pytest.raises(AuthenticationRequired):
        workflow.list_contracts(db, settings, ANONYMOUS)


def test_only_drafts_can_be_deleted(db: Database, settings: Settings, users: dict[str, Any],
                                    parties: dict[str, int]) -> None:
    seller = users["seller_member"].actor
    keep = workflow.create_draft(db, settings, seller, linked_record(parties))
    drop = workflow.create_draft(db, settings, seller, linked_record(parties))
    walk(db, settings, seller, keep, "submit")
    with pytest.raises(IllegalTransition):
        workflow.delete_draft(db, settings, seller, keep)
    with pytest.raises(PermissionDenied):
        workflow.delete_draft(db, settings, users["buyer_member"].actor, drop)
    workflow.delete_draft(db, settings, seller, drop)
    with pytest.raises(NotFound):
        workflow.get(db, settings, seller, drop)


def test_upheld_objection_to_a_registration_counts_once(db: Database, settings: Settings, users: dict[str, Any],
                                                        parties: dict[str, int]) -> None:
    operator, buyer = users["operator"].actor, users["buyer_member"].actor
    cid = workflow.create_draft(db, settings, operator, linked_record(parties))
    walk(db, settings, operator, cid, "submit", "accept", "start_review", "register")
    walk(db, settings, buyer, cid, "object", reason="异议")
    item = walk(db, settings, operator, cid, "uphold_registration")
    assert item["status"] == "registered" and item["certificate_number"] == "2026110108000001"
    assert registered_value(db) == (1, 120.0)
