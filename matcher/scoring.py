"""The one hybrid scorer: candidates' component scores in, fused scores on the corpus's scale out.

Every route ranks through `HybridScorer.fuse`: the exact in-memory path (every row, or the rows
that pass a filter), the HNSW path (the graph's candidates united with the best lexical rows) and
the PostgreSQL route (pgvector's candidates). Each component is standardised per query with its
mean and spread over the whole corpus, never over the candidates at hand, so a row's score is
the same whichever route found it and whichever other rows came with it.

Those means and spreads follow from statistics learned once, when the scorer is fitted
(`matcher.statistics`): for the dense component the sum and Gram matrix of the vectors (exact);
for the lexical and skill components the sum of the weighted rows (an exact mean) and a fixed
sample of up to `MOMENT_SAMPLE` rows spread evenly over the corpus (their spread; exact when
the corpus is no larger; see `matcher.statistics`). A query's side (`QuerySide`) is computed
once per query.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

from matcher.errors import MatcherError
from matcher.lexical import CharTfidfEncoder
from matcher.results import COMPONENTS
from matcher.skills import SkillTagger
from matcher.statistics import MOMENT_SAMPLE, DenseStatistics, SparseStatistics
from matcher.weights import Weights

#: A spread below this means the component does not tell rows apart for this query: it adds 0.
FLAT = 1e-9


@dataclass(frozen=True)
class QuerySide:
    """What the scorer needs of a batch of queries, computed once per batch: their vectors,
    their weighted n-gram and skill rows, and each used component's mean and spread."""

    vectors: np.ndarray | None
    sparse: Mapping[str, sp.csr_matrix]
    moments: Mapping[str, tuple[np.ndarray, np.ndarray]]

    def __len__(self) -> int:
        if self.vectors is not None:
            return self.vectors.shape[0]
        return next(iter(self.sparse.values())).shape[0] if self.sparse else 0

    def row(self, at: int) -> QuerySide:
        """The side of one query of the batch."""
        return QuerySide(
            vectors=None if self.vectors is None else self.vectors[at : at + 1],
            sparse={name: rows[at] for name, rows in self.sparse.items()},
            moments={
                name: (m[at : at + 1], s[at : at + 1]) for name, (m, s) in self.moments.items()
            },
        )


class HybridScorer:
    """Weights texts into the lexical and skill components and fuses candidates' scores.

    `fit_transform` learns the n-gram and skill weights and the corpus statistics from the corpus's
    texts (and the dense statistics its index keeps); `transform` weights other texts with
    them (rows written later, or read from a database); `query_side` prepares queries;
    `fuse` turns component scores of any candidate rows into one score on the corpus's scale.
    `sample_size`: rows whose products estimate each sparse component's spread (None: every
    row, exact).
    """

    def __init__(
        self,
        *,
        weights: Weights,
        tagger: SkillTagger,
        lexical: CharTfidfEncoder | None = None,
        sample_size: int | None = MOMENT_SAMPLE,
    ) -> None:
        self.weights = weights
        self.tagger = tagger
        self.lexical = lexical
        self.sample_size = sample_size

    def fit_transform(
        self, texts: Sequence[str], dense: DenseStatistics | None
    ) -> dict[str, sp.csr_matrix]:
        """Learn from the corpus's texts; their weighted rows per sparse component."""
        self.lexical_: CharTfidfEncoder | None = None
        self.skill_weighting_: TfidfTransformer | None = None
        rows: dict[str, sp.csr_matrix] = {}
        if texts and self.weights.uses("lexical"):
            # A copy of the unfitted encoder: whoever holds earlier statistics keeps them.
            self.lexical_ = copy.copy(self.lexical) if self.lexical else CharTfidfEncoder()
            rows["lexical"] = sp.csr_matrix(self.lexical_.fit_transform(texts), dtype=np.float32)
        if texts and self.weights.uses("skill"):
            tagged = self.tagger.transform(texts)
            self.skill_weighting_ = TfidfTransformer(sublinear_tf=True).fit(tagged)
            rows["skill"] = sp.csr_matrix(self.skill_weighting_.transform(tagged), dtype=np.float32)
        self.dense_ = dense if self.weights.uses("dense") else None
        self.sparse_ = {
            name: SparseStatistics.of(matrix, self.sample_size) for name, matrix in rows.items()
        }
        self.rows_ = len(texts)
        return rows

    def _fitted(self) -> None:
        if not hasattr(self, "sparse_"):
            raise MatcherError("the scorer is not fitted: call fit_transform first")

    def transform(self, component: str, texts: Sequence[str]) -> sp.csr_matrix:
        """Texts weighted as the corpus's rows of a sparse component are."""
        self._fitted()
        if component == "lexical" and self.lexical_ is not None:
            return sp.csr_matrix(self.lexical_.transform(list(texts)), dtype=np.float32)
        if component == "skill" and self.skill_weighting_ is not None:
            tagged = self.tagger.transform(list(texts))
            return sp.csr_matrix(self.skill_weighting_.transform(tagged), dtype=np.float32)
        raise MatcherError(f"the {component} component was not learned")

    def query_side(self, texts: Sequence[str], vectors: np.ndarray | None) -> QuerySide:
        """Queries' rows and moments; `vectors`: their dense vectors (when dense counts)."""
        self._fitted()
        sparse = {name: self.transform(name, texts) for name in self.sparse_}
        moments = {name: stats.moments(sparse[name]) for name, stats in self.sparse_.items()}
        if self.dense_ is None:
            vectors = None  # dense does not count (or nothing was learned): never scored
        else:
            if vectors is None:
                raise MatcherError("the dense component needs the queries' vectors")
            vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
            moments["dense"] = self.dense_.moments(vectors)
        return QuerySide(vectors=vectors, sparse=sparse, moments=moments)

    def fuse(self, side: QuerySide, scores: Mapping[str, np.ndarray]) -> np.ndarray:
        """The fused scores of candidates (queries x candidates, one row per query of `side`):
        each component's z-score over the corpus, weighted and summed."""
        shape = np.shape(next(iter(scores.values())))
        fused = np.zeros(shape, dtype=np.float64)
        for name in COMPONENTS:
            if name not in side.moments:
                continue  # weight 0, or nothing learned (say, no n-gram in an empty corpus)
            mean, spread = (
                np.asarray(part, dtype=np.float64)[:, None] for part in side.moments[name]
            )
            flat = spread <= FLAT
            z = (np.asarray(scores[name], dtype=np.float64) - mean) / np.where(flat, 1.0, spread)
            fused += getattr(self.weights, name) * np.where(flat, 0.0, z)
        return fused.astype(np.float32)
