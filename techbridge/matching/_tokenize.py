"""Tokenisation for lexical matching: jieba words plus CJK character bigrams, English words.

Why both: jieba finds words (good precision, readable "matched terms"), bigrams catch what the
dictionary splits differently (粉煤灰 vs 煤灰) and unknown jargon. Bigrams carry a ``#`` prefix so
a two-character word and the same bigram are counted as two different signals, not doubled.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9\-\+\.]*[a-z0-9\+]|[a-z]")
_IS_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Function words that carry no topic (kept short on purpose: BM25's idf handles the rest).
_ZH_STOPWORDS_TEXT = (
        "的 了 和 与 及 或 是 在 对 把 被 从 向 以 为 于 而 并 且 也 都 就 又 很 更 "
        "最 还 等 这 那 其 之 该 本 各 每 我们 你们 他们 我 你 他 她 它 一个 一种 一些 "
        "这个 那个 这种 这些 那些 可以 能够 通过 进行 以及 如果 因为 所以 但是 然而 同时 其中 "
        "目前 已经 没有 不是 什么 怎么 如何 希望 需要 想要 我们的 现在 问题 方法 研究 提出 "
        "采用 基于 结果 表明 本文 分析 利用 使用 实现 具有 得到 "
)
ZH_STOPWORDS = frozenset(_ZH_STOPWORDS_TEXT.split())
_EN_STOPWORDS_TEXT = (
        "a an the and or but if of to in on at by for with from as is are was were be been being it its "
        "this that these those we our you your they their i me my he she his her them us do does did done "
        "have has had not no so than then too very can could would should will shall may might must about "
        "into over under out up down off more most such any all some each other which who whom what when "
        "where why how also just only own same both few many much per via "
)
EN_STOPWORDS = frozenset(_EN_STOPWORDS_TEXT.split())

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> Any:
    """Import jieba lazily and silence its start-up log (no import-time side effects)."""
    global _jieba_ready
    import jieba  # heavy: ~1 s to load the dictionary on first use

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def cjk_bigrams(text: str) -> Iterator[str]:
    """Overlapping character bigrams of each CJK run (a one-character run yields the character)."""
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            yield "#" + run
        else:
            for i in range(len(run) - 1):
                yield "#" + run[i : i + 2]


def latin_words(text: str) -> list[str]:
    """Lower-cased ASCII words and numbers, stopwords removed, crude plural folding (tests → test)."""
    out = []
    for w in _LATIN.findall(text.lower()):
        if w in EN_STOPWORDS:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(w)
    return out


@lru_cache(maxsize=200_000)
def _segment_run(run: str) -> tuple[str, ...]:
    return tuple(_jieba().lcut(run, HMM=True))


def jieba_words(text: str) -> list[str]:
    """jieba words of two or more CJK characters, stopwords removed (the readable terms)."""
    words: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) < 2:
            continue
        for w in _segment_run(run) if len(run) <= 64 else _jieba().lcut(run, HMM=True):
            if len(w) >= 2 and w not in ZH_STOPWORDS:
                words.append(w)
    return words


def analyze(text: str) -> list[str]:
    """The BM25 token stream of a text: jieba words + ``#``-bigrams + Latin words."""
    return [*jieba_words(text), *cjk_bigrams(text), *latin_words(text)]


def display_terms(text: str) -> list[str]:
    """Terms a person can read (jieba words and Latin words), used to explain a match."""
    return [*jieba_words(text), *latin_words(text)]


def has_cjk(text: str) -> bool:
    return _IS_CJK.search(text) is not None


_LATIN_LETTER = re.compile(r"[A-Za-z]")


def text_language(text: str) -> str:
    """"zh" or "en" by script: Chinese when CJK characters make up at least a fifth of the letters.

    Why a script count and not a language model: the index only needs to know whether a query and the
    catalogue share a script (monolingual) or not (cross-lingual), to pick the fusion weights; a
    Chinese demand that quotes a few English terms ("PLC", "CAD") must still count as Chinese.
    """
    cjk = len(_IS_CJK.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if cjk == 0 and latin == 0:
        return "zh"
    return "zh" if cjk * 5 >= latin else "en"
