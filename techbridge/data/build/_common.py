"""Shared helpers for the data build scripts: paths, hashing, CSV/JSONL writers.

Standard library only. Every generated value that is not a fact comes from
``seeded_int`` so that a rebuild reproduces the shipped files byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

DATA_DIR: Path = Path(__file__).resolve().parents[1]
CODES_DIR: Path = DATA_DIR / "codes"
DEMO_DIR: Path = DATA_DIR / "demo"
STATS_DIR: Path = DATA_DIR / "stats"
LICENSES_DIR: Path = DATA_DIR / "licenses"

SEED = "techbridge-demo-v1"


def parse_args(description: str) -> argparse.Namespace:
    """Parse the common ``--shared`` option (folder holding the shared source data)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--shared",
        type=Path,
        default=Path("/work/shared/data"),
        help="folder with the shared source data (taxonomies/, benchmarks/, stats/, licenses/)",
    )
    return parser.parse_args()


def seeded_int(*parts: object) -> int:
    """A stable non-negative integer from the SHA-256 of the seed and ``parts``."""
    text = ":".join([SEED, *(str(p) for p in parts)])
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def seeded_choice(options: Sequence[Any], *parts: object) -> Any:
    """Pick one of ``options`` deterministically."""
    return options[seeded_int(*parts) % len(options)]


def seeded_weighted(options: Sequence[tuple[Any, int]], *parts: object) -> Any:
    """Pick one of ``(value, weight)`` pairs deterministically, proportionally to weight."""
    total = sum(w for _, w in options)
    point = seeded_int(*parts) % total
    for value, weight in options:
        if point < weight:
            return value
        point -= weight
    raise AssertionError("unreachable")


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a UTF-8 CSV (a BOM, if present, is dropped) into dicts."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write_csv(path: Path, fieldnames: Sequence[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write rows as UTF-8 CSV (no BOM, ``\\n`` line ends); return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(fieldnames), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
            count += 1
    print(f"wrote {path.relative_to(DATA_DIR)}: {count} rows")
    return count


def write_jsonl(path: Path, rows: Iterable[Mapping[str, object]]) -> int:
    """Write rows as UTF-8 JSON lines with non-ASCII kept; return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    print(f"wrote {path.relative_to(DATA_DIR)}: {count} rows")
    return count
