"""Encoders: the shipped static model loads offline and is cross-lingual; the cache keys on content + version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from techbridge.matching import EmbeddingCache, HashingEncoder, StaticEncoder
from techbridge.matching._encoders import STATIC_MODEL_PATH


@pytest.mark.skipif(not STATIC_MODEL_PATH.exists(), reason="static model not built")
def test_static_encoder_is_offline_fast_and_bridges_languages() -> None:
    enc = StaticEncoder()
    v = enc.encode(["锂电池充电", "lithium battery charging", "水稻育种", "rice breeding"], is_query=False)
    assert v.shape == (4, enc.dim) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    sim = v @ v.T
    assert sim[0, 1] > sim[0, 3] and sim[2, 3] > sim[2, 1], (
        f"an English text must be closer to its Chinese twin than to the other topic; similarities {sim.round(2)}")
    assert enc.encode(["zzzz qqqq"], is_query=True).shape == (1, enc.dim), "unknown words give a zero (safe) vector"


def test_cache_reuses_vectors_by_content_hash_and_model_version(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    enc = HashingEncoder(dim=16)
    a = cache.encode(enc, ["同一段文字", "另一段"], is_query=False)
    cache.save()
    reloaded = EmbeddingCache(tmp_path)
    assert reloaded.get(enc.version, "p:" + __import__("hashlib").sha1("同一段文字".encode()).hexdigest()) is not None
    b = reloaded.encode(enc, ["同一段文字"], is_query=False)
    assert np.allclose(a[0], b[0], atol=1e-3), "a cached vector must come back (float16 on disk)"
    other = HashingEncoder(dim=8)
    assert reloaded.encode(other, ["同一段文字"], is_query=False).shape == (1, 8), "another model version re-encodes"
