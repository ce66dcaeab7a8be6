"""benchmarks/hnsw_settings.py builds a graph once, then sweeps search settings over it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = str(ROOT / "benchmarks" / "hnsw_settings.py")


@pytest.mark.slow
def test_a_saved_graph_is_swept_over_search_breadth_and_residual_bits(tmp_path: Path) -> None:
    graph = ["--size", "3000", "--m", "8", "--ef-construction", "32", "--cache", str(tmp_path)]
    built = subprocess.run(
        [sys.executable, SCRIPT, "build", *graph, "--residual-bits", "4"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    assert json.loads(built.stdout)["build_s"] >= 0
    out = tmp_path / "sweep.json"
    search = ["--ef-search", "16,64", "--rerank", "20,ef", "--residual-bits", "4,2"]
    swept = subprocess.run(
        [sys.executable, SCRIPT, "sweep", *graph, *search, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["size"] == 3000 and result["graph"]["m"] == 8
    assert result["load_s"] >= 0 and result["baseline_numpy_exact"]["p50_ms"] > 0
    settings = result["settings"]
    # "ef" re-ranks as deep as each row searches
    depths = {(row["residual_bits"], row["ef_search"], row["rerank"]) for row in settings}
    assert depths == {(b, ef, d) for b in (4, 2) for ef in (16, 64) for d in (20, ef)}
    rows = {
        (row["residual_bits"], row["ef_search"]): row for row in settings if row["rerank"] == 20
    }
    assert set(rows) == {(4, 16), (4, 64), (2, 16), (2, 64)}
    # fewer residual bits take less memory; every setting is measured against the same truth
    assert rows[(2, 64)]["bytes_per_vector"] < rows[(4, 64)]["bytes_per_vector"]
    for row in rows.values():
        assert 0.5 <= row["recall@10"] <= 1.0
        assert 0 < row["p50_ms"] <= row["p99_ms"]
    # a wider search finds at least nearly as much (the same graph, searched further)
    assert rows[(4, 64)]["recall@10"] >= rows[(4, 16)]["recall@10"] - 0.01
    assert swept.stdout.strip().endswith("}")
