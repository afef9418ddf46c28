"""The quality harness on a tiny BEIR folder: metrics by hand, and the CLI command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.quality import evaluate, load_beir, metrics_for
from tests.matching.conftest import CORPUS


def write_beir(root: Path) -> Path:
    (root / "qrels").mkdir(parents=True)
    with (root / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for d in CORPUS:
            fh.write(json.dumps({"_id": d.id, "title": d.title, "text": d.text}, ensure_ascii=False) + "\n")
    queries = {"q1": "电池充电太慢", "q2": "粉煤灰做砖", "q3": "村里生活污水"}
    gold = {"q1": "battery", "q2": "flyash", "q3": "wastewater"}
    with (root / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for qid, text in queries.items():
            fh.write(json.dumps({"_id": qid, "text": text, "lang": "zh"}, ensure_ascii=False) + "\n")
    (root / "qrels" / "dev.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t1\n" for q, d in gold.items()))
    return root


def test_metrics_by_hand() -> None:
    m = metrics_for(["x", "gold", "y"], {"gold": 1})
    assert m["mrr@10"] == 0.5 and m["recall@10"] == 1.0, "gold at rank 2: MRR 1/2, found in the top 10"
    assert abs(m["ndcg@10"] - 1 / 1.5849625) < 1e-6, "nDCG of one relevant at rank 2 is 1/log2(3)"
    assert metrics_for(["x"], {"gold": 1})["mrr@10"] == 0.0


def test_evaluate_bm25_on_tiny_set(tmp_path: Path) -> None:
    data = load_beir(write_beir(tmp_path / "beir"), "dev")
    results, info = evaluate(data, ["bm25"], encoders=[])
    assert results[0].metrics["mrr@10"] == 1.0, f"each tiny query shares words with its answer: {results[0]}"
    assert info["documents"] == len(CORPUS)


def test_cli_quality_command(tmp_path: Path) -> None:
    pytest.importorskip("techbridge.cli.bench")
    from typer.testing import CliRunner

    import techbridge.cli.bench_matching  # noqa: F401  (registers the commands)
    from techbridge.cli.bench import bench_app

    beir = write_beir(tmp_path / "beir")
    out = tmp_path / "q.json"
    result = CliRunner().invoke(bench_app, ["quality", "--dataset", str(beir), "--split", "dev", "--method", "bm25",
                                            "--json", str(out), "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert "bm25" in result.output and json.loads(out.read_text())["methods"]["bm25"]["mrr@10"] == 1.0
    bad = CliRunner().invoke(bench_app, ["quality", "--dataset", str(beir), "--method", "nonsense"])
    assert bad.exit_code != 0 and "unknown method" in bad.output
