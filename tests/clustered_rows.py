"""Clustered unit vectors for the HNSW tests: 300 tight clusters in 32 dimensions, as the
million-row benchmark's rows are clustered, small enough for a test."""

from __future__ import annotations

import numpy as np

DIMENSION = 32
CLUSTERS = 300
PER_CLUSTER = 30


def clustered(count: int, seed: int) -> np.ndarray:
    """`count` unit rows, row i near cluster centre i % CLUSTERS (the centres are fixed)."""
    centres = np.random.default_rng(0).standard_normal((CLUSTERS, DIMENSION))
    rng = np.random.default_rng(seed)
    rows = centres[np.arange(count) % CLUSTERS] + 0.35 * rng.standard_normal((count, DIMENSION))
    rows = rows.astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)
