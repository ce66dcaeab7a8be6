"""benchmarks/pgvector_search.py --quick runs and reports what the README quotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_prints_the_routes_and_their_recall() -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "pgvector_search.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads(
        (ROOT / "benchmarks/results/pgvector_search.quick.json").read_text()
    )
    (size,) = result["sizes"]
    assert size["vectors"] == 2000
    assert size["memory_route"]["recall_at_10_vs_exact"] == 1.0  # the exact in-memory index
    (route,) = size["pgvector_route"]
    assert 0.5 < route["recall_at_10_vs_exact"] <= 1.0
    assert 0 < route["p50_ms"] <= route["p99_ms"]
    assert route["sql_only"]["p50_ms"] > 0
    assert route["p50_vs_exact_numpy"] > 0
    assert set(result["headline"]) >= {"pgvector_p50_ms", "pgvector_recall_at_10", "met"}
