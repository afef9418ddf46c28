"""Matching use cases: demand → technologies with reasons, free-text matching, and feedback.

The service keeps one in-process index of the technology catalog, built on first use and updated
when listings change. Callers (API, pages, CLI) only see ``MatchingService``; the engine behind it
can change without changing them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from techbridge.domain.enums import ListingStatus
from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, NotFound, ValidationFailed
from techbridge.services._lexical_baseline import LexicalIndex
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, TechnologyRow
from techbridge.storage.tables.matching import MatchFeedbackRow

DECISIONS = ("accept", "reject")


@dataclass(frozen=True)
class MatchReason:
    """Why a technology was proposed, as data the pages and the API show."""

    matched_terms: tuple[str, ...] = ()
    shared_codes: dict[str, str] = field(default_factory=dict)
    semantic_similarity: float | None = None


@dataclass(frozen=True)
class Match:
    technology_id: int
    score: float
    reasons: MatchReason
    method: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "technology_id": self.technology_id,
            "score": round(self.score, 4),
            "method": self.method,
            "reasons": {
                "matched_terms": list(self.reasons.matched_terms),
                "shared_codes": self.reasons.shared_codes,
                "semantic_similarity": self.reasons.semantic_similarity,
            },
        }


def _technology_text(row: TechnologyRow) -> str:
    return " ".join([row.title, row.title, " ".join(row.keywords or []), row.abstract or ""])


class MatchingService:
    """Holds the technology index; thread-safe; built lazily from the database."""

    method = "bm25"

    def __init__(self, db: Database) -> None:
        self.db = db
        self._index: LexicalIndex | None = None
        self._codes: dict[int, tuple[str | None, str | None]] = {}
        self._lock = threading.Lock()

    def status(self) -> dict[str, Any]:
        return {"method": self.method, "ready": self._index is not None,
                "documents": len(self._codes)}

    def _ensure_index(self) -> LexicalIndex:
        with self._lock:
            if self._index is None:
                index = LexicalIndex()
                with self.db.read() as session:
                    rows = session.scalars(
                        select(TechnologyRow).where(TechnologyRow.status != ListingStatus.WITHDRAWN.value)
                    ).all()
                    for row in rows:
                        index.add(row.id, _technology_text(row))
                        self._codes[row.id] = (row.technology_field, row.province_code)
                self._index = index
            return self._index

    def refresh_technology(self, technology_id: int) -> None:
        """Re-index one technology after it was created, edited or withdrawn."""
        if self._index is None:
            return
        with self.db.read() as session:
            row = session.get(TechnologyRow, technology_id)
            with self._lock:
                if row is None or row.status == ListingStatus.WITHDRAWN.value:
                    self._index.remove(technology_id)
                    self._codes.pop(technology_id, None)
                else:
                    self._index.add(row.id, _technology_text(row))
                    self._codes[row.id] = (row.technology_field, row.province_code)

    def match_text(self, text: str, *, top: int = 10, technology_field: str | None = None,
                   province_code: str | None = None, exclude: set[int] | None = None) -> list[Match]:
        if not text.strip():
            raise ValidationFailed("Nothing to match", errors=[FieldError("text", "describe the need in words")])
        index = self._ensure_index()
        hits = index.search(text, top=top * 3, exclude=exclude)
        matches: list[Match] = []
        for hit in hits:
            field_code, province = self._codes.get(hit.doc_id, (None, None))
            shared: dict[str, str] = {}
            score = hit.score
            if technology_field and field_code == technology_field:
                shared["technology_field"] = field_code
                score *= 1.1
            if province_code and province == province_code:
                shared["province_code"] = province
            matches.append(Match(hit.doc_id, score, MatchReason(hit.matched_terms, shared), self.method))
        matches.sort(key=lambda m: (-m.score, m.technology_id))
        return matches[:top]

    def matches_for_demand(self, demand_id: int, *, top: int = 10) -> list[Match]:
        with self.db.read() as session:
            demand = session.get(DemandRow, demand_id)
            if demand is None:
                raise NotFound(f"No demand with id {demand_id}")
            rejected = set(session.scalars(
                select(MatchFeedbackRow.technology_id).where(
                    MatchFeedbackRow.demand_id == demand_id, MatchFeedbackRow.decision == "reject")
            ))
            text = " ".join([demand.title, demand.description or "", demand.technical_key or "",
                             " ".join(demand.keywords or [])])
            field_code, province = demand.technology_field, demand.province_code
        return self.match_text(text, top=top, technology_field=field_code, province_code=province,
                               exclude=rejected)

    def record_feedback(self, actor: Actor, demand_id: int, technology_id: int, decision: str,
                        reason: str = "") -> None:
        """Store accept/reject with its reason; a rejected pair never comes back for that demand."""
        actor.require(Permission.MATCH_FEEDBACK)
        if decision not in DECISIONS:
            raise ValidationFailed("Unknown decision", errors=[FieldError("decision", "use accept or reject")])
        if len(reason) > 2000:
            raise ValidationFailed("Reason too long", errors=[FieldError("reason", "use at most 2,000 characters")])
        with self.db.transaction() as session:
            if session.get(DemandRow, demand_id) is None:
                raise NotFound(f"No demand with id {demand_id}")
            if session.get(TechnologyRow, technology_id) is None:
                raise NotFound(f"No technology with id {technology_id}")
            row = session.scalar(select(MatchFeedbackRow).where(
                MatchFeedbackRow.demand_id == demand_id, MatchFeedbackRow.technology_id == technology_id))
            if row is None:
                session.add(MatchFeedbackRow(demand_id=demand_id, technology_id=technology_id, decision=decision,
                                             reason=reason or None, user_id=actor.user_id, method=self.method))
            else:
                row.decision, row.reason, row.user_id = decision, reason or None, actor.user_id

    def feedback_for(self, demand_id: int) -> dict[int, str]:
        with self.db.read() as session:
            rows = session.execute(select(MatchFeedbackRow.technology_id, MatchFeedbackRow.decision)
                                   .where(MatchFeedbackRow.demand_id == demand_id)).all()
        return {int(t): str(d) for t, d in rows}
