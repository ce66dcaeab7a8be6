"""4-bit codes of what int8 scalar quantisation leaves out of each vector, by faiss label.

faiss' per-dimension int8 quantiser decodes a code to the middle of its bin, so the residual of
a vector the quantiser was trained on lies within half a bin of zero in every dimension.
Sixteen levels over that half-bin bring the error down to 1/32 of a bin (about what float16
keeps) for half a byte per dimension: int8 codes plus these are 0.375 of float32, where float16
would be 0.5 and leave no room for the graph's links under the issue's 0.5x budget.

Measured on 100k embedding-like vectors (benchmarks/vector_search.py's): the int8 codes alone
rank the true top-10 at recall 0.991; re-ranking their top-50 with these residuals added gives
0.9987, float16 0.9990.
"""

from __future__ import annotations

import numpy as np

_LEVELS = 16
#: Spare rows kept when the array grows, as a share of the rows held: single-row adds stay
#: cheap, at a memory cost of at most this share.
_GROWTH = 1 / 16


class ResidualCodes:
    """Residuals of int8-quantised vectors, two dimensions per byte, rows addressed by label."""

    def __init__(self, bin_width: np.ndarray) -> None:
        """bin_width: per dimension, the width of one int8 bin (the trained range / 255)."""
        width = np.asarray(bin_width, dtype=np.float32)
        # A dimension with no spread in training has no bins: its residuals are clipped to 0.
        self._width = np.where(width > 0, width, np.float32(np.finfo(np.float32).tiny))
        self.dimension = width.shape[0]
        self._codes = np.zeros((0, (self.dimension + 1) // 2), np.uint8)
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    @property
    def nbytes(self) -> int:
        """What the codes take, spare rows included."""
        return int(self._codes.nbytes)

    def reserve(self, rows: int) -> None:
        """Room for this many rows in all, so that appends in chunks do not copy the codes."""
        if rows > self._codes.shape[0]:
            grown = np.zeros((rows, self._codes.shape[1]), np.uint8)
            grown[: self._rows] = self._codes[: self._rows]
            self._codes = grown

    def append(self, residuals: np.ndarray) -> None:
        """Codes for the next labels, in order."""
        needed = self._rows + residuals.shape[0]
        if needed > self._codes.shape[0]:
            self.reserve(needed + int(self._rows * _GROWTH))
        self._codes[self._rows : needed] = self._encode(residuals)
        self._rows = needed

    def put(self, labels: np.ndarray, residuals: np.ndarray) -> None:
        """Overwrite the codes of labels already held."""
        self._codes[np.asarray(labels, dtype=np.int64)] = self._encode(residuals)

    def truncate(self) -> None:
        """Forget every row (the graph they belong to is rebuilt)."""
        self._codes = self._codes[:0].copy()
        self._rows = 0

    def decode(self, labels: np.ndarray) -> np.ndarray:
        """The residuals of labels, as float32 rows of the vectors' dimension."""
        packed = self._codes[np.asarray(labels, dtype=np.int64)]
        levels = np.empty((packed.shape[0], packed.shape[1] * 2), np.float32)
        levels[:, 0::2] = packed & 0x0F
        levels[:, 1::2] = packed >> 4
        levels = levels[:, : self.dimension]
        return (levels - (_LEVELS - 1) / 2) * (self._width / _LEVELS)

    def _encode(self, residuals: np.ndarray) -> np.ndarray:
        # A row outside the trained range has a residual beyond half a bin: it is clipped, and
        # that row keeps only its int8 precision in the clipped dimensions.
        scaled = np.asarray(residuals, dtype=np.float32) / self._width * _LEVELS
        levels = np.clip(np.rint(scaled + (_LEVELS - 1) / 2), 0, _LEVELS - 1).astype(np.uint8)
        if self.dimension % 2:
            levels = np.hstack([levels, np.zeros((levels.shape[0], 1), np.uint8)])
        return levels[:, 0::2] | (levels[:, 1::2] << 4)
