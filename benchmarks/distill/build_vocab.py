"""Collect the vocabulary and training sentences for the static (distilled) encoder.

Why: a static model needs one vector per token; we only embed words that occur in text the
project may ship (CSL-2k, CSL titles, Chinese patent titles, NSFC and CNKI titles, PatentSBERTa
claims) plus the most frequent Chinese and English words of `wordfreq`, and every CJK character
so that unknown words can fall back to their characters.  The SME dev corpus is benchmark-only
and is deliberately NOT used here.

Usage: python benchmarks/distill/build_vocab.py SHARED_DATA_DIR OUT_DIR
"""

from __future__ import annotations

import collections
import csv
import json
import re
import sys
from pathlib import Path

import jieba
import wordfreq

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{1,24}")


def main(data: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    zh_texts: list[str] = []
    sentences: list[str] = []
    for line in (data / "benchmarks/csl_zh/csl_benchmark_2k.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        zh_texts += [row["title"], row["abstract"], " ".join(row.get("keywords") or [])]
        sentences.append(row["title"])
    with (data / "benchmarks/csl_zh/csl_title_category_train_8k.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            zh_texts.append(row["title"])
            sentences.append(row["title"])
    with (data / "benchmarks/cn_patent_ipc/lxingy3/oof_predictions.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            zh_texts.append(row["patent_title"])
            sentences.append(row["patent_title"])
    with (data / "corpora/nsfc_2017_funded_projects.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            zh_texts.append(row["项目名称"])
            sentences.append(row["项目名称"])
    with (data / "corpora/cnki_open_calls_2017.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            zh_texts.append(row["项目名称"])
    en_counts: collections.Counter[str] = collections.Counter()
    csv.field_size_limit(10**8)
    with (data / "benchmarks/patentsberta_claims_cpc/df_claim_cpc_train.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            en_counts.update(w.lower() for w in _WORD.findall(row["text"]))

    zh_counts: collections.Counter[str] = collections.Counter()
    chars: set[str] = set()
    for text in zh_texts:
        for tok in jieba.lcut(text):
            tok = tok.strip().lower()
            if tok and (_CJK.search(tok) or _WORD.fullmatch(tok)):
                zh_counts[tok] += 1
        chars.update(_CJK.findall(text))
    vocab: dict[str, None] = {}
    for w in wordfreq.top_n_list("zh", 40000):
        if _CJK.search(w):
            vocab[w] = None
            chars.update(_CJK.findall(w))
    for w, _count in zh_counts.most_common():
        if len(vocab) >= 62000:
            break
        vocab[w] = None
    for w in sorted(chars):
        vocab[w] = None
    for w in wordfreq.top_n_list("en", 25000):
        if _WORD.fullmatch(w):
            vocab[w] = None
    for w, c in en_counts.most_common(8000):
        if c >= 3:
            vocab[w] = None
    words = list(vocab)
    (out / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    (out / "work").mkdir(exist_ok=True)
    with (out / "work" / "vocab_passage.jsonl").open("w", encoding="utf-8") as fh:
        for w in words:
            fh.write(json.dumps({"id": w, "text": w, "kind": "passage"}, ensure_ascii=False) + "\n")
    uniq = list(dict.fromkeys(s.strip() for s in sentences if s.strip()))
    (out / "sentences.txt").write_text("\n".join(uniq) + "\n", encoding="utf-8")
    print(f"vocab {len(words)} words, {len(uniq)} training sentences")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
