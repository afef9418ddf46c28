"""A first lexical matcher (jieba BM25) that serves until the full engine in techbridge.matching lands.

Okapi BM25 with k1=1.5, b=0.75 and the Lucene idf log(1 + (N - df + 0.5) / (df + 0.5)).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from techbridge.services.text import search_terms


def tokenize(text: str) -> list[str]:
    return search_terms(text, limit=10_000)


@dataclass(frozen=True)
class LexicalHit:
    doc_id: int
    score: float
    matched_terms: tuple[str, ...]


class LexicalIndex:
    """An in-memory inverted index scored with BM25."""

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, dict[int, int]] = {}
        self.lengths: dict[int, int] = {}

    def add(self, doc_id: int, text: str) -> None:
        self.remove(doc_id)
        counts = Counter(tokenize(text))
        self.lengths[doc_id] = sum(counts.values())
        for term, tf in counts.items():
            self.postings.setdefault(term, {})[doc_id] = tf

    def add_many(self, docs: Iterable[tuple[int, str]]) -> None:
        for doc_id, text in docs:
            self.add(doc_id, text)

    def remove(self, doc_id: int) -> None:
        if self.lengths.pop(doc_id, None) is None:
            return
        for term in list(self.postings):
            posting = self.postings[term]
            if posting.pop(doc_id, None) is not None and not posting:
                del self.postings[term]

    def search(self, text: str, top: int = 10, exclude: set[int] | None = None) -> list[LexicalHit]:
        n = len(self.lengths)
        if n == 0:
            return []
        avg = sum(self.lengths.values()) / n
        scores: dict[int, float] = {}
        matched: dict[int, list[str]] = {}
        for term in dict.fromkeys(tokenize(text)):
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for doc_id, tf in posting.items():
                norm = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * self.lengths[doc_id] / avg))
                scores[doc_id] = scores.get(doc_id, 0.0) + idf * norm
                matched.setdefault(doc_id, []).append(term)
        excluded = exclude or set()
        ranked = sorted((d for d in scores if d not in excluded), key=lambda d: (-scores[d], d))[:top]
        return [LexicalHit(d, scores[d], tuple(matched[d])) for d in ranked]
