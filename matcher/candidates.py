"""The hybrid ranker at scale: fuse over a candidate set instead of the whole corpus.

Past the ANN threshold, scoring and standardising every indexed row for every query is what
costs. Here each query gathers candidates — the `AnnSettings.candidates` nearest rows by the
dense score (through the HNSW graph) united with as many best rows by the lexical score, among
the rows that pass the filters — and only those are scored and fused. Each component is still
standardised over every row, as the full path does: the lexical and skill products are sparse
(their mean and spread come from their stored entries), and the dense mean and spread follow
from the sum and Gram matrix the index keeps. So a row's fused score is the full path's, and the
candidates only decide which rows can come back; the README reports how far nDCG@10 moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from matcher.index import top_k
from matcher.ranker import Components, Explanation, Match

if TYPE_CHECKING:
    from matcher.ranker import HybridRanker

COMPONENTS = ("dense", "lexical", "skill")


def _best_sparse(row: sp.csr_matrix, count: int, mask: np.ndarray | None) -> np.ndarray:
    """Columns of the `count` highest stored (non-zero) entries of a one-row sparse matrix."""
    columns, values = row.indices, row.data
    if mask is not None:
        keep = mask[columns]
        columns, values = columns[keep], values[keep]
    if columns.shape[0] > count:
        columns = columns[np.argpartition(-values, count - 1)[:count]]
    return columns.astype(np.int64)


def _sparse_moments(row: sp.csr_matrix, count: int) -> tuple[float, float]:
    """Mean and standard deviation of a one-row sparse matrix over `count` columns (the
    columns it does not store are zeros)."""
    values = row.data.astype(np.float64)
    mean = values.sum() / count
    second = (values**2).sum() / count
    return mean, float(np.sqrt(max(second - mean**2, 0.0)))


def _standardised(scores: np.ndarray, mean: float, spread: float) -> np.ndarray:
    """z-scores with a given mean and spread (all 0 when the spread is 0, as `standardise`)."""
    if spread <= 1e-9:
        return np.zeros_like(scores)
    return ((scores - mean) / spread).astype(np.float32)


def _padded(columns: np.ndarray, wanted: int, size: int, mask: np.ndarray | None) -> np.ndarray:
    """Add passing rows (lowest positions first) until `wanted` candidates pass.

    Only a lexical-only ranker needs this: the graph always returns as many rows as pass, but
    fewer rows than k may share an n-gram with the query, and the full path returns k rows."""
    present = columns.shape[0] if mask is None else int(mask[columns].sum())
    if present >= wanted:
        return columns
    passing = np.arange(size) if mask is None else np.flatnonzero(mask)
    extra = np.setdiff1d(passing, columns, assume_unique=True)[: wanted - present]
    return np.union1d(columns, extra)


def rank_at_scale(
    ranker: HybridRanker,
    queries: Sequence[str],
    k: int,
    *,
    mask: np.ndarray | None,
    query_vectors: np.ndarray | None,
    explain: bool,
) -> list[list[Match]]:
    """For each query, the k best rows that pass the mask, fused over its candidates."""
    index = ranker._index()
    weights = ranker.weights_
    wanted = ranker.ann_.candidates
    used = [name for name in COMPONENTS if getattr(weights, name) > 0]
    if "dense" in used and query_vectors is None:
        query_vectors = ranker._dense(list(queries), "query")
    sparse_queries = {name: ranker._sparse(name, list(queries)) for name in used if name != "dense"}
    lexical = None
    if "lexical" in used:
        # The lexical score of every row: the product is sparse (rows sharing no n-gram with
        # the query are absent), and its best entries are the lexical half of the candidates.
        lexical = sp.csr_matrix(ranker._sparse_products("lexical", sparse_queries["lexical"]))
    skill = None
    if "skill" in used:
        skill = sp.csr_matrix(ranker._sparse_products("skill", sparse_queries["skill"]))
    passing = len(index) if mask is None else int(mask.sum())
    results = []
    for row, query in enumerate(queries):
        parts = [np.zeros(0, np.int64)]
        if "dense" in used:
            parts.append(index.nearest(query_vectors[row], wanted, mask).positions)
        if lexical is not None:
            parts.append(_best_sparse(lexical[row], wanted, mask))
        columns = np.unique(np.concatenate(parts))
        columns = _padded(columns, min(k, passing), len(index), mask)
        scores = {name: np.zeros(columns.shape[0], np.float32) for name in COMPONENTS}
        # Each component is standardised with its mean and spread over every row, as the full
        # path does: only which rows can be returned depends on the candidates.
        moments = {}
        if "dense" in used:
            scores["dense"] = index.scores_at(query_vectors[row], columns)[0]
            mean, spread = index.score_moments(query_vectors[row])
            moments["dense"] = (float(mean[0]), float(spread[0]))
        for name, full in (("lexical", lexical), ("skill", skill)):
            if full is not None:
                scores[name] = full[row][:, columns].toarray()[0].astype(np.float32)
                moments[name] = _sparse_moments(full[row], len(index))
        fused = sum(
            getattr(weights, name) * _standardised(scores[name], *moments[name]) for name in used
        )
        chosen = top_k(fused, min(k, columns.shape[0]))
        found = [index.id_at(int(columns[at])) for at in chosen]
        reasons = ranker.explain(query, found) if explain else [Explanation()] * len(found)
        results.append(
            [
                Match(
                    id=id_,
                    score=float(fused[at]),
                    components=Components(**{name: float(scores[name][at]) for name in scores}),
                    explanation=reason,
                )
                for id_, at, reason in zip(found, chosen, reasons, strict=True)
            ]
        )
    return results
