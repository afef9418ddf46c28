"""Suggestions for the guided demand form: a need in plain words → a structured draft demand.

``Suggester`` is the interface the pages and API use; ``LexicalSuggester`` is the working implementation
until the full engine (techbridge.matching, with a text → field classifier and IPC suggestions) lands:

- technology field: the score-weighted field distribution of the top BM25 technology matches;
- industry code: the most common industry among those matches, else the first GB/T 4754 division the
  editorial table techbridge/data/codes/field_to_industry.csv maps the field to;
- keywords: jieba's TF-IDF keyword extraction (``jieba.analyse.extract_tags``);
- title: the first sentence that states a wish (希望/需要/想/寻求…, want/need/looking for…), else the first;
- wanted maturity and cooperation mode: cue words; none suggested when no cue is found.

Every suggestion carries its basis (a code: ``top_matches``, ``field_to_industry``, ``keywords``,
``wish_sentence`` or ``cue:<word>``) so the page can say why; the user confirms or edits everything.
"""

from __future__ import annotations

import csv
import functools
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Protocol

from techbridge.domain.enums import SolutionMode, Stage
from techbridge.errors import FieldError, ValidationFailed
from techbridge.services import catalog
from techbridge.services.matching import Match, MatchingService
from techbridge.storage.db import Database

MAX_TEXT = 5000
_SENTENCE = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)\s+")
_WISH = ("希望", "需要", "急需", "想要", "想", "寻求", "寻找", "求购", "如何", "怎么", "解决", "want", "need",
         "looking for", "seek", "how to", "how can")
_LEADING = re.compile(r"^(我们公司|我们|我司|本公司|公司|我厂|本厂|目前|现在|因此|所以)[，,、\s]*")
STAGE_CUES: tuple[tuple[Stage, tuple[str, ...]], ...] = (
    (Stage.MASS_PRODUCTION, ("量产", "批量", "规模化", "生产线", "直接用", "成熟", "mass production", "ready to use")),
    (Stage.PILOT_TESTED, ("中试", "试生产", "小批量", "pilot")),
    (Stage.SAMPLE, ("样品", "样机", "原型", "prototype", "sample")),
    (Stage.LAB_TESTED, ("小试", "实验室", "lab")),
    (Stage.RESEARCHING, ("研发", "探索", "前沿", "research")),
)
MODE_CUES: tuple[tuple[SolutionMode, tuple[str, ...]], ...] = (
    (SolutionMode.TECHNOLOGY_TRANSFER, ("转让", "买断", "购买专利", "买专利", "buy the patent", "acquire")),
    (SolutionMode.TECHNOLOGY_LICENSE, ("许可", "授权", "license", "licence")),
    (SolutionMode.JOINT_DEVELOPMENT, ("合作研发", "联合", "共同开发", "一起", "jointly", "co-develop")),
    (SolutionMode.COMMISSIONED_DEVELOPMENT, ("委托", "外包", "定制", "帮我们开发", "帮助开发", "commission")),
    (SolutionMode.TECHNICAL_SERVICE, ("咨询", "检测", "培训", "指导", "服务", "consult", "testing", "training")),
)


@dataclass(frozen=True)
class Suggestion:
    """A draft demand the user confirms or edits, with the first matches and the basis of each field."""

    title: str
    technology_field: str | None
    industry_code: str | None
    keywords: list[str]
    wanted_stage: str | None
    solution_mode: str | None
    matches: list[Match] = field(default_factory=list)
    basis: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "technology_field": self.technology_field, "industry_code": self.industry_code,
                "keywords": self.keywords, "wanted_stage": self.wanted_stage, "solution_mode": self.solution_mode,
                "basis": {name: explain_basis(code) for name, code in self.basis.items()}}


BASIS_TEXT = {
    "top_matches": "most common among the closest technologies (BM25)",
    "field_to_industry": "techbridge/data/codes/field_to_industry.csv mapping of the suggested field",
    "keywords": "jieba TF-IDF keywords of the text",
    "wish_sentence": "first sentence that states the wish",
}


def explain_basis(code: str) -> str:
    """English explanation of a basis code (the pages translate the codes through the locale file)."""
    if code.startswith("cue:"):
        return f"cue word “{code[4:]}”"
    return BASIS_TEXT.get(code, code)


