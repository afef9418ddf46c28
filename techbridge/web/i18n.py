"""Chinese-first UI text with English on request.

Each area owns one file ``locales/<area>.json`` mapping a key to ``{"zh": …, "en": …}``; all files
are merged at start. A missing key shows the key itself so that a gap is visible, and a test checks
that every key has both languages.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

LANGUAGES = ("zh", "en")


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("techbridge.web").joinpath("locales")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            for key, texts in data.items():
                if key in merged:
                    raise ValueError(f"UI text key {key!r} is defined twice (second time in {entry.name})")
                merged[key] = texts
    return merged


def translator(lang: str) -> Callable[..., str]:
    """A ``t(key, **params)`` function for one language."""
    texts = catalog()
    language = lang if lang in LANGUAGES else "zh"

    def t(key: str, **params: Any) -> str:
        entry = texts.get(key)
        text = entry.get(language, key) if entry else key
        return text.format(**params) if params else text

    return t
