"""The README's walk-through, run as written against a real `lcmatch serve` on the demo data."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"<!-- walkthrough:start -->(.*?)<!-- walkthrough:end -->", re.S)
FENCE = re.compile(r"```(?:sh|bash)\n(.*?)```", re.S)


def walkthrough_script() -> str:
    """The shell commands of the README's walk-through, in order."""
    section = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert section, "README.md has no walk-through between the walkthrough markers"
    return "\n".join(FENCE.findall(section.group(1)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"lcmatch serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"lcmatch serve did not answer within {seconds} s")


@pytest.mark.slow
def test_readme_walkthrough_runs_against_the_demo_service(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LCMATCH_HOME": str(tmp_path), "LCMATCH_URL": url}
    env.pop("DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    lcmatch = Path(sys.executable).with_name("lcmatch")
    server = subprocess.Popen(
        [str(lcmatch), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        wait_until_healthy(url, server, seconds=300)
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough_script()],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert result.returncode == 0, result.stdout + result.stderr
    # The journeys end where the README says they do.
    assert '"published"' in result.stdout
    assert '"introduced"' in result.stdout
    assert '"completed"' in result.stdout
    assert "Jens Kramer" in result.stdout
