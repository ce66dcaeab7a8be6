"""benchmarks/service_startup.py --quick runs, and start-up encodes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_starts_without_encoding_and_measures_the_baseline() -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "service_startup.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads(
        (ROOT / "benchmarks/results/service_startup.quick.json").read_text()
    )
    startup = result["startup"]
    assert startup["encoder_calls"] == 0 and startup["texts_encoded"] == 0
    # 2,000 students of whom one in ten has not consented; 20 published challenges.
    assert startup["indexed"] == {"challenge": 20, "student": 1800, "research_group": 0}
    assert startup["seconds"] > 0
    baseline = result["reencode_baseline"]
    assert baseline["sample_texts"] == 64 and baseline["texts_per_second"] > 0
    assert baseline["extrapolated_seconds_for_all_rows"] == pytest.approx(
        result["stored_rows"] / baseline["texts_per_second"],
        rel=0.02,  # the rate is rounded
    )
    assert result["ratio_startup_to_reencode"] == pytest.approx(
        startup["seconds"] / baseline["extrapolated_seconds_for_all_rows"], rel=0.01
    )
