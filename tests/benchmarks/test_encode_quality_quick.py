"""benchmarks/encode_quality.py --quick scores fp32 and bf16 on the tiny benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_scores_both_precisions_and_the_gate(tmp_path: Path) -> None:
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "encode_quality.py"),
            "--quick",
            "--cache",
            str(tmp_path / "cache.sqlite"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads((ROOT / "benchmarks/results/encode_quality.quick.json").read_text())
    (tiny,) = result["benchmarks"].values()
    # The tiny benchmark's answers are plain (see its README): both precisions find them.
    assert tiny["fp32"]["ndcg@10"] == tiny["bf16"]["ndcg@10"] == 1.0
    assert tiny["ndcg@10_difference"] == 0.0 and tiny["within_tolerance"] is True
    assert result["all_within_tolerance"] is True
    assert (tmp_path / "cache.sqlite").stat().st_size > 0  # a rerun scores from the cache
