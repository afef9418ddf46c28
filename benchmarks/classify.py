"""Code-suggestion quality: discipline routing (FewCLUE CSLDCP) and patent title → IPC subclasses.

These drive the guided demand form's field and code suggestions. CSLDCP: train on the few-shot
train+dev files, test on test_public (top-1 / top-3 accuracy over 67 disciplines). IPC: the
lxingy3 set's own 5 folds, titles only, micro-F1 (that repository's TF-IDF+SVM scored 0.494 with
title AND abstract).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from techbridge.matching import make_encoders
from techbridge.matching._classify import CodeClassifier, micro_f1, topk_accuracy


def _csldcp(path: Path) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            texts.append(row["content"])
            labels.append(row["label"])
    return texts, labels


def csldcp_routing(directory: Path, encoders: Sequence[str], limit: int | None = None) -> dict[str, Any]:
    tr_t, tr_l = _csldcp(directory / "train_few_all.json")
    dv_t, dv_l = _csldcp(directory / "dev_few_all.json")
    te_t, te_l = _csldcp(directory / "test_public.json")
    if limit:
        te_t, te_l = te_t[:limit], te_l[:limit]
    t0 = time.perf_counter()
    clf = CodeClassifier(make_encoders(encoders)).fit(tr_t + dv_t, [[x] for x in tr_l + dv_l])
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sug = [clf.suggest(t, top=3) for t in te_t]
    spq = (time.perf_counter() - t0) / max(len(te_t), 1)
    return {"train": len(tr_t) + len(dv_t), "test": len(te_t), "classes": len(set(tr_l + dv_l)),
            "top1": round(topk_accuracy(sug, te_l, 1), 4), "top3": round(topk_accuracy(sug, te_l, 3), 4),
            "fit_s": round(fit_s, 1), "seconds_per_text": round(spq, 4), "encoders": list(encoders)}


def patent_ipc(path: Path, encoders: Sequence[str], folds: Sequence[int] = (1, 2, 3, 4, 5),
               say: Callable[[str], None] | None = None) -> dict[str, Any]:
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    per_fold = {}
    all_pred: list[list[str]] = []
    all_true: list[list[str]] = []
    for fold in folds:
        train = [r for r in rows if int(r["fold"]) != fold]
        test = [r for r in rows if int(r["fold"]) == fold]
        clf = CodeClassifier(make_encoders(encoders)).fit(
            [r["patent_title"] for r in train], [r["true_subclasses_benchmark"].split("|") for r in train])
        pred = [clf.predict(r["patent_title"]) for r in test]
        truth = [r["true_subclasses_benchmark"].split("|") for r in test]
        per_fold[fold] = round(micro_f1(pred, truth), 4)
        all_pred += pred
        all_true += truth
        if say:
            say(f"IPC fold {fold}: micro-F1 {per_fold[fold]}")
    return {"patents": len(rows), "folds": per_fold, "micro_f1": round(micro_f1(all_pred, all_true), 4),
            "input": "title only", "encoders": list(encoders)}
