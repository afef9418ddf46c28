"""Match tables, golden rankings, incremental updates, persistence and readiness of MatchIndex."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from techbridge.matching import (
    BM25Params,
    EmbeddingCache,
    HashingEncoder,
    IndexConfig,
    IndexMismatch,
    MatchDocument,
    MatchIndex,
    MatchQuery,
)

SHOULD_MATCH = [
    # (case id, query, document that must be in the top 2, why)
    ("battery-charging", "电池充电太慢，想缩短充电时间", "battery", "shares 电池/充电"),
    ("fly-ash-bricks", "电厂粉煤灰堆积，能否做成砖", "flyash", "shares 粉煤灰/砖"),
    ("foggy-cameras", "雾天监控图像不清晰", "dehaze", "shares 雾天/监控/图像"),
    ("rural-sewage", "村里生活污水没法处理", "wastewater", "shares 生活污水"),
    ("english-pump", "cut electricity cost of our water pump stations", "pump", "English words shared"),
]
MUST_NOT_MATCH = [
    # (case id, query, document that must NOT be first, why)
    ("battery-not-sewage", "电池充电太慢", "wastewater", "nothing in common with sewage treatment"),
    ("rice-not-images", "水稻倒伏减产", "dehaze", "crop breeding is not image processing"),
]


def make_index(docs: Sequence[MatchDocument], cache: EmbeddingCache | None = None) -> MatchIndex:
    index = MatchIndex(IndexConfig(), [HashingEncoder()], cache or EmbeddingCache())
    index.build(docs)
    return index


@pytest.mark.parametrize(("case", "query", "doc_id", "why"), SHOULD_MATCH, ids=[c[0] for c in SHOULD_MATCH])
def test_should_match(corpus: list[MatchDocument], case: str, query: str, doc_id: str, why: str) -> None:
    hits = make_index(corpus).search(MatchQuery(text=query), k=2)
    got = [h.doc_id for h in hits]
    assert doc_id in got, f"[{case}] {query!r} should find {doc_id!r} in the top 2 ({why}); got {got}"


@pytest.mark.parametrize(("case", "query", "doc_id", "why"), MUST_NOT_MATCH, ids=[c[0] for c in MUST_NOT_MATCH])
def test_must_not_match(corpus: list[MatchDocument], case: str, query: str, doc_id: str, why: str) -> None:
    hits = make_index(corpus).search(MatchQuery(text=query), k=1)
    assert hits and hits[0].doc_id != doc_id, f"[{case}] {query!r} must not rank {doc_id!r} first ({why})"


def test_golden_ranking_bm25(corpus: list[MatchDocument]) -> None:
    hits = make_index(corpus).search(MatchQuery(text="电池组充电均衡 粉煤灰"), k=3, method="bm25")
    assert [h.doc_id for h in hits] == ["battery", "flyash"], (
        "BM25 golden ranking changed: only the two documents sharing terms may appear, battery (3 shared terms) first")


def test_reasons_are_data(corpus: list[MatchDocument]) -> None:
    q = MatchQuery(text="电池快速充电", technology_field="F06", province="31", trl_wanted=5, budget=100.0)
    top = make_index(corpus).search(q, k=1)[0]
    assert top.doc_id == "battery"
    r = top.reasons
    assert "电池" in r.matched_terms and "充电" in r.matched_terms, f"matched terms missing: {r.matched_terms}"
    assert r.shared_codes.get("technology_field") == ("F06",), f"shared field not reported: {r.shared_codes}"
    assert r.region == "长三角" and r.region_affinity == 0.6, "Shanghai wish vs Jiangsu listing is a bloc match"
    assert r.maturity_fit == 1.0 and r.budget_fit == 1.0, "TRL 6 ≥ 5 and price 80 ≤ budget 100"
    assert r.semantic_similarity is not None and r.lexical_score is not None
    assert set(top.as_dict()["reasons"]) >= {"matched_terms", "semantic_similarity", "shared_codes", "freshness"}


def test_structured_wishes_reorder_candidates(corpus: list[MatchDocument]) -> None:
    index = make_index(corpus)

    def gap(q: MatchQuery) -> float:
        scores = {h.doc_id: h.score for h in index.search(q, k=6)}
        return scores["flyash"] - scores["wastewater"]

    plain = gap(MatchQuery(text="处理 成本 降低"))
    wished = gap(MatchQuery(text="处理 成本 降低", province="33", trl_wanted=8))
    assert wished < plain - 0.1, (
        f"wishing for Zhejiang and TRL 8 must lift the Zhejiang TRL-8 listing over the Hebei TRL-7 one "
        f"(gap {plain:.3f} -> {wished:.3f})")


def test_incremental_add_update_delete(corpus: list[MatchDocument]) -> None:
    index = make_index(corpus)
    new = MatchDocument(id="hydrogel", text="温敏凝胶驱油剂，注入时粘度低，遇高温增稠，提高采收率。",
                        title="温敏驱油凝胶")
    index.add(new)
    top = index.search(MatchQuery(text="驱油剂 高温增稠"), k=1)[0]
    assert top.doc_id == "hydrogel", "a new listing is searchable at once"
    index.add(replace(new, text="全新的文本：土壤修复微生物菌剂", title="土壤修复"))
    assert index.search(MatchQuery(text="驱油剂 高温增稠"), k=1, method="bm25") == [], "an edit replaces the old text"
    assert index.remove("battery") is True
    hits = index.search(MatchQuery(text="电池充电"), k=10)
    assert "battery" not in [h.doc_id for h in hits], "a deleted listing disappears at once"
    assert index.remove("battery") is False


def test_feedback_exclusion(corpus: list[MatchDocument]) -> None:
    index = make_index(corpus)
    hits = index.search(MatchQuery(text="电池充电", exclude_ids=frozenset({"battery"})), k=10)
    assert "battery" not in [h.doc_id for h in hits], "a rejected pair never comes back for that demand"


def test_save_load_roundtrip_and_mismatch_rebuild(corpus: list[MatchDocument], tmp_path: Path) -> None:
    index = make_index(corpus, EmbeddingCache(tmp_path / "cache"))
    index.remove("seed")
    before = [(h.doc_id, round(h.score, 4)) for h in index.search(MatchQuery(text="粉煤灰 电池"), k=5)]
    index.save(tmp_path / "idx")
    live = [d for d in corpus if d.id != "seed"]
    loaded = MatchIndex.load(tmp_path / "idx", IndexConfig(), [HashingEncoder()], docs=live)
    after = [(h.doc_id, round(h.score, 4)) for h in loaded.search(MatchQuery(text="粉煤灰 电池"), k=5)]
    assert before == after, "a saved and reloaded index must rank exactly as before"
    assert loaded.status()["mode"] == "hybrid"

    with pytest.raises(IndexMismatch, match="encoder hashing"):
        MatchIndex.load(tmp_path / "idx", IndexConfig(), [HashingEncoder(dim=32)])
    with pytest.raises(IndexMismatch, match="parameters"):
        MatchIndex.load(tmp_path / "idx", IndexConfig(bm25=BM25Params(k1=0.9)), [HashingEncoder()])
    reweighted = IndexConfig(weights={"bm25": 1.0, "hashing": 0.1})
    assert len(MatchIndex.load(tmp_path / "idx", reweighted, [HashingEncoder()])) == len(live), (
        "new fusion weights (e.g. learned from feedback) must not force a rebuild")
    with pytest.raises(IndexMismatch, match="catalog changed"):
        MatchIndex.load(tmp_path / "idx", IndexConfig(), [HashingEncoder()], docs=corpus)
    rebuilt, why = MatchIndex.load_or_build(tmp_path / "idx", corpus, IndexConfig(), [HashingEncoder()])
    assert why.startswith("rebuilt") and len(rebuilt) == len(corpus), why
    _same, why = MatchIndex.load_or_build(tmp_path / "idx", live, IndexConfig(), [HashingEncoder()])
    assert why == "loaded", why


class CountingEncoder(HashingEncoder):
    name = "slow"

    def __init__(self) -> None:
        super().__init__(dim=32)
        self.calls = 0

    def encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        self.calls += len(texts)
        return super().encode(texts, is_query=is_query)


def test_background_dense_indexing_and_readiness(corpus: list[MatchDocument], tmp_path: Path) -> None:
    slow = CountingEncoder()
    cache = EmbeddingCache(tmp_path)
    index = MatchIndex(IndexConfig(weights={"bm25": 1.0, "slow": 1.0}), [slow], cache, eager=())
    index.build(corpus)
    assert index.status()["mode"] == "lexical-only", "before any dense vector the service must say lexical-only"
    assert index.search(MatchQuery(text="电池充电"), k=1)[0].doc_id == "battery", "lexical search serves meanwhile"
    index.index_pending(max_docs=2)
    assert index.status()["mode"] == "hybrid-partial"
    assert index.pending() == len(corpus) - 2
    index.index_pending()
    assert index.status()["mode"] == "hybrid" and index.pending() == 0
    cache.save()
    # a rebuild with the same cache encodes nothing again (content hash + model version)
    slow2 = CountingEncoder()
    again = MatchIndex(IndexConfig(weights={"bm25": 1.0, "slow": 1.0}), [slow2], EmbeddingCache(tmp_path), eager=())
    again.build(corpus)
    again.index_pending()
    assert slow2.calls == 0, f"cached vectors must be reused, but {slow2.calls} texts were re-encoded"


def test_learned_weights_move_towards_the_component_that_separates_feedback() -> None:
    from techbridge.matching import FeedbackExample, learn_weights

    # accepted pairs are high on "a", rejected ones high on "b": the learned weights must favour "a"
    examples = [FeedbackExample(f"q{i}", {"a": 2.0, "b": 1.0}, True) for i in range(20)]
    examples += [FeedbackExample(f"q{i}", {"a": 1.0, "b": 2.0}, False) for i in range(20)]
    w = learn_weights(examples, {"a": 0.5, "b": 0.5})
    assert w["a"] > 0.5 > w["b"], f"feedback says component a separates accepted from rejected, got {w}"
    assert learn_weights([], {"a": 0.5}) == {"a": 0.5}, "no feedback keeps the prior"


def test_ivf_ann_agrees_with_exact_search(corpus: list[MatchDocument]) -> None:
    exact = make_index(corpus)
    approx = MatchIndex(IndexConfig(ann_threshold=3, ann_lists=2, ann_nprobe=2), [HashingEncoder()], EmbeddingCache())
    approx.build(corpus)
    assert "hashing" in approx.ann, "a table past ann_threshold gets IVF cells"
    for text in ("电池充电", "雾天监控图像", "water pump electricity"):
        want = [h.doc_id for h in exact.search(MatchQuery(text=text), k=3)]
        got = [h.doc_id for h in approx.search(MatchQuery(text=text), k=3)]
        assert got == want, f"probing every cell must rank like the exact scan for {text!r}: {got} != {want}"
    approx.add(MatchDocument(id="new", text="锂电池快速充电均衡", title="充电"))
    assert "new" in [h.doc_id for h in approx.search(MatchQuery(text="锂电池快速充电"), k=3)], "new vectors join a cell"


def test_ivf_recall_on_clustered_vectors() -> None:
    from techbridge.matching._ann import IVFIndex

    rng = np.random.default_rng(1)
    centres = rng.standard_normal((20, 32))
    x = (centres[rng.integers(0, 20, 4000)] + 0.3 * rng.standard_normal((4000, 32))).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ivf = IVFIndex(n_lists=40, nprobe=8)
    ivf.train(x, np.arange(len(x)))
    hits = 0
    for q in x[:50]:
        true_top = set(np.argsort(-(x @ q))[:10].tolist())
        cand = ivf.candidates(q)
        found = set(cand[np.argsort(-(x[cand] @ q))[:10]].tolist())
        hits += len(true_top & found)
    assert hits / 500 >= 0.9, f"IVF recall@10 with 8 of 40 cells should be ≥ 0.9 on clustered data: {hits / 500:.2f}"


def test_queries_run_their_vector_products_on_one_blas_thread(corpus: list[MatchDocument]) -> None:
    from threadpoolctl import threadpool_info  # type: ignore[import-untyped]

    from techbridge.matching._blas import single_blas_thread

    def blas_threads() -> list[int]:
        return [int(i["num_threads"]) for i in threadpool_info() if i.get("user_api") == "blas"]

    before = blas_threads()
    with single_blas_thread():
        inside = blas_threads()
    assert all(n == 1 for n in inside), f"inside the query context BLAS must use one thread, got {inside}"
    assert blas_threads() == before, "the BLAS thread count must be restored after the query"
    make_index(corpus).search(MatchQuery(text="电池充电"), k=2)
    assert blas_threads() == before, "a search must leave the process's BLAS threads as it found them"
