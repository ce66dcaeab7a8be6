"""benchmarks/vector_search.py --quick measures the exact scan and the HNSW index at 10k rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_measures_both_routes_against_the_same_truth(tmp_path: Path) -> None:
    out = tmp_path / "vector_search.json"
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "vector_search.py"),
            "--quick",
            "--queries",
            "50",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads(out.read_text(encoding="utf-8"))
    assert result["dimension"] > 0 and result["k"] == 10
    (row,) = result["sizes"]
    assert row["size"] == 10_000 and row["queries"] == 50
    # The exact index is the ground truth's own answer; the graph's is close to it.
    assert row["exact_index"]["recall@10"] == 1.0
    assert 0.9 <= row["hnsw_index"]["recall@10"] <= 1.0
    for route in ("baseline_numpy_exact", "exact_index", "hnsw_index"):
        assert 0 < row[route]["p50_ms"] <= row[route]["p99_ms"]
    memory = row["memory_bytes_per_vector"]
    assert memory["float32_matrix"] == 4 * result["dimension"]
    # int8 codes (a quarter of float32), 2-bit residuals (a sixteenth) and the graph's links
    assert 0.25 < memory["ratio_own_count_vs_float32"] < 0.5
    assert result["largest"]["size"] == 10_000
