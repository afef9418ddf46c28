"""Does learning fusion weights from accept/reject feedback help on queries it has not seen?

Simulation on a BEIR set: for every query the engine shows its top ``shown`` results; the user
accepts the relevant ones among them and rejects the others. Weights are learned from the
feedback of the even-numbered queries (sorted ids) and evaluated, as a re-ranking of each query's
hybrid candidates, on the odd-numbered ones (held out), against the default weights.

Usage: python -m benchmarks.feedback --dataset DIR --split NAME [--encoders static] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from benchmarks.quality import load_beir
from techbridge.matching import (
    EmbeddingCache,
    FeedbackExample,
    IndexConfig,
    MatchIndex,
    MatchQuery,
    evaluate_weights,
    learn_weights,
    make_encoders,
)


def run(dataset: Path, split: str, encoders: list[str], cache: Path | None, shown: int = 10) -> dict[str, Any]:
    data = load_beir(dataset, split)
    config = IndexConfig()
    index = MatchIndex(config, make_encoders(encoders), EmbeddingCache(cache), eager=())
    index.build(data.corpus)
    index.index_pending()
    per_query: dict[str, tuple[dict[str, dict[str, float]], str]] = {}
    train: list[FeedbackExample] = []
    qids = sorted(data.queries)
    for n, qid in enumerate(qids):
        text, lang = data.queries[qid]
        hits = index.search(MatchQuery(text=text, lang=lang), k=100)
        relevant = {d for d, g in data.qrels[qid].items() if g > 0}
        cands = {h.doc_id: dict(h.reasons.components) for h in hits}
        gold = next((h.doc_id for h in hits if h.doc_id in relevant), "")
        if n % 2 == 0:
            train += [FeedbackExample(qid, h.reasons.components, h.doc_id in relevant) for h in hits[:shown]]
        else:
            per_query[qid] = (cands, gold)
    prior = {c: config.weights.get(c, 1.0) for c in ["bm25", *encoders]}
    learned = learn_weights(train, prior)
    return {"dataset": str(dataset), "split": split, "train_examples": len(train),
            "held_out_queries": len(per_query), "prior": prior, "learned": learned,
            "held_out_mrr@10_prior": round(evaluate_weights(per_query, prior), 4),
            "held_out_mrr@10_learned": round(evaluate_weights(per_query, learned), 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--encoders", default="static")
    ap.add_argument("--cache", type=Path, default=Path("var/bench-cache"))
    args = ap.parse_args()
    print(json.dumps(run(args.dataset, args.split, [e for e in args.encoders.split(",") if e], args.cache),
                     indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
