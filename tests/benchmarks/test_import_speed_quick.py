"""benchmarks/import_speed.py --quick imports, re-embeds and reports seconds per 10k."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_times_every_route_on_300_profiles() -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "import_speed.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads((ROOT / "benchmarks/results/import_speed.quick.json").read_text())
    fake = result["encoders"]["fake"]
    assert fake["profiles"] == 300 and "real" not in result["encoders"]
    routes = fake["routes"]
    assert set(routes) == {"encode", "import_job", "import_one_transaction", "reembed"}
    assert routes["encode"]["ratio_vs_encode"] == 1.0
    for figures in routes.values():
        assert figures["seconds"] > 0
        assert figures["seconds_per_10k"] == pytest.approx(figures["seconds"] * 10_000 / 300, 0.05)
