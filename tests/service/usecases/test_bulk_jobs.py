"""Bulk jobs survive a crash: a killed import or re-embedding resumes where it stopped.

Each job runs in a real subprocess (bulk_job_runner.py) on a SQLite file, with a fake encoder
that logs every text it encodes. The process is killed with SIGKILL mid-way: by itself right
after a batch's commit, or by this test at whatever moment it sees the job row advance. Then
the same job runs again, and the database must hold every row once, each embedded, and the
log must show that no finished batch was encoded again.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from matcher.cache import text_hash
from matcher.paths import PROJECT_ROOT
from service.domain.tables import Job, Membership, StudentProfile
from service.storage.db import make_engine, migrate
from service.usecases.jobs import import_file
from service.usecases.matching import text_view
from service.usecases.transfer import TransferError, import_data

RUNNER = Path(__file__).with_name("bulk_job_runner.py")
DEMO = PROJECT_ROOT / "data" / "demo"
BATCH = 40
STUDENTS = json.loads((DEMO / "students.json").read_text(encoding="utf-8"))  # 300 of them


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A migrated SQLite file holding the demo communities (the students' memberships)."""
    url = f"sqlite:///{tmp_path / 'jobs.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    communities = json.loads((DEMO / "communities.json").read_text(encoding="utf-8"))
    kept = [{key: row[key] for key in ("id", "name", "region")} for row in communities]
    with Session(engine) as session:
        import_data(session, "communities", json.dumps(kept).encode(), "json")
    engine.dispose()
    return url


@pytest.fixture
def students_file(tmp_path: Path) -> Path:
    path = tmp_path / "students.json"
    path.write_text(json.dumps(STUDENTS), encoding="utf-8")
    return path


def run(*arguments: str | Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(RUNNER), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def state(url: str) -> tuple[list[StudentProfile], list[Membership], list[Job]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return (
                list(session.exec(select(StudentProfile))),
                list(session.exec(select(Membership).where(Membership.kind == "student"))),
                list(session.exec(select(Job))),
            )
    finally:
        engine.dispose()


def encoded(log: Path) -> Counter[str]:
    """How often each text (by hash) was encoded, over every run that wrote to the log."""
    return Counter(log.read_text(encoding="utf-8").split()) if log.exists() else Counter()


def assert_complete(url: str, log: Path) -> None:
    """Every student of the file is there once, with its memberships, embedded exactly once."""
    students, links, jobs = state(url)
    assert sorted(row.id for row in students) == sorted(record["id"] for record in STUDENTS)
    expected_links = sorted(
        (record["id"], community) for record in STUDENTS for community in record["community_ids"]
    )
    assert sorted((link.member_id, link.community_id) for link in links) == expected_links
    assert all(row.embedding is not None and len(row.embedding) == 64 for row in students)
    texts = Counter(text_hash(text_view("student", row)) for row in students)
    assert encoded(log) == texts  # each row's text encoded once, across the crash
    assert [(job.status, job.done, job.total) for job in jobs if job.action == "import"] == [
        ("done", len(STUDENTS), len(STUDENTS))
    ]


def test_an_import_killed_after_a_batch_resumes_and_embeds_each_row_once(
    database: str, students_file: Path, tmp_path: Path
) -> None:
    log = tmp_path / "encoded.log"
    first = run("import", database, students_file, log, "--batch-size", BATCH, "--die-after", 3)
    assert first.returncode == -signal.SIGKILL, first.stderr
    students, _, jobs = state(database)
    assert len(students) == 3 * BATCH  # three committed batches, nothing of the fourth
    assert [(job.status, job.done) for job in jobs] == [("running", 3 * BATCH)]
    assert sum(encoded(log).values()) == 3 * BATCH

    second = run("import", database, students_file, log, "--batch-size", BATCH)
    assert second.returncode == 0, second.stderr
    assert f"finished {len(STUDENTS) - 3 * BATCH} resumed_at {3 * BATCH}" in second.stdout
    assert_complete(database, log)


def test_an_import_killed_at_any_moment_redoes_no_finished_batch(
    database: str, students_file: Path, tmp_path: Path
) -> None:
    log = tmp_path / "encoded.log"
    command = [sys.executable, str(RUNNER), "import", database, str(students_file), str(log)]
    job = subprocess.Popen(
        [*command, "--batch-size", str(BATCH), "--pause", "0.2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while True:  # watch the job row, as an operator would, and kill once it has advanced
            assert job.poll() is None, "the job ended before it could be killed"
            assert time.monotonic() < deadline, "the job row never advanced"
            jobs = state(database)[2]
            if jobs and jobs[0].done >= 2 * BATCH:
                break
            time.sleep(0.02)
        job.send_signal(signal.SIGKILL)
    finally:
        job.wait(timeout=30)
    committed = state(database)[2][0].done
    assert 2 * BATCH <= committed < len(STUDENTS)
    done_before = {text_hash(text_view("student", row)) for row in state(database)[0]}

    before = encoded(log)
    second = run("import", database, students_file, log, "--batch-size", BATCH)
    assert second.returncode == 0, second.stderr
    again = encoded(log) - before
    assert not done_before & set(again)  # no committed row was encoded a second time
    # At most the batch the kill interrupted was encoded twice (it had not been committed).
    assert sum(encoded(log).values()) - len(STUDENTS) <= BATCH
    students = state(database)[0]
    assert sorted(row.id for row in students) == sorted(record["id"] for record in STUDENTS)
    assert all(row.embedding is not None for row in students)


def test_a_reembedding_killed_mid_way_resumes_without_encoding_twice(
    database: str, students_file: Path, tmp_path: Path
) -> None:
    assert run("import", database, students_file, tmp_path / "import.log").returncode == 0
    engine = make_engine(database)
    with Session(engine) as session:  # a new model: every stored vector is stale
        for row in session.exec(select(StudentProfile)):
            row.embedding_model = "an-older-model"
            session.add(row)
        session.commit()
    engine.dispose()

    log = tmp_path / "reembed.log"
    first = run("reembed", database, log, "--batch-size", BATCH, "--die-after", 4)
    assert first.returncode == -signal.SIGKILL, first.stderr
    stale = [row for row in state(database)[0] if row.embedding_model == "an-older-model"]
    assert len(stale) == len(STUDENTS) - 4 * BATCH

    second = run("reembed", database, log, "--batch-size", BATCH)
    assert second.returncode == 0, second.stderr
    assert f"finished {len(STUDENTS) - 4 * BATCH} " in second.stdout
    students = state(database)[0]
    assert {row.embedding_model for row in students} == {"hashing-trigrams"}
    assert encoded(log) == Counter(text_hash(text_view("student", row)) for row in students)
    reembeds = [job for job in state(database)[2] if job.action == "reembed"]
    assert [(job.status, job.done, job.total) for job in reembeds] == [
        ("done", len(STUDENTS), len(STUDENTS))
    ]


def test_a_bad_file_starts_no_job_and_writes_nothing(database: str, tmp_path: Path) -> None:
    records = [dict(STUDENTS[0]), dict(STUDENTS[1], level="promovendus")]
    engine = make_engine(database)
    with Session(engine) as session, pytest.raises(TransferError) as refused:
        import_file(session, "students", json.dumps(records).encode(), "json", batch_size=1)
    engine.dispose()
    assert any(problem.startswith("record 2, field level") for problem in refused.value.problems)
    students, links, jobs = state(database)
    assert (students, links, jobs) == ([], [], [])
