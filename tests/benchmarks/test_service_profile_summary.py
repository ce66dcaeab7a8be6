"""benchmarks/service_profile.py: py-spy's stacks are summed per request stage, waits left out."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from service_profile import summarise  # noqa: E402

ROOT_FRAMES = "run (uvicorn/main.py:1);WorkerThread.run (anyio/_backends/_asyncio.py:1)"


def test_samples_are_shared_by_stage_and_waiting_threads_do_not_count(tmp_path: Path) -> None:
    raw = tmp_path / "raw.txt"
    raw.write_text(
        f"{ROOT_FRAMES};get_actor (service/api/deps.py:110);"
        "do_execute (sqlalchemy/default.py:1) 3\n"
        f"{ROOT_FRAMES};suggest_students (service/api/routes/suggestions.py:72);"
        "students_for_challenge (service/usecases/suggestions.py:268);"
        "fetchall (sqlalchemy/cursor.py:1) 1\n"
        f"{ROOT_FRAMES};GroupWriter.write (service/storage/group_commit.py:56);"
        "Condition.wait (threading.py:327) 50\n"
    )
    summary = summarise(raw)
    assert summary["samples"] == 4
    assert summary["stage_percent"] == {
        "auth: user and memberships": 75.0,
        "students and stored suggestions": 25.0,
    }
    assert "Condition.wait (threading.py:327)" not in summary["top_own_percent"]
