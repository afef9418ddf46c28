"""Slot-aligned vector tables and the JSON form of documents saved beside an index."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from techbridge.matching._types import MatchDocument

FloatArray = npt.NDArray[np.float32]


class VectorTable:
    """Slot-aligned vectors of one encoder (exact cosine search; zero rows where not yet encoded)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.matrix = np.zeros((0, dim), dtype=np.float32)
        self.has = np.zeros(0, dtype=bool)
        self.keys: list[str] = []  # content hash the row was encoded from

    def ensure(self, n: int) -> None:
        if n > len(self.has):
            grow = max(n, int(len(self.has) * 1.5) + 16)
            self.matrix = np.concatenate([self.matrix, np.zeros((grow - len(self.has), self.dim), np.float32)])
            self.has = np.concatenate([self.has, np.zeros(grow - len(self.has), bool)])
            self.keys.extend([""] * (grow - len(self.keys)))

    def set(self, slot: int, vec: FloatArray, key: str) -> None:
        self.ensure(slot + 1)
        self.matrix[slot] = vec
        self.has[slot] = True
        self.keys[slot] = key

    def clear(self, slot: int) -> None:
        if slot < len(self.has):
            self.has[slot] = False
            self.matrix[slot] = 0.0
            self.keys[slot] = ""


def document_to_json(d: MatchDocument | None) -> dict[str, Any] | None:
    if d is None:
        return None
    data = asdict(d)
    data["updated_at"] = d.updated_at.isoformat() if d.updated_at else None
    return data


def document_from_json(data: dict[str, Any] | None) -> MatchDocument | None:
    if data is None:
        return None
    for key in ("industry_codes", "ipc_subclasses", "keywords"):
        data[key] = tuple(data.get(key) or ())
    if data.get("updated_at"):
        data["updated_at"] = date.fromisoformat(data["updated_at"])
    return MatchDocument(**data)
