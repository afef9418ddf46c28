"""Learning fusion weights from accept/reject feedback.

Each stored decision gives one example: the per-component z-scores the engine reported for that
(query, document) pair (``MatchReasons.components``) and the label (accept = 1, reject = 0).
A logistic regression without intercept, shrunk towards the current weights (L2 on the
difference), finds weights that separate accepted from rejected pairs. Why shrink to the prior:
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
    """Weights maximising log-likelihood of the decisions minus l2 · ||w - prior||² (weights ≥ floor)."""
    names = sorted(prior)
    if not examples:
        return dict(prior)
    x = np.array([[ex.components.get(n, 0.0) for n in names] for ex in examples], dtype=np.float64)
    y = np.array([1.0 if ex.accepted else 0.0 for ex in examples])
    w0 = np.array([prior[n] for n in names], dtype=np.float64)
    w = w0.copy()
    n = len(y)
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) / n + 2 * l2 * (w - w0) / n
        w -= lr * grad
        w = np.maximum(w, floor)
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
