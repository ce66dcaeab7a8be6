"""`lcmatch serve --workers N`: several processes only where they all serve one picture of the
data (PostgreSQL with pgvector); refused, with the reason, everywhere else."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from service.cli.main import app

runner = CliRunner()
#: A PostgreSQL URL nothing listens on: the refusals come before any connection.
NOWHERE = "postgresql+psycopg://lcmatch:secret@127.0.0.1:9/none"


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Default settings with LCMATCH_HOME in a temporary folder; a server that starts anyway
    fails the test instead of running forever."""
    monkeypatch.setenv("LCMATCH_HOME", str(tmp_path))
    for variable in (
        "LCMATCH_DATABASE_URL",
        "DATABASE_URL",
        "LCMATCH_WORKERS",
        "LCMATCH_VECTOR_BACKEND",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env in reach

    def started(*args, **kwargs) -> None:
        raise AssertionError(f"the server started: {kwargs}")

    monkeypatch.setattr(uvicorn, "run", started)
    return tmp_path


def serve(*arguments: str):
    return runner.invoke(app, ["serve", *arguments])


def test_several_workers_on_sqlite_are_refused_before_anything_is_opened(
    environment: Path,
) -> None:
    result = serve("--workers", "2")
    assert result.exit_code == 2
    assert "--workers 2 needs PostgreSQL with the pgvector backend" in result.stderr
    assert "each process would keep its own index in memory" in result.stderr
    assert not (environment / "lcmatch.sqlite").exists()


def test_the_workers_setting_is_refused_on_sqlite_too(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCMATCH_WORKERS", "3")
    result = serve()
    assert result.exit_code == 2
    assert "--workers 3 needs PostgreSQL" in result.stderr


def test_several_workers_with_in_memory_vectors_on_postgresql_are_refused(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCMATCH_DATABASE_URL", NOWHERE)
    monkeypatch.setenv("LCMATCH_VECTOR_BACKEND", "memory")
    result = serve("--workers", "2")
    assert result.exit_code == 2
    assert "LCMATCH_VECTOR_BACKEND=memory" in result.stderr


def test_reload_with_several_workers_is_refused(
    environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LCMATCH_DATABASE_URL", NOWHERE)
    result = serve("--workers", "2", "--reload")
    assert result.exit_code == 2
    assert "--reload runs one process" in result.stderr


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_fewer_than_one_worker_is_bad_input(environment: Path, workers: str) -> None:
    result = serve("--workers", workers)
    assert result.exit_code == 2
    assert "--workers" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str, server: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            time.sleep(0.5)
    return False


def _started(log: Path) -> int:
    return log.read_text().count("Application startup complete")


@pytest.mark.slow
def test_two_workers_serve_one_postgresql_database(postgres, tmp_path: Path) -> None:
    database = f"workers_{uuid.uuid4().hex[:8]}"
    port = _free_port()
    env = {
        **os.environ,
        "LCMATCH_HOME": str(tmp_path),
        "LCMATCH_DATABASE_URL": postgres.create(database),
        "LCMATCH_DEMO_DATA": "false",
    }
    env.pop("DATABASE_URL", None)
    env.pop("LCMATCH_VECTOR_BACKEND", None)
    log_path = tmp_path / "serve.log"
    lcmatch = Path(sys.executable).with_name("lcmatch")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(lcmatch), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            healthy = _healthy(f"http://127.0.0.1:{port}", server, seconds=300)
            # Both workers finish their start-up (the first may answer alone for a moment).
            deadline = time.monotonic() + 120
            while (
                time.monotonic() < deadline and log_path.read_text().count("startup complete") < 2
            ):
                time.sleep(0.5)
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=60)
            postgres.drop(database)
    output = log_path.read_text()
    assert healthy, output
    workers = set(re.findall(r"Started server process \[(\d+)\]", output))
    assert len(workers) == 2, output
    assert output.count("Application startup complete") == 2, output
