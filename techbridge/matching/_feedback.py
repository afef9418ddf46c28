"""Learning fusion weights from accept/reject feedback.

Each stored decision gives one example: the per-component z-scores the engine reported for that
(query, document) pair (``MatchReasons.components``) and the label (accept = 1, reject = 0).
A pairwise logistic regression (accepted vs rejected results of the same query), shrunk towards
the current weights (L2 on the difference), finds weights that order accepted above rejected. Why shrink to the prior:
feedback is scarce and biased towards what was shown; with few examples the weights must stay
near the measured defaults, and move only as evidence accumulates. The service should accept
the new weights only if they do not lower MRR on a held-out part of the feedback
(``evaluate_weights``), which is what the benchmark reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FeedbackExample:
    """One judged pair: the component z-scores shown for it and whether it was accepted."""

    query_id: str
    components: Mapping[str, float]
    accepted: bool


def learn_weights(examples: Sequence[FeedbackExample], prior: Mapping[str, float], *, l2: float = 1.0,
                  steps: int = 500, lr: float = 0.1, floor: float = 0.0) -> dict[str, float]:
    """Pairwise logistic regression (RankNet-style) shrunk towards ``prior``; weights stay ≥ ``floor``.

    Within each query, every (accepted, rejected) pair gives x = z_accepted − z_rejected, which the
    weights should score above 0. Pairs, not single decisions, because the shown results are all
    high on every component: only their differences say which component told right from wrong.
    """
    names = sorted(prior)
    w0 = np.array([prior[n] for n in names], dtype=np.float64)
    by_query: dict[str, tuple[list[list[float]], list[list[float]]]] = {}
    for ex in examples:
        acc, rej = by_query.setdefault(ex.query_id, ([], []))
        (acc if ex.accepted else rej).append([ex.components.get(n, 0.0) for n in names])
    diffs = [np.array(a) - np.array(r) for acc, rej in by_query.values() for a in acc for r in rej]
    if not diffs:
        return dict(prior)
    x = np.vstack([np.array(diffs), -np.array(diffs)])
    y = np.concatenate([np.ones(len(diffs)), np.zeros(len(diffs))])
    w = w0.copy()
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / n + 2 * l2 * (w - w0) / n
        w = np.maximum(w - lr * grad, floor)
    return {name: round(float(v), 4) for name, v in zip(names, w, strict=True)}


def rank_of(candidates: Mapping[str, Mapping[str, float]], relevant: str, weights: Mapping[str, float]) -> int | None:
    """1-based rank of ``relevant`` among candidates scored by Σ w·z (None when absent)."""
    if relevant not in candidates:
        return None
    scored = sorted(candidates, key=lambda d: (-sum(weights.get(c, 0.0) * z for c, z in candidates[d].items()), d))
    return scored.index(relevant) + 1


def evaluate_weights(per_query: Mapping[str, tuple[Mapping[str, Mapping[str, float]], str]],
                     weights: Mapping[str, float], k: int = 10) -> float:
    """MRR@k of re-ranking each query's candidate set (doc → component z-scores) with ``weights``."""
    rr = []
    for cands, relevant in per_query.values():
        r = rank_of(cands, relevant, weights)
        rr.append(1.0 / r if r is not None and r <= k else 0.0)
    return float(np.mean(rr)) if rr else 0.0
