"""benchmarks/refit_drift.py --quick: rows weighted with older statistics rank almost as a refit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_reports_small_changes_at_the_default_drift() -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "refit_drift.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads((ROOT / "benchmarks/results/refit_drift.quick.json").read_text())
    by_drift = {row["drift"]: row for row in result["by_drift"]}
    assert set(by_drift) == {0.05, 0.1, 0.2, 0.4}
    default = by_drift[0.1]
    assert default["mean_top10_overlap"] >= 0.9
    assert max(default["max_component_change"].values()) < 0.05
    # more rows weighted with older statistics move the lexical scores more, not less
    assert (
        by_drift[0.4]["max_component_change"]["lexical"]
        >= default["max_component_change"]["lexical"]
    )