class Suggester(Protocol):
    """What the guided form needs; the full matching engine can provide another implementation."""

    def suggest(self, text: str, *, top: int = 5) -> Suggestion: ...


@functools.cache
def field_to_industries() -> dict[str, list[str]]:
    text = resources.files("techbridge.data").joinpath("codes", "field_to_industry.csv").read_text(encoding="utf-8")
    mapping: dict[str, list[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        mapping.setdefault(row["technology_field"], []).append(row["industry_code"])
    return mapping


def extract_keywords(text: str, top: int = 5) -> list[str]:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    if re.search(r"[\u4e00-\u9fff]", text):
        words = [str(w) for w in jieba.analyse.extract_tags(text, topK=top * 2)]
    else:
        # no IDF table for English here: prefer repeated words, then words of the wish sentence, then long ones
        counts = Counter(w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{3,}", text))
        wish = suggest_title(text).lower()
        words = sorted((w for w in counts if w not in _EN_STOP), key=lambda w: (-counts[w], w not in wish, -len(w)))
    return [w for w in words if not w.isdigit()][:top]


_EN_STOP = frozenset({"this", "that", "with", "from", "have", "want", "need", "what", "when", "which", "would",
                      "could", "their", "there", "about", "they", "into", "more", "than", "been", "were", "will",
                      "your", "ours", "some", "also", "very"})


def suggest_title(text: str) -> str:
    sentences = [s.strip(" ，,。.!！?？；;\n\t") for s in _SENTENCE.split(text) if s.strip(" \n\t。.")]
    if not sentences:
        return ""
    lowered = [s.lower() for s in sentences]
    chosen = next((s for s, low in zip(sentences, lowered, strict=True) if any(c in low for c in _WISH)),
                  sentences[0])
    chosen = _LEADING.sub("", chosen)
    return chosen[:60]


def _cue(text: str, cues: tuple[tuple[Any, tuple[str, ...]], ...]) -> tuple[str | None, str]:
    lowered = text.lower()
    for value, words in cues:
        for word in words:
            if word in lowered:
                return str(value.value), word
    return None, ""


class LexicalSuggester:
    """The BM25 + code-table implementation of :class:`Suggester`."""

    def __init__(self, db: Database, matching: MatchingService) -> None:
        self.db = db
        self.matching = matching

    def suggest(self, text: str, *, top: int = 5) -> Suggestion:
        text = text.strip()
        if len(text) < 10:
            raise ValidationFailed("Describe the problem in a few sentences", errors=[FieldError(
                "text", "write at least 10 characters: what goes wrong, what you want, any limits")])
        if len(text) > MAX_TEXT:
            raise ValidationFailed("The description is too long", errors=[FieldError(
                "text", f"use at most {MAX_TEXT:,} characters")])
        matches = self.matching.match_text(text, top=max(top, 10))
        rows = catalog.get_many(self.db, "technologies", [m.technology_id for m in matches])
        basis: dict[str, str] = {}
        weights: dict[str, float] = {}
        industries: Counter[str] = Counter()
        for match in matches:
            row = rows.get(match.technology_id)
            if row is None:
                continue
            if row.technology_field:
                weights[row.technology_field] = weights.get(row.technology_field, 0.0) + match.score
            if row.industry_code:
                industries[row.industry_code] += 1
        tech_field = max(weights, key=lambda k: (weights[k], k)) if weights else None
        if tech_field:
            basis["technology_field"] = "top_matches"
        industry = industries.most_common(1)[0][0] if industries else None
        if industry:
            basis["industry_code"] = "top_matches"
        elif tech_field and field_to_industries().get(tech_field):
            industry = field_to_industries()[tech_field][0]
            basis["industry_code"] = "field_to_industry"
        stage, stage_word = _cue(text, STAGE_CUES)
        if stage:
            basis["wanted_stage"] = f"cue:{stage_word}"
        mode, mode_word = _cue(text, MODE_CUES)
        if mode:
            basis["solution_mode"] = f"cue:{mode_word}"
        basis["keywords"] = "keywords"
        basis["title"] = "wish_sentence"
        return Suggestion(title=suggest_title(text), technology_field=tech_field, industry_code=industry,
                          keywords=extract_keywords(text), wanted_stage=stage, solution_mode=mode,
                          matches=matches[:top], basis=basis)
