"""Residual codes: what int8 scalar quantisation leaves out, kept to 1/32 of a bin with 4 bits
and to 1/8 of a bin with 2."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ann.residual import ResidualCodes


@pytest.mark.parametrize(("bits", "bytes_per_row"), [(4, {8: 4, 7: 4}), (2, {8: 2, 7: 2})])
@pytest.mark.parametrize("dimension", [8, 7])  # an odd dimension leaves part of a byte unused
def test_residuals_within_half_a_bin_decode_to_within_half_a_level(
    dimension: int, bits: int, bytes_per_row: dict[int, int]
) -> None:
    width = np.linspace(0.01, 0.05, dimension, dtype=np.float32)
    rng = np.random.default_rng(0)
    residuals = (rng.uniform(-0.5, 0.5, (200, dimension)) * width).astype(np.float32)
    codes = ResidualCodes(width, bits)
    codes.reserve(200)  # appends in chunks then fill the room made once
    codes.append(residuals[:50])
    codes.append(residuals[50:])
    assert len(codes) == 200
    assert codes.nbytes == 200 * bytes_per_row[dimension]
    error = np.abs(codes.decode(np.arange(200)) - residuals)
    # 2**bits levels over one bin: no residual is further than half a level from its code
    assert (error <= width / 2 ** (bits + 1) + 1e-7).all()
    assert error.max() > width.min() / 2 ** (bits + 3)  # and the codes are not exact


def test_fewer_bits_are_coarser_and_codes_restore_as_they_were() -> None:
    width = np.full(16, 0.02, np.float32)
    residuals = np.random.default_rng(1).uniform(-0.01, 0.01, (100, 16)).astype(np.float32)
    errors = {}
    for bits in (2, 4):
        codes = ResidualCodes(width, bits)
        codes.append(residuals)
        errors[bits] = float(np.abs(codes.decode(np.arange(100)) - residuals).mean())
        restored = ResidualCodes(width, bits)
        restored.restore(codes.codes)
        assert np.array_equal(restored.decode(np.arange(100)), codes.decode(np.arange(100)))
    assert errors[2] > 3 * errors[4]


def test_unpackable_bits_and_codes_of_another_width_are_refused() -> None:
    with pytest.raises(ValueError, match="bits"):
        ResidualCodes(np.full(4, 0.02, np.float32), 3)
    codes = ResidualCodes(np.full(8, 0.02, np.float32), 4)
    with pytest.raises(ValueError, match="4 bytes per row"):
        codes.restore(np.zeros((3, 2), np.uint8))


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
