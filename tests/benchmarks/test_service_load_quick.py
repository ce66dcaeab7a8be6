"""benchmarks/service_load.py --quick runs the real service under wrk and reads wrk's report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from service_load import parse_wrk  # noqa: E402

WRK_REPORT = """Running 3s test @ http://127.0.0.1:8000/health
  2 threads and 4 connections
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.50ms
     99%   10.31ms
  5130 requests in 3.00s, 700.00KB read
  Non-2xx or 3xx responses: 3
  Socket errors: connect 0, read 1, write 0, timeout 2
Requests/sec:   1709.71
"""


def test_wrks_report_is_read_in_milliseconds_with_its_errors() -> None:
    assert parse_wrk(WRK_REPORT) == {
        "requests_per_second": 1709.71,
        "requests": 5130,
        "p50_ms": 0.812,
        "p90_ms": 2.5,
        "p99_ms": 10.31,
        "non_2xx": 3,
        "socket_errors": 3,
    }


@pytest.mark.slow
def test_the_quick_run_serves_suggestions_under_load() -> None:
    assert shutil.which("wrk"), "wrk is needed: apt-get install -y wrk"
    finished = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "service_load.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    result = json.loads(finished.stdout)
    assert result == json.loads((ROOT / "benchmarks/results/service_load.quick.json").read_text())
    assert result["suggestions_returned"] == 10
    for endpoint in ("health", "suggestions"):
        figures = result[endpoint]
        assert figures["requests"] > 0 and figures["requests_per_second"] > 0
        assert 0 < figures["p50_ms"] <= figures["p99_ms"]
        assert figures["errors"] == 0
