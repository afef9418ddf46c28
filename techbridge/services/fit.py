"""Technology → demands: "demands that fit this technology" (nails for the hammer).

``DemandFinder`` is the interface the pages and API use; ``EngineDemandFinder`` ranks the listed demands
with the hybrid engine of techbridge.matching (BM25 + the distilled encoder, zh ↔ en). Its index is rebuilt
when the demand table changed (count or latest update differ), which is cheap at the sizes the embedded
deployment holds.

Reasons never leak confidential text: for a demand whose details the viewer may not see, only the matched
terms that occur in its title or keywords are shown.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, select

from techbridge.domain.enums import ListingStatus
from techbridge.errors import NotFound
from techbridge.matching import IndexConfig, MatchDocument, MatchIndex, MatchQuery, make_encoder
from techbridge.services import visibility
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, TechnologyRow


@dataclass(frozen=True)
class DemandFit:
    demand_id: int
    title: str
    score: float
    matched_terms: list[str]
    shared_codes: dict[str, str] = field(default_factory=dict)
    semantic_similarity: float | None = None

    def as_dict(self) -> dict[str, Any]:
        similarity = None if self.semantic_similarity is None else round(self.semantic_similarity, 4)
        return {"demand_id": self.demand_id, "title": self.title, "score": round(self.score, 4),
                "reasons": {"matched_terms": self.matched_terms, "shared_codes": self.shared_codes,
                            "semantic_similarity": similarity}}


class DemandFinder(Protocol):
    method: str

    def demands_for_technology(self, actor: Actor, technology_id: int, *, top: int = 10) -> list[DemandFit]: ...


def _demand_document(row: DemandRow) -> MatchDocument:
    return MatchDocument(
        id=str(row.id), text="\n".join(p for p in (row.description, row.technical_key, row.expected_goal) if p),
        title=row.title, lang=row.lang or "zh", technology_field=row.technology_field,
        industry_codes=(row.industry_code,) if row.industry_code else (),
        province=row.province_code[:2] if row.province_code else None,
        price=float(row.budget_wan) if row.budget_wan is not None else None,
        updated_at=row.confirmed_at, keywords=tuple(row.keywords or ()),
    )


class EngineDemandFinder:
    """Technology → demands with the hybrid engine (BM25 + the distilled encoder, zh ↔ en), reasons as data.

    The demand index is small (demands are far fewer than technologies); it is rebuilt when the demand
    table changed (count or latest update differ).
    """

    method = "hybrid-demands"

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._index: MatchIndex | None = None
        self._stamp: tuple[int, str] | None = None

    def _ensure_index(self) -> MatchIndex:
        with self.db.read() as session:
            count, latest = session.execute(select(func.count(DemandRow.id), func.max(DemandRow.updated_at))).one()
            stamp = (int(count or 0), str(latest))
            with self._lock:
                if self._index is None or self._stamp != stamp:
                    rows = session.scalars(select(DemandRow).where(
                        DemandRow.status != ListingStatus.WITHDRAWN.value).order_by(DemandRow.id)).all()
                    index = MatchIndex(IndexConfig(), [make_encoder("static")], eager=("static",))
                    index.build([_demand_document(r) for r in rows])
                    self._index, self._stamp = index, stamp
                return self._index

    def demands_for_technology(self, actor: Actor, technology_id: int, *, top: int = 10) -> list[DemandFit]:
        with self.db.read() as session:
            tech = session.get(TechnologyRow, technology_id)
            if tech is None:
                raise NotFound(f"No technology with id {technology_id}")
            if not visibility.can_see_details(actor, tech, session):
                text = " ".join([tech.title, " ".join(tech.keywords or [])])
            else:
                text = "\n".join([tech.title, " ".join(tech.keywords or []), tech.abstract or "",
                                  tech.application_scenarios or ""])
            query = MatchQuery(text=text, lang=tech.lang or "zh", technology_field=tech.technology_field,
                               industry_codes=(tech.industry_code,) if tech.industry_code else (),
                               province=tech.province_code[:2] if tech.province_code else None)
        results = self._ensure_index().search(query, k=top, method="hybrid", today=dt.date.today())
        with self.db.read() as session:
            rows = {r.id: r for r in session.scalars(
                select(DemandRow).where(DemandRow.id.in_([int(r.doc_id) for r in results])))}
            fits: list[DemandFit] = []
            for result in results:
                row = rows.get(int(result.doc_id))
                if row is None:
                    continue
                visible = visibility.can_see_details(actor, row, session)
                shared = {k: ", ".join(v) for k, v in result.reasons.shared_codes.items()}
                fits.append(DemandFit(row.id, row.title, result.score,
                                      visibility.safe_terms(row, list(result.reasons.matched_terms), visible),
                                      shared, result.reasons.semantic_similarity))
        return fits
