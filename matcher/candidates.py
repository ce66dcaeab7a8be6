"""Which rows a query fuses past the ANN threshold: a candidate set instead of the whole corpus.

Past the threshold, scoring every indexed row for every query is what costs. A query's candidates
are the `AnnSettings.candidates` nearest rows by the dense score (through the HNSW graph) united
with as many best rows by the lexical score, among the rows that pass the filters. Only which
rows can come back depends on them: their scores are fused on the corpus's scale
(`matcher.scoring`), as on every other path; the README reports how far nDCG@10 moves.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matcher.index import VectorIndex


def best_sparse(row: sp.csr_matrix, count: int, mask: np.ndarray | None) -> np.ndarray:
    """Columns of the `count` highest stored (non-zero) entries of a one-row sparse matrix."""
    columns, values = row.indices, row.data
    if mask is not None:
        keep = mask[columns]
        columns, values = columns[keep], values[keep]
    if columns.shape[0] > count:
        columns = columns[np.argpartition(-values, count - 1)[:count]]
    return columns.astype(np.int64)


def padded(columns: np.ndarray, wanted: int, size: int, mask: np.ndarray | None) -> np.ndarray:
    """Add passing rows (lowest positions first) until `wanted` candidates pass.

    Only a lexical-only ranker needs this: the graph always returns as many rows as pass, but
    fewer rows than k may share an n-gram with the query, and the full path returns k rows."""
    present = columns.shape[0] if mask is None else int(mask[columns].sum())
    if present >= wanted:
        return columns
    passing = np.arange(size) if mask is None else np.flatnonzero(mask)
    extra = np.setdiff1d(passing, columns, assume_unique=True)[: wanted - present]
    return np.union1d(columns, extra)


def candidate_positions(
    index: VectorIndex,
    k: int,
    wanted: int,
    *,
    vector: np.ndarray | None,
    lexical: sp.csr_matrix | None,
    mask: np.ndarray | None,
) -> np.ndarray:
    """One query's candidates, sorted by position: its `wanted` nearest rows by `vector` and
    its `wanted` best rows by `lexical` (its product with every row), padded to k passing rows."""
    parts = [np.zeros(0, np.int64)]
    if vector is not None:
        parts.append(index.nearest(vector, wanted, mask).positions.astype(np.int64))
    if lexical is not None:
        parts.append(best_sparse(lexical, wanted, mask))
    columns = np.unique(np.concatenate(parts))
    passing = len(index) if mask is None else int(mask.sum())
    return padded(columns, min(k, passing), len(index), mask)
