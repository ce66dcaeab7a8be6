"""Sparse rows that change one at a time: the weighted n-gram and skill rows of an index.

A CSR matrix is cheap to read and dear to change: adding, replacing or removing one row copies
every stored entry (hundreds of millions at 100k profiles). Here each row keeps its own arrays,
in the order of the index's rows, so a write touches one row; the rows a query needs are joined
on demand, and the whole matrix is joined once and kept until the next write.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from matcher.errors import MatcherError


class SparseRows:
    """Rows of a sparse matrix of fixed width, kept in the order of an index's rows.

    `remove` moves the last row into the removed one's place, as `VectorIndex.remove` does, so
    positions stay aligned with the index.
    """

    def __init__(self, width: int) -> None:
        self.width = width
        self._indices: list[np.ndarray] = []
        self._data: list[np.ndarray] = []
        self._matrix: sp.csr_matrix | None = None

    @classmethod
    def of(cls, matrix: sp.spmatrix) -> SparseRows:
        """The rows of a matrix (views of its arrays, not copies)."""
        matrix = sp.csr_matrix(matrix, dtype=np.float32)
        rows = cls(matrix.shape[1])
        rows.append(matrix)
        rows._matrix = matrix
        return rows

    def __len__(self) -> int:
        return len(self._indices)

    def _split(self, matrix: sp.spmatrix) -> tuple[list[np.ndarray], list[np.ndarray]]:
        matrix = sp.csr_matrix(matrix, dtype=np.float32)
        if matrix.shape[1] != self.width:
            raise MatcherError(f"rows must have {self.width} columns, got {matrix.shape[1]}")
        bounds = matrix.indptr
        indices = [matrix.indices[bounds[i] : bounds[i + 1]] for i in range(matrix.shape[0])]
        data = [matrix.data[bounds[i] : bounds[i + 1]] for i in range(matrix.shape[0])]
        return indices, data

    def append(self, matrix: sp.spmatrix) -> None:
        """Add rows at the end."""
        indices, data = self._split(matrix)
        self._indices += indices
        self._data += data
        self._matrix = None

    def replace(self, positions: Sequence[int], matrix: sp.spmatrix) -> None:
        """Replace the rows at these positions (one matrix row each, in order)."""
        indices, data = self._split(matrix)
        if len(indices) != len(positions):
            raise MatcherError(f"{len(positions)} positions for {len(indices)} rows")
        for position, row_indices, row_data in zip(positions, indices, data, strict=True):
            self._indices[position] = row_indices
            self._data[position] = row_data
        self._matrix = None

    def remove(self, position: int) -> None:
        """Drop one row; the last row takes its place."""
        last = len(self._indices) - 1
        self._indices[position] = self._indices[last]
        self._data[position] = self._data[last]
        self._indices.pop()
        self._data.pop()
        self._matrix = None

    def take(self, positions: Sequence[int] | np.ndarray) -> sp.csr_matrix:
        """The rows at these positions, in this order, as one CSR matrix."""
        positions = [int(position) for position in positions]
        lengths = [self._indices[position].shape[0] for position in positions]
        indptr = np.zeros(len(positions) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        if positions:
            indices = np.concatenate([self._indices[position] for position in positions])
            data = np.concatenate([self._data[position] for position in positions])
        else:
            indices, data = np.zeros(0, np.int32), np.zeros(0, np.float32)
        return sp.csr_matrix((data, indices, indptr), shape=(len(positions), self.width))

    def matrix(self) -> sp.csr_matrix:
        """Every row, as one CSR matrix (joined once after each change)."""
        if self._matrix is None:
            self._matrix = self.take(range(len(self)))
        return self._matrix
