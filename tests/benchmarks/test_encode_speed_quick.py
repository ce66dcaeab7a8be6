"""benchmarks/encode_speed.py --quick runs, times each route against fp32 and compares vectors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_quick_run_reports_every_route_against_fp32() -> None:
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "encode_speed.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads((ROOT / "benchmarks/results/encode_speed.quick.json").read_text())
    assert result["baseline"] == "fp32"
    assert result["texts"] == {"paragraph_150_words": 4, "short_20_words": 8}
    assert set(result["routes"]) == {"fp32", "bf16", "lcmatch"}
    for name, lengths in result["routes"].items():
        for figures in lengths.values():
            assert figures["texts_per_s"] > 0
            assert figures["ratio_vs_fp32"] > 0
            # Any route computes the same model: its vectors are near fp32's, fp32 is itself.
            assert figures["cosine_min"] == 1.0 if name == "fp32" else figures["cosine_min"] > 0.99
    assert result["routes"]["fp32"]["paragraph_150_words"]["ratio_vs_fp32"] == 1.0
    from matcher.openvino_encoder import missing

    torch_bf16 = "openvino-bf16" if missing() is None else "bf16"
    expected = torch_bf16 if result["cpu_bf16"]["native"] else "fp32"
    assert result["lcmatch_route"]["precision"] == expected
