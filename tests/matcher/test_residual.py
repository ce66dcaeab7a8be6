"""4-bit residual codes: what int8 scalar quantisation leaves out, kept to 1/32 of a bin."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.residual import ResidualCodes


@pytest.mark.parametrize("dimension", [8, 7])  # an odd dimension leaves half a byte unused
def test_residuals_within_half_a_bin_decode_to_within_a_32nd_of_it(dimension: int) -> None:
    width = np.linspace(0.01, 0.05, dimension, dtype=np.float32)
    rng = np.random.default_rng(0)
    residuals = (rng.uniform(-0.5, 0.5, (200, dimension)) * width).astype(np.float32)
    codes = ResidualCodes(width)
    codes.reserve(200)  # appends in chunks then fill the room made once
    codes.append(residuals[:50])
    codes.append(residuals[50:])
    assert len(codes) == 200
    assert codes.nbytes == 200 * ((dimension + 1) // 2)
    error = np.abs(codes.decode(np.arange(200)) - residuals)
    assert (error <= width / 32 + 1e-7).all()


def test_a_residual_beyond_half_a_bin_is_clipped_to_its_edge() -> None:
    width = np.full(4, 0.02, np.float32)
    codes = ResidualCodes(width)
    codes.append(np.array([[0.5, -0.5, 0.0, 0.001]], np.float32))
    decoded = codes.decode(np.array([0]))[0]
    assert decoded[:2] == pytest.approx([0.02 * 7.5 / 16, -0.02 * 7.5 / 16])
    assert abs(decoded[3] - 0.001) <= 0.02 / 32


def test_put_overwrites_one_row_and_truncate_forgets_all() -> None:
    width = np.full(6, 0.04, np.float32)
    codes = ResidualCodes(width)
    first = np.full((3, 6), 0.01, np.float32)
    codes.append(first)
    codes.put(np.array([1]), np.full((1, 6), -0.01, np.float32))
    decoded = codes.decode(np.arange(3))
    assert decoded[1] == pytest.approx(np.full(6, -0.01), abs=0.04 / 32)
    assert decoded[[0, 2]] == pytest.approx(first[[0, 2]], abs=0.04 / 32)
    codes.truncate()
    assert len(codes) == 0 and codes.nbytes == 0
