"""Value types of the matching engine: what goes in (documents, queries) and what comes out.

Why frozen dataclasses: results travel from the engine through services to JSON and HTML; making
them immutable data (no methods that reach back into the index) keeps every layer honest and
lets the service cache them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


class MatchingError(Exception):
    """Base of the engine's own errors (the service turns them into TechbridgeError)."""


class IndexMismatch(MatchingError):
    """A saved index was built with other parameters, library or model versions, or other documents."""


@dataclass(frozen=True)
class MatchDocument:
    """One searchable listing (technology, demand, expert profile, challenge …).

    ``text`` is the body (abstract, description); ``title`` is indexed with it. Codes are optional:
    technology_field (F01..F11), industry codes (GB/T 4754, any level), IPC subclasses (``H01M``),
    province (first two digits of GB/T 2260), TRL 1..9, price in 万元 (None = 面议).
    """

    id: str
    text: str
    title: str = ""
    lang: str = "zh"
    technology_field: str | None = None
    industry_codes: tuple[str, ...] = ()
    ipc_subclasses: tuple[str, ...] = ()
    province: str | None = None
    trl: int | None = None
    price: float | None = None
    updated_at: date | None = None
    keywords: tuple[str, ...] = ()

    @property
    def full_text(self) -> str:
        """The text every encoder sees: title, keywords and body (the embedding cache keys on it)."""
        parts = [self.title.strip(), " ".join(k.strip() for k in self.keywords if k.strip()), self.text.strip()]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class MatchQuery:
    """A need in words plus the structured wishes of a guided form (all optional).

    ``trl_wanted`` is the maturity the asker needs (e.g. 7 = pilot-proven); ``budget`` is in 万元.
    """

    text: str
    lang: str = "zh"
    technology_field: str | None = None
    industry_codes: tuple[str, ...] = ()
    ipc_subclasses: tuple[str, ...] = ()
    province: str | None = None
    trl_wanted: int | None = None
    budget: float | None = None
    exclude_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MatchReasons:
    """Why a document was proposed, as data (the pages render it, the API returns it).

    Every signal is None when it was not computed (e.g. no dense model ready, no wish stated);
    fits are in [0, 1] where 1 is a perfect fit.
    """

    matched_terms: tuple[str, ...] = ()
    lexical_score: float | None = None
    semantic_similarity: float | None = None
    shared_codes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    region: str | None = None
    region_affinity: float | None = None
    maturity_fit: float | None = None
    budget_fit: float | None = None
    freshness: float | None = None
    components: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (tuples become lists, floats are rounded for display)."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(float(x), 4)

        return {
            "matched_terms": list(self.matched_terms),
            "lexical_score": r(self.lexical_score),
            "semantic_similarity": r(self.semantic_similarity),
            "shared_codes": {k: list(v) for k, v in self.shared_codes.items()},
            "region": self.region,
            "region_affinity": r(self.region_affinity),
            "maturity_fit": r(self.maturity_fit),
            "budget_fit": r(self.budget_fit),
            "freshness": r(self.freshness),
            "components": {k: round(float(v), 4) for k, v in self.components.items()},
        }


@dataclass(frozen=True)
class MatchResult:
    """One ranked candidate."""

    doc_id: str
    score: float
    reasons: MatchReasons
    method: str = "hybrid"

    def as_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "score": round(self.score, 4), "method": self.method,
                "reasons": self.reasons.as_dict()}


@dataclass(frozen=True)
class FieldSuggestion:
    """A suggested code (technology field, IPC subclass, discipline) with its confidence in [0, 1]."""

    code: str
    score: float
