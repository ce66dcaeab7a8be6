"""Learned fusion: the hybrid's weights, fitted on dev judgements instead of set by hand.

The ranker standardises each component per query and adds them with weights; here those
weights are chosen by a grid search that maximises the mean target metric (MRR for job
titles, nDCG@10 for challenges) over benchmarks. `models/fusion.json` holds the shipped fit;
`matcher.weights.Weights.learned` reads it. The pools here standardise over every document
exactly; the scorer (`matcher.scoring`) takes the same means and, past `MOMENT_SAMPLE` rows, the
sparse spreads from an even sample.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.errors import MatcherError
from matcher.results import COMPONENTS
from matcher.weights import FUSION_PATH

__all__ = ["FUSION_PATH", "Pool", "build_pool", "fit_weights", "pool_metric", "save_weights"]
#: the weights picked by hand before any fit: the baseline a fit is compared with
HAND_SET = {"dense": 0.3, "lexical": 0.7, "skill": 0.05}
DENSE_GRID = tuple(round(0.05 * step, 2) for step in range(21))
SKILL_GRID = (0.0, 0.025, 0.05, 0.1, 0.15, 0.2)
#: candidates per component and query kept when fitting: the fused top 100 lies among them
POOL = 150


def standardise(scores: np.ndarray) -> np.ndarray:
    """Per row z-scores over every column (a constant row gives 0): the fusion the weights
    are fitted for."""
    mean = scores.mean(axis=1, keepdims=True)
    spread = scores.std(axis=1, keepdims=True)
    return np.divide(scores - mean, spread, out=np.zeros_like(scores), where=spread > 1e-9)


@dataclass
class Pool:
    """One benchmark's standardised component scores, kept only on each query's candidates.

    `columns[q]` lists candidate documents (padded with -1); `z[name][q]` their z-scores;
    `gains[q]` their gains 2^grade - 1; `ideal[q]` the query's ideal DCG@10.
    """

    columns: np.ndarray
    z: dict[str, np.ndarray]
    gains: np.ndarray
    ideal: np.ndarray
    metric: str


def build_pool(
    components: Mapping[str, np.ndarray],
    doc_ids: Sequence[str],
    query_ids: Sequence[str],
    qrels: Mapping[str, Mapping[str, int]],
    metric: str,
) -> Pool:
    """Standardise over all documents, then keep each query's top `POOL` per component."""
    missing = [name for name in COMPONENTS if name not in components]
    if missing:
        raise MatcherError(f"component scores missing: {', '.join(missing)}")
    z_full = {
        name: standardise(np.asarray(components[name], dtype=np.float32)) for name in COMPONENTS
    }
    n_docs = len(doc_ids)
    pool = min(POOL, n_docs)
    tops = [np.argpartition(-z_full[name], pool - 1, axis=1)[:, :pool] for name in COMPONENTS]
    candidates = [
        np.unique(np.concatenate([top[q] for top in tops])) for q in range(len(query_ids))
    ]
    width = max(len(c) for c in candidates)
    columns = np.full((len(query_ids), width), -1, dtype=np.int64)
    for q, found in enumerate(candidates):
        columns[q, : len(found)] = found
    safe = np.where(columns >= 0, columns, 0)
    rows = np.arange(len(query_ids))[:, None]
    z = {name: np.where(columns >= 0, z_full[name][rows, safe], -np.inf) for name in COMPONENTS}
    position = {doc: column for column, doc in enumerate(doc_ids)}
    gains = np.zeros(columns.shape, dtype=np.float32)
    ideal = np.zeros(len(query_ids), dtype=np.float64)
    discount = 1 / np.log2(np.arange(2, 12))
    for q, query_id in enumerate(query_ids):
        judged = {position[d]: 2**g - 1 for d, g in qrels.get(query_id, {}).items() if g > 0}
        gains[q] = [judged.get(int(c), 0) if c >= 0 else 0 for c in columns[q]]
        best = sorted(judged.values(), reverse=True)[:10]
        ideal[q] = float(np.dot(best, discount[: len(best)]))
    return Pool(columns, z, gains, ideal, metric)


def pool_metric(pool: Pool, weights: Mapping[str, float], rows: np.ndarray | None = None) -> float:
    """Mean MRR (top 100) or nDCG@10 of the fused ranking over the given query rows."""
    rows = np.arange(len(pool.columns)) if rows is None else rows
    if not len(rows):
        return 0.0
    fused = sum(
        weights[name] * np.nan_to_num(pool.z[name][rows], neginf=-1e9) for name in COMPONENTS
    )
    fused = np.where(pool.columns[rows] >= 0, fused, -np.inf)
    order = np.argsort(-fused, axis=1, kind="stable")
    gains = np.take_along_axis(pool.gains[rows], order, axis=1)
    if pool.metric == "mrr":
        hit = gains[:, :100] > 0
        first = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, np.inf)
        return float(np.mean(1.0 / first))
    discount = 1 / np.log2(np.arange(2, 12))
    dcg = gains[:, :10] @ discount[: gains[:, :10].shape[1]]
    ideal = pool.ideal[rows]
    return float(np.mean(np.divide(dcg, ideal, out=np.zeros_like(dcg), where=ideal > 0)))


def fit_weights(
    pools: Mapping[str, Pool], rows: Mapping[str, np.ndarray] | None = None
) -> tuple[dict[str, float], float]:
    """The grid point with the best mean metric over benchmarks (on the given query rows)."""
    best: tuple[float, dict[str, float]] | None = None
    for dense in DENSE_GRID:
        for skill in SKILL_GRID:
            weights = {"dense": dense, "lexical": round(1 - dense, 2), "skill": skill}
            if sum(weights.values()) <= 0:
                continue
            score = float(
                np.mean(
                    [
                        pool_metric(pool, weights, None if rows is None else rows[name])
                        for name, pool in pools.items()
                    ]
                )
            )
            if best is None or score > best[0] + 1e-12:
                best = (score, weights)
    assert best is not None
    return best[1], best[0]


def save_weights(weights: Mapping[str, float], path: Path, **about: object) -> None:
    """Write the fit, with what it was fitted on, as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"weights": {name: float(weights[name]) for name in COMPONENTS}, **about}
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
