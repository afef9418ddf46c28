"""BM25 scores checked against a hand-computed formula and against bm25s (the reference implementation)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from techbridge.matching import BM25Index, BM25Params, analyze

DOCS = [["a", "b", "c"], ["a", "a", "d"], ["e", "b"], ["c", "c", "c", "f"]]


def hand_bm25(query: list[str], docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> list[float]:
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = []
    for d in docs:
        s = 0.0
        for t in set(query):
            df = sum(t in x for x in docs)
            if df == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = d.count(t)
            s += idf * tf / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


@pytest.mark.parametrize("query", [["a"], ["a", "b"], ["c", "f", "zzz"], ["b", "b", "e"]])
def test_bm25_matches_hand_formula(query: list[str]) -> None:
    idx = BM25Index()
    idx.build(range(len(DOCS)), DOCS)
    got = idx.score(query, len(DOCS))
    want = hand_bm25(query, DOCS)
    assert np.allclose(got, want, atol=1e-5), f"query {query}: engine {got.tolist()} != formula {want}"


def test_bm25_matches_bm25s_reference() -> None:
    bm25s = pytest.importorskip("bm25s")
    texts = ["锂离子电池快速充电方法", "粉煤灰制备免烧砖", "电池组均衡管理与充电策略",
             "农村生活污水处理装置", "图像去雾算法"]
    tokens = [analyze(t) for t in texts]
    ref = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ref.index(tokens, show_progress=False)
    idx = BM25Index(BM25Params(k1=1.2, b=0.75))
    idx.build(range(len(texts)), tokens)
    for q in ["电池充电", "免烧砖 粉煤灰", "污水"]:
        q_tokens = list(dict.fromkeys(t for t in analyze(q) if t in idx.vocab))
        want = ref.get_scores(q_tokens)
        got = idx.score(q_tokens, len(texts))
        assert np.allclose(got, want, atol=1e-4), f"{q!r}: engine {got.tolist()} != bm25s {want.tolist()}"


def test_incremental_adds_equal_bulk_build_and_deletes_fix_df() -> None:
    bulk = BM25Index()
    bulk.build(range(3), DOCS[:3])
    inc = BM25Index(BM25Params(merge_every=2))
    for slot, d in enumerate(DOCS):
        inc.add(slot, d)
    inc.remove(3, DOCS[3])
    assert np.allclose(inc.score(["a", "b", "c"], 3), bulk.score(["a", "b", "c"], 3), atol=1e-6), (
        "adding four documents one by one and deleting the last must score like a bulk build of the first three")
    assert inc.score(["f"], 4)[3] == 0.0, "a deleted document must not score"


def test_precomputed_impacts_follow_a_changing_average_length() -> None:
    idx = BM25Index(BM25Params(merge_every=1000))  # adds stay in the delta segment
    idx.build(range(2), DOCS[:2])
    idx.score(["a"], 2)  # impacts computed for the first avgdl
    docs = [*DOCS[:2], ["a"] * 30, ["b", "a"]]
    idx.add(2, docs[2])  # avgdl triples: the main segment's impacts must be recomputed
    idx.add(3, docs[3])
    got = idx.score(["a", "b"], 4)
    assert np.allclose(got, hand_bm25(["a", "b"], docs), atol=1e-5), (
        f"after adds that move avgdl, scores {got.tolist()} must equal the formula over all four documents")
    idx.merge()
    assert np.allclose(idx.score(["a", "b"], 4), got, atol=1e-6), "merging must not change scores"
