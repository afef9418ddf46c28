"""Learning the fusion weights from the platform's own accept/reject feedback, checked on held-out demands.

Why here and not in the engine: the engine (techbridge.matching) only knows how to fit weights to judged
(query, document) pairs; which demands were judged, which half is held out, whether the new weights are
good enough to use and where they are kept is the service's business.

The procedure, each time it runs (at server start once the index is filled, after every
``RELEARN_EVERY`` new decisions, and on demand from ``techbridge match-learn`` or the API):

1. every judged demand becomes its query; the component z-scores of its judged technologies and of its
   current top 100 are read from the index;
2. demands with an even id train, odd ones are held out; weights are fitted on the training pairs
   (pairwise logistic regression shrunk to the measured defaults, ``learn_weights``);
3. the new weights are kept only if they rank the held-out demands' accepted technologies at least as
   well (MRR@10) as the defaults; then they are refitted on all pairs and applied at once (no rebuild);
4. the result, with its evidence, is written to ``learned_weights.json`` beside the index, so a restart
   uses it without relearning. Queries in the catalogue's language and cross-lingual queries keep
   separate weights, each learned from its own demands.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from techbridge.matching import FeedbackExample, IndexConfig, MatchIndex, MatchQuery, evaluate_weights, learn_weights
from techbridge.matching._tokenize import text_language
from techbridge.storage.tables.catalog import DemandRow
from techbridge.storage.tables.matching import MatchFeedbackRow

if TYPE_CHECKING:
    from techbridge.services.matching import MatchingService

log = logging.getLogger("techbridge.matching")
WEIGHTS_FILE = "learned_weights.json"
MIN_TRAIN_DEMANDS = 3   # judged demands with an accept and a reject, needed to fit anything
MIN_HELD_OUT = 2        # held-out demands with an accept, needed to trust the comparison
RELEARN_EVERY = 20      # new decisions between automatic relearning runs
CANDIDATES = 100


@dataclass
class DirectionReport:
    """What one learning run found for one query direction (monolingual or cross-lingual)."""

    direction: str
    judged_demands: int
    train_pairs: int
    held_out_demands: int
    prior: dict[str, float]
    learned: dict[str, float] | None = None
    held_out_mrr_prior: float | None = None
    held_out_mrr_learned: float | None = None
    applied: bool = False
    why: str = ""


@dataclass
class LearningReport:
    learned_at: str
    feedback_rows: int
    directions: list[DirectionReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _component_z(index: MatchIndex, query: MatchQuery, doc_ids: Sequence[str], encoders: Sequence[str]
                 ) -> dict[str, dict[str, float]]:
    """Global z-score of every component for the given documents (the scale the fusion weights act on)."""
    names = ["bm25", *[n for n in index.tables if n in encoders]]
    scores, masks = index.component_scores(query, names)
    out: dict[str, dict[str, float]] = {}
    slots = {d: index.slot_of[d] for d in doc_ids if d in index.slot_of}
    for name, s in scores.items():
        vals = s[masks[name]].astype(np.float64)
        if not len(vals):
            continue
        mean, std = float(vals.mean()), float(vals.std()) or 1.0
        for doc_id, slot in slots.items():
            if masks[name][slot]:
                out.setdefault(doc_id, {})[name] = (float(s[slot]) - mean) / std
    return out


@dataclass
class _Judged:
    demand_id: int
    cross_lingual: bool
    components: dict[str, dict[str, float]]  # technology id → component → z (judged ∪ current top 100)
    accepted: list[str]
    rejected: list[str]


def _judged_demands(service: MatchingService, index: MatchIndex, encoders: Sequence[str]) -> tuple[list[_Judged], int]:
    from techbridge.services.matching import demand_query

    with service.db.read() as session:
        rows = session.execute(select(MatchFeedbackRow.demand_id, MatchFeedbackRow.technology_id,
                                      MatchFeedbackRow.decision)).all()
        decisions: dict[int, dict[str, str]] = {}
        for demand_id, technology_id, decision in rows:
            decisions.setdefault(int(demand_id), {})[str(technology_id)] = str(decision)
        demands = {d.id: demand_query(d) for d in session.scalars(
            select(DemandRow).where(DemandRow.id.in_(list(decisions)))).all()}
    corpus_language = index.corpus_language()
    judged = []
    for demand_id, verdicts in sorted(decisions.items()):
        query = demands.get(demand_id)
        if query is None:
            continue
        # The top 100 carry their component z-scores as reasons; only judged technologies outside them are scored.
        components = {h.doc_id: dict(h.reasons.components)
                      for h in index.search(query, k=CANDIDATES, encoders=encoders)}
        outside = [t for t in verdicts if t not in components]
        if outside:
            components.update(_component_z(index, query, outside, encoders))
        judged.append(_Judged(
            demand_id, text_language(query.text) != corpus_language, components,
            [t for t, v in verdicts.items() if v == "accept"], [t for t, v in verdicts.items() if v == "reject"]))
    return judged, len(rows)


def _examples(items: Sequence[_Judged]) -> list[FeedbackExample]:
    out = []
    for j in items:
        for doc_id in j.accepted + j.rejected:
            if doc_id in j.components:
                out.append(FeedbackExample(str(j.demand_id), j.components[doc_id], doc_id in j.accepted))
    return out


def _held_out(items: Sequence[_Judged]) -> dict[str, tuple[Mapping[str, Mapping[str, float]], str]]:
    """Per held-out demand: its candidates (rejected ones included: they are the evidence) and the first
    accepted technology, whose rank the weights are judged by."""
    out: dict[str, tuple[Mapping[str, Mapping[str, float]], str]] = {}
    for j in items:
        gold = next((a for a in j.accepted if a in j.components), None)
        if gold is not None:
            out[str(j.demand_id)] = (j.components, gold)
    return out


def _learn_direction(direction: str, items: Sequence[_Judged], prior: dict[str, float]) -> DirectionReport:
    train = [j for j in items if j.demand_id % 2 == 0]
    held = _held_out([j for j in items if j.demand_id % 2 == 1])
    train_examples = _examples(train)
    pairs = sum(len([a for a in j.accepted if a in j.components]) * len([r for r in j.rejected if r in j.components])
                for j in train)
    report = DirectionReport(direction, len(items), pairs, len(held), dict(prior))
    usable = [j for j in train if j.accepted and j.rejected]
    if len(usable) < MIN_TRAIN_DEMANDS or len(held) < MIN_HELD_OUT:
        report.why = (f"not enough feedback yet: {len(usable)} training demand(s) with both an accept and a reject "
                      f"(need {MIN_TRAIN_DEMANDS}) and {len(held)} held-out demand(s) with an accept "
                      f"(need {MIN_HELD_OUT})")
        return report
    fitted = learn_weights(train_examples, prior)
    report.held_out_mrr_prior = round(evaluate_weights(held, prior), 4)
    report.held_out_mrr_learned = round(evaluate_weights(held, fitted), 4)
    if report.held_out_mrr_learned < report.held_out_mrr_prior:
        report.learned = fitted
        report.why = "the learned weights ranked the held-out demands worse; the defaults stay"
        return report
    report.learned = learn_weights(_examples(items), prior)
    report.applied = True
    report.why = "held-out MRR@10 did not drop; weights refitted on all feedback and applied"
    return report


def learn(service: MatchingService) -> LearningReport:
    """Fit, check and apply fusion weights from all stored feedback; returns the evidence."""
    index = service.index()
    encoders = service.ready_encoders()
    judged, n_rows = _judged_demands(service, index, encoders)
    defaults = IndexConfig()
    report = LearningReport(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), n_rows)
    config = index.config
    for direction, cross in (("monolingual", False), ("cross_lingual", True)):
        base = defaults.weights_for(cross)
        prior = {c: base.get(c, 1.0) for c in ["bm25", *encoders]}
        result = _learn_direction(direction, [j for j in judged if j.cross_lingual == cross], prior)
        report.directions.append(result)
        if result.applied and result.learned is not None:
            merged = {**base, **result.learned}
            config = replace(config, cross_lingual_weights=merged) if cross else replace(config, weights=merged)
    service.apply_config(config)
    if service.index_dir is not None:
        save_report(service.index_dir, report, config)
    log.info("feedback learning: %s", json.dumps(report.as_dict(), ensure_ascii=False))
    return report


def save_report(index_dir: Path, report: LearningReport, config: IndexConfig) -> None:
    """Keep the applied weights and their evidence beside the index (written atomically)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    payload = {"report": report.as_dict(), "weights": config.weights,
               "cross_lingual_weights": config.cross_lingual_weights}
    tmp = index_dir / (WEIGHTS_FILE + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(index_dir / WEIGHTS_FILE)


def load_weights(index_dir: Path | None, config: IndexConfig) -> tuple[IndexConfig, dict[str, Any] | None]:
    """The config with previously learned weights applied, and their report (None when there are none)."""
    if index_dir is None or not (index_dir / WEIGHTS_FILE).exists():
        return config, None
    try:
        payload = json.loads((index_dir / WEIGHTS_FILE).read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in payload["weights"].items()}
        cross = {str(k): float(v) for k, v in payload["cross_lingual_weights"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring unreadable %s: %s", WEIGHTS_FILE, exc)
        return config, None
    return replace(config, weights=weights, cross_lingual_weights=cross), payload.get("report")
