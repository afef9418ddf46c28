"""Field and IPC suggestions for the guided demand form, trained from the shipped demo data."""

from __future__ import annotations

import pytest

from techbridge.matching import CodeClassifier, StaticEncoder, micro_f1, shipped_examples
from techbridge.matching._classify import DEMO_DIR
from techbridge.matching._encoders import STATIC_MODEL_PATH

SHOULD_SUGGEST = [
    # (text, field that must be among the top 3, why)
    ("水稻病虫害绿色防控与高产栽培", "F09", "rice cultivation is agriculture (农业)"),
    ("基于深度学习的图像识别算法与软件", "F01", "image-recognition software is electronic information"),
    ("城市生活污水深度处理与污泥资源化", "F07", "sewage treatment is environmental protection"),
]


@pytest.fixture(scope="module")
def field_classifier() -> CodeClassifier:
    if not (DEMO_DIR / "technologies_csl.jsonl").exists():
        pytest.skip("shipped demo data not present")
    encoders = [StaticEncoder()] if STATIC_MODEL_PATH.exists() else []
    texts, labels = shipped_examples("technology_field")
    return CodeClassifier(encoders).fit(texts[:3000], labels[:3000])


@pytest.mark.parametrize(("text", "field", "why"), SHOULD_SUGGEST, ids=[s[1] for s in SHOULD_SUGGEST])
def test_field_suggestions(field_classifier: CodeClassifier, text: str, field: str, why: str) -> None:
    got = field_classifier.suggest(text, top=3)
    assert field in [s.code for s in got], f"{text!r} should suggest {field} ({why}); got {got}"
    assert all(0.0 <= s.score <= 1.0 for s in got) and got == sorted(got, key=lambda s: -s.score)


def test_multilabel_prediction_and_new_examples() -> None:
    clf = CodeClassifier().fit(["锂电池正极材料及其制备方法", "锂电池充电管理电路", "水稻插秧机"],
                               [["H01M"], ["H01M", "H02J"], ["A01C"]])
    assert clf.predict("一种锂电池充电电路")[0] == "H01M", "two battery examples vote H01M first"
    clf.add_example("无人机植保喷洒装置", ["B64C", "A01M"])
    assert "A01M" in clf.predict("植保无人机喷洒"), "an example added at run time is used at once"
    assert micro_f1([["A", "B"]], [["A"]]) == pytest.approx(2 / 3)
