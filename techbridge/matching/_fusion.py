"""Score fusion: put each component on one scale, then take a weighted sum.

Why z-scores over the whole corpus: BM25 scores are unbounded and skewed, cosine similarities
of different encoders live in different narrow bands; standardising each against its own
distribution over all live documents makes "two standard deviations above the crowd" comparable
across components. On the SME dev set plain RRF did not beat the best single encoder; the z-score
sum did (see docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


def zscore(scores: FloatArray, mask: BoolArray) -> FloatArray:
    """(s - mean) / std over the masked documents; unmasked entries become 0 (the neutral score)."""
    out = np.zeros_like(scores, dtype=np.float32)
    if not mask.any():
        return out
    vals = scores[mask].astype(np.float64)
    mean = float(vals.mean())
    std = float(vals.std())
    if std < 1e-12:
        return out
    out[mask] = ((vals - mean) / std).astype(np.float32)
    return out


def weighted_zsum(components: Mapping[str, FloatArray], masks: Mapping[str, BoolArray],
                  weights: Mapping[str, float]) -> FloatArray:
    """Σ_c w_c · z_c(d): the fused score; a document without component c gets z_c = 0."""
    total: FloatArray | None = None
    for name, scores in components.items():
        w = float(weights.get(name, 0.0))
        if w == 0.0:
            continue
        z = zscore(scores, masks[name]) * w
        total = z if total is None else total + z
    if total is None:
        first = next(iter(components.values()))
        return np.zeros_like(first, dtype=np.float32)
    return total


def rrf(rankings: Mapping[str, FloatArray], k: float = 60.0) -> FloatArray:
    """Reciprocal rank fusion Σ 1 / (k + rank_c(d)); kept as a baseline for the benchmark."""
    total: FloatArray | None = None
    for scores in rankings.values():
        order = np.argsort(-scores, kind="stable")
        ranks = np.empty_like(order)
        ranks[order] = np.arange(1, len(order) + 1)
        part = (1.0 / (k + ranks)).astype(np.float32)
        total = part if total is None else total + part
    assert total is not None
    return total


def top_k(scores: FloatArray, k: int, mask: BoolArray | None = None) -> npt.NDArray[np.int64]:
    """Indices of the k best scores (descending, ties by index), optionally among masked entries."""
    s = scores if mask is None else np.where(mask, scores, -np.inf)
    k = min(k, int(np.isfinite(s).sum()) if mask is not None else len(s))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-s, k - 1)[:k]
    order = np.lexsort((part, -s[part]))
    out: npt.NDArray[np.int64] = part[order].astype(np.int64)
    return out
