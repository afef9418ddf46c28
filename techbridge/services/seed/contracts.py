"""Demo contracts and the published statistics panel (run by `techbridge init` and the first `serve`).

Loads the yearbook panel into published statistics, opens a handful of demo contracts between the demo
organisations in different workflow states (so every page has something to show), and registers a
small set of synthetic contracts for the registered-statistics dashboard. Everything demo is marked
sample data. Idempotent: contracts are only added to a database that has none.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select

from techbridge.config import Settings
from techbridge.errors import TechbridgeError
from techbridge.services.actor import SYSTEM
from techbridge.services.contracts import bulk, published, workflow
from techbridge.services.contracts.generator import ContractGenerator
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, TechnologyRow
from techbridge.storage.tables.contracts import ContractRow

log = logging.getLogger("techbridge.seed.contracts")
ORDER = 30
SYNTHETIC_CONTRACTS = 3_000
_PATHS: tuple[tuple[str, ...], ...] = (
    (),
    ("submit",),
    ("submit", "accept", "request_supplement"),
    ("submit", "accept", "start_review"),
    ("submit", "accept", "start_review", "register"),
    ("submit", "accept", "start_review", "register", "object"),
    ("submit", "accept", "start_review", "reject"),
)
_TERMS = {"contract_type": "transfer", "subtype": "patent_license_ordinary", "ipr_type": "invention_patent",
          "plan_source": "none", "payment_mode": "instalments", "price": "80", "signed_on": "2026-03-02"}


def seed(db: Database, settings: Settings) -> str:
    rows = published.load_panel(db)
    with db.read() as session:
        # Other seeds (a demo case reaching the contract stage) may already have opened drafts: look for our own.
        if session.scalar(select(func.count()).select_from(ContractRow).where(ContractRow.source_id == "demo-0")):
            return f"published {rows} rows; demo contracts already present"
        pairs = session.execute(
            select(TechnologyRow.id, DemandRow.id)
            .join(DemandRow, DemandRow.technology_field == TechnologyRow.technology_field)
            .where(TechnologyRow.owner_id.is_not(None), DemandRow.owner_id.is_not(None),
                   TechnologyRow.owner_id != DemandRow.owner_id)
            .order_by(DemandRow.id, TechnologyRow.id).limit(2_000)).all()
    made = 0
    demands_used: set[int] = set()
    chosen: list[tuple[int, int]] = []
    for tech_id, demand_id in pairs:  # one contract per demand first, then any pair
        if demand_id not in demands_used:
            demands_used.add(demand_id)
            chosen.append((tech_id, demand_id))
    chosen += [(t, d) for t, d in pairs if (t, d) not in chosen]
    for tech_id, demand_id in chosen:
        if made == len(_PATHS):
            break
        contract_id = workflow.start_contract_from(db, settings, SYSTEM, technology_id=tech_id, demand_id=demand_id,
                                                   source="match", source_id=f"demo-{made}")
        terms = dict(_TERMS, subtype="patent_right_transfer", sample_data=True)
        try:
            workflow.update_draft(db, settings, SYSTEM, contract_id, terms)
            for step in _PATHS[made]:
                reason = "示例：补充合同附件" if step in ("request_supplement", "object", "reject") else None
                workflow.act(db, settings, SYSTEM, contract_id, step, reason=reason)
        except TechbridgeError as exc:  # a demo contract whose catalog parties are incomplete stays a draft
            log.warning("demo contract %s stays a draft: %s", contract_id, exc)
        made += 1
    generator = ContractGenerator(seed=2026)
    synthetic = 0
    for batch in generator.batches(SYNTHETIC_CONTRACTS, 1_000):
        synthetic += bulk.bulk_register(db, settings, SYSTEM, batch, today=dt.date.today(), sample=True)
    _mark_sample(db)
    return f"published {rows} rows; {made} demo contracts; {synthetic} synthetic registered contracts (sample data)"


def _mark_sample(db: Database) -> None:
    from sqlalchemy import update

    with db.transaction() as session:
        session.execute(update(ContractRow).values(sample_data=True))
