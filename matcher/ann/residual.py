"""Low-bit codes of what int8 scalar quantisation leaves out of each vector, by faiss label.

faiss' per-dimension int8 quantiser decodes a code to the middle of its bin, so the residual of
a vector the quantiser was trained on lies within half a bin of zero in every dimension. `bits`
levels per dimension over that bin bring the error down to 1/(2 * 2**bits) of a bin: 4 bits
(1/32 of a bin, about what float16 keeps) for half a byte per dimension, 2 bits (1/8 of a bin)
for a quarter of a byte.

Measured on 100k embedding-like vectors (benchmarks/vector_search.py's): the int8 codes alone
rank the true top-10 at recall 0.991; re-ranking their top-50 with 4-bit residuals added gives
0.9987, float16 0.9990. At 1M rows (benchmarks/hnsw_settings.py, M 32 graph, efSearch 256)
4 bits re-rank to 0.984 and 2 bits to 0.980 (before the graph's repair and entry scan); the
default is 4 bits on an M 20 graph, within the 0.5x budget (`matcher.ann.AnnSettings`).
"""

from __future__ import annotations

import numpy as np

from matcher.ann.settings import RESIDUAL_BITS as BITS

#: Spare rows kept when the array grows, as a share of the rows held: single-row adds stay
#: cheap, at a memory cost of at most this share.
_GROWTH = 1 / 16


class ResidualCodes:
    """Residuals of int8-quantised vectors, `bits` per dimension, rows addressed by label."""

    def __init__(self, bin_width: np.ndarray, bits: int = 4) -> None:
        """bin_width: per dimension, the width of one int8 bin (the trained range / 255);
        bits: per dimension, one of `BITS`."""
        if bits not in BITS:
            raise ValueError(f"residual bits must be one of {BITS}, not {bits}")
        self.bits = bits
        self._levels = 1 << bits
        self._per_byte = 8 // bits
        width = np.asarray(bin_width, dtype=np.float32)
        # A dimension with no spread in training has no bins: its residuals are clipped to 0.
        self._width = np.where(width > 0, width, np.float32(np.finfo(np.float32).tiny))
        self.dimension = width.shape[0]
        self._codes = np.zeros((0, -(-self.dimension // self._per_byte)), np.uint8)
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    @property
    def nbytes(self) -> int:
        """What the codes take, spare rows included."""
        return int(self._codes.nbytes)

    @property
    def codes(self) -> np.ndarray:
        """The packed codes of every row held, by label (what `restore` takes back)."""
        return self._codes[: self._rows]

    def restore(self, codes: np.ndarray) -> None:
        """Hold these packed codes (from `codes`), replacing any held."""
        codes = np.asarray(codes, dtype=np.uint8)
        if codes.ndim != 2 or codes.shape[1] != self._codes.shape[1]:
            raise ValueError(
                f"residual codes must have {self._codes.shape[1]} bytes per row, "
                f"got shape {codes.shape}"
            )
        self._codes = np.array(codes)
        self._rows = codes.shape[0]

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
        shifts = np.arange(self._per_byte, dtype=np.uint8) * self.bits
        levels = (packed[:, :, None] >> shifts) & (self._levels - 1)  # low bits: first dimension
        levels = levels.reshape(packed.shape[0], -1)[:, : self.dimension].astype(np.float32)
        return (levels - (self._levels - 1) / 2) * (self._width / self._levels)

    def _encode(self, residuals: np.ndarray) -> np.ndarray:
        # A row outside the trained range has a residual beyond half a bin: it is clipped, and
        # that row keeps only its int8 precision in the clipped dimensions.
        scaled = np.asarray(residuals, dtype=np.float32) / self._width * self._levels
        top = self._levels - 1
        levels = np.clip(np.rint(scaled + top / 2), 0, top).astype(np.uint8)
        spare = -self.dimension % self._per_byte
        if spare:
            levels = np.hstack([levels, np.zeros((levels.shape[0], spare), np.uint8)])
        grouped = levels.reshape(levels.shape[0], -1, self._per_byte)
        shifts = np.arange(self._per_byte, dtype=np.uint8) * self.bits
        return np.bitwise_or.reduce(grouped << shifts, axis=2).astype(np.uint8)
