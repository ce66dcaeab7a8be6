"""A fast fake of an e5-style model: queries and passages encoded apart, every call logged."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher import HashingEncoder


class PrefixedEncoder(HashingEncoder):
    """Encodes queries and passages differently, as e5's "query: " and "passage: " make the
    default model do, and logs each call as (kind, number of texts)."""

    def __init__(self, model_id: str = "hashing-e5") -> None:
        super().__init__(model_id=model_id)
        self.log: list[tuple[str, int]] = []

    def prefix(self, kind: str) -> str:
        return "query: " if kind == "query" else "passage: "

    def encode(
        self, texts: Sequence[str], *, kind: str = "passage", progress: bool = False
    ) -> np.ndarray:
        self.log.append((kind, len(texts)))
        return super().encode([self.prefix(kind) + text for text in texts], kind=kind)
