"""Corpus statistics: what a query's mean score and spread over every row follow from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

#: Rows whose products with a query estimate the spread of a sparse component's scores over
#: the corpus (their mean comes from every row). The sample's product costs well under a
#: millisecond per query at any corpus size.
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
    sample: sp.csr_matrix

    @classmethod
    def of(cls, matrix: sp.csr_matrix, sample_size: int | None = None) -> SparseStatistics:
        """The statistics of every row of a matrix (a sample of `MOMENT_SAMPLE` rows unless
        told otherwise)."""
        sample_size = MOMENT_SAMPLE if sample_size is None else sample_size
        count = matrix.shape[0]
        at = np.linspace(0, count - 1, min(sample_size, count)).astype(np.int64)
        return cls(
            rows=count,
            sum=np.asarray(matrix.sum(axis=0, dtype=np.float64)).ravel(),
            sample=sp.csr_matrix(matrix[at], dtype=np.float32),
        )

    def moments(self, queries: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """Per query row: the mean of its products with every row and their spread."""
        if not self.rows:
            zeros = np.zeros(queries.shape[0])
            return zeros, zeros
        mean = np.asarray(queries @ self.sum).ravel() / self.rows
        products = (self.sample @ queries.T).T.toarray().astype(np.float64)
        second = (products**2).mean(axis=1)
        return mean, np.sqrt(np.maximum(second - mean**2, 0.0))
