"""Query text handling shared by list search: jieba segmentation of what a user typed."""

from __future__ import annotations

import functools
import logging
import re

_PUNCT = re.compile(r"[\s,，。.;；:：!！?？、（）()\[\]【】\"'“”‘’]+")
_STOP_WORDS = "的 了 和 与 及 或 在 是 我 我们 一种 一个 方法 基于 研究 用于 进行 要 想 能"
_STOP = frozenset(_STOP_WORDS.split())


@functools.cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def search_terms(query: str, limit: int = 8) -> list[str]:
    """Split a search query into terms: user-separated words, and jieba words inside Chinese runs."""
    terms: list[str] = []
    for chunk in _PUNCT.split(query.strip()):
        if not chunk:
            continue
        if re.search(r"[\u4e00-\u9fff]", chunk) and len(chunk) > 4:
            words = [w for w in _jieba().lcut(chunk) if len(w.strip()) > 1]  # type: ignore[attr-defined]
        else:
            words = [chunk]
        for word in words:
            if word not in _STOP and word not in terms:
                terms.append(word)
    return terms[:limit]
