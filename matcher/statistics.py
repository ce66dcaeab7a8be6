"""Corpus statistics: what a query's mean score and spread over every row follow from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Rows whose products with a query estimate the spread of a sparse component's scores over
#: the corpus (their mean comes from every row). Their product costs 4-7 ms per query for
#: 60-word texts (benchmarks/rank_paths_timing.py) at any corpus size; a larger sample costs
#: in proportion. The estimate's noise moves `lcmatch eval`'s nDCG@10 by up to 0.001 either
#: way on the 5k- and 24k-row benchmarks, which `lcmatch eval` therefore fits exactly.
MOMENT_SAMPLE = 4096


@dataclass(frozen=True)
class DenseStatistics:
    """The vectors' count, sum and Gram matrix: a query's mean inner product with every row
    and their spread follow from them, at a cost that does not grow with the rows."""

    rows: int
    sum: np.ndarray  # (dimension,), float64
    gram: np.ndarray  # (dimension, dimension), float64

    def moments(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per query vector: the mean and standard deviation of its scores over the rows."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        count = max(self.rows, 1)
        mean = vectors @ self.sum / count
        second = np.einsum("ij,jk,ik->i", vectors, self.gram, vectors) / count
        return mean, np.sqrt(np.maximum(second - mean**2, 0.0))


@dataclass(frozen=True)
class SparseStatistics:
    """A sparse component's rows summarised: their count and sum (a query's mean product with
    every row) and an even sample of them (the spread of those products)."""

    rows: int
    sum: np.ndarray  # (width,), float64
    #: the sampled rows, transposed (width x sample): a query's products with them then cost
    #: the entries of its own columns, not every entry of the sample
    sample_t: sp.csr_matrix

    @classmethod
    def of(cls, matrix: sp.csr_matrix, sample_size: int | None = MOMENT_SAMPLE) -> SparseStatistics:
        """The statistics of every row of a matrix, the spread from an even sample of
        `sample_size` rows (None: every row, exact at the cost of a product with each)."""
        count = matrix.shape[0]
        sample_size = count if sample_size is None else sample_size
        at = np.linspace(0, count - 1, min(sample_size, count)).astype(np.int64)
        return cls(
            rows=count,
            sum=np.asarray(matrix.sum(axis=0, dtype=np.float64)).ravel(),
            sample_t=sp.csr_matrix(matrix[at].T, dtype=np.float32),
        )

    def moments(self, queries: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Per query row: the mean of its products with every row and their spread."""
        if not self.rows:
            zeros = np.zeros(queries.shape[0])
            return zeros, zeros
        mean = np.asarray(queries @ self.sum).ravel() / self.rows
        products = (sp.csr_matrix(queries) @ self.sample_t).toarray().astype(np.float64)
        # The spread around the sample's own mean, not the corpus's: these scores share a
        # large common part (frequent n-grams), and the sample mean's own error would count
        # twice (in E[p^2] - mean^2 it weighs 2 x mean / spread; measured on the MELO
        # benchmarks, nDCG@10 then moved by up to 0.0008). Exact when the sample is the corpus.
        spread = products.std(axis=1)
        return mean, spread
